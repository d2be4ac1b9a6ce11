import Foundation
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayRedaction
import ScrubjayRules

/// Gathers a package's `PackageFacts` from its files (already read and checked for archive
/// safety by the verifier): the manifest's provenance, the statement's or report's rules, and,
/// when asked, the hosts in the events and a rescan with rules.
public struct FactsCollector {
    /// The time ages are measured at.
    public var now = Date()
    /// Scan the events for asset and network hosts (one pass over every event).
    public var collectHosts = true
    /// Scan the events again with these rules (`--rescan`).
    public var rescanRules: RuleSet?

    public init() {}

    /// What the signed statement says, when there is one (the verifier has decoded it).
    public struct StatementClaims: Sendable {
        public var createdAt: String
        public var ruleFiles: [RedactionPredicate.RuleFile]
        public var counts: FindingCounts?

        public init(createdAt: String, ruleFiles: [RedactionPredicate.RuleFile], counts: FindingCounts?) {
            self.createdAt = createdAt
            self.ruleFiles = ruleFiles
            self.counts = counts
        }
    }

    /// The facts of the package at `path` whose files are `files`. `manifest` nil: the manifest
    /// could not be read (facts from it are unknown). `trustedSigners` nil: signatures were not
    /// checked (no trusted key given).
    public func collect(path: String, files: [String: [UInt8]], manifest: PackageManifest?, statement: StatementClaims?,
                        trustedSigners: [String]?) -> PackageFacts {
        var facts = PackageFacts(package: path, siteHosts: [], signed: files[PackageStatement.path] != nil,
                                 trustedSigners: trustedSigners)
        facts.manifestSHA256 = files["manifest.json"].map { Hex.encode(Digest.sha256($0)) }
        var siteHosts = Set<String>()
        if let m = manifest {
            let r = m.recording
            facts.recording = .init(id: r.id, sourceSystem: m.provenance.sourceSystem, recorder: r.recorder, eventCount: r.eventCount,
                                    firstTimestamp: r.firstTimestamp, lastTimestamp: r.lastTimestamp, fidelity: m.fidelity)
            facts.ingestHost = m.provenance.ingestHost.map { Hosts.host(of: $0) ?? $0.lowercased() }
            facts.storageEndpoint = m.provenance.storageEndpoint
            if let region = m.provenance.storageRegion, !region.isEmpty {
                (facts.storageRegion, facts.storageRegionSource) = (region.lowercased(), "given")
            } else if let region = m.provenance.storageEndpoint.flatMap(Regions.region(ofStorageEndpoint:)) {
                (facts.storageRegion, facts.storageRegionSource) = (region, "storageEndpoint")
            } else if let region = facts.ingestHost.flatMap(Regions.region(ofIngestHost:)) {
                (facts.storageRegion, facts.storageRegionSource) = (region, "ingestHost")
            }
            if let region = facts.storageRegion {
                facts.storageRegionGroups = Regions.builtinGroups.filter { $0.value.contains(region) }.map(\.key).sorted()
            }
            for url in r.pageURLs { if let h = Hosts.absoluteHost(of: url) { siteHosts.insert(h) } }
        }

        // Time and rules: the signed statement's claims, else the manifest and the unsigned report.
        if let statement {
            (facts.createdAt, facts.createdAtSource) = (statement.createdAt, "statement")
            facts.rules = Self.appliedRules(source: "statement", files: statement.ruleFiles.map {
                (PackageFacts.RuleFile(name: $0.name, file: $0.file, sha256: $0.digest["sha256"], rules: $0.rules), $0.ruleList)
            }, counts: statement.counts)
        } else {
            if let m = manifest { (facts.createdAt, facts.createdAtSource) = (m.provenance.createdAt, "manifest") }
            if let data = files["redaction/report.json"], let report = try? JSONDecoder().decode(RedactionReport.self, from: Data(data)) {
                facts.rules = Self.appliedRules(source: "report", files: report.rulePacks.map {
                    (PackageFacts.RuleFile(name: $0.name, file: $0.file, sha256: $0.sha256, rules: $0.rules), $0.ruleList)
                }, counts: report.findings)
            }
        }
        if let created = facts.createdAt.flatMap(PackageWriter.parseTimestamp) { facts.ageSeconds = max(0, now.timeIntervalSince(created)) }

        // One pass over the events for hosts and the rescan.
        if let manifest, collectHosts || rescanRules != nil {
            var scan = EventScan(rules: rescanRules)
            let package = ReplayPackage(path: path, manifest: manifest, files: files)
            do {
                for window in manifest.recording.windows {
                    for (i, json) in try package.events(window: window).enumerated() {
                        try scan.event(json, window: window, index: i)
                    }
                }
                if collectHosts {
                    facts.assetHosts = scan.assetHosts.subtracting(siteHosts.union(scan.siteHosts)).sorted()
                    facts.networkHosts = scan.networkHosts.sorted()
                }
                siteHosts.formUnion(scan.siteHosts)
                if let rules = rescanRules {
                    facts.rescan = scan.rescanFacts(rules: rules, windows: manifest.recording.windows)
                }
            } catch {
                facts.eventsUnreadable = "\(error)"
            }
        }
        facts.siteHosts = siteHosts.sorted()
        return facts
    }

    static func appliedRules(source: String, files: [(PackageFacts.RuleFile, [RedactionPredicate.RuleSummary]?)],
                             counts: FindingCounts?) -> PackageFacts.AppliedRules {
        let rules = files.flatMap { $0.1 ?? [] }.sorted { $0.id < $1.id }
        return PackageFacts.AppliedRules(
            source: source, files: files.map(\.0), categories: Set(rules.map(\.category.rawValue)).sorted(), rules: rules,
            findingsByAction: counts?.byAction ?? [:])
    }
}

/// One pass over a package's events: hosts, and residual findings when rules are given.
struct EventScan {
    var siteHosts = Set<String>()
    var assetHosts = Set<String>()
    var networkHosts = Set<String>()
    var redactor: Redactor?
    var events = 0

    init(rules: RuleSet?) {
        redactor = rules.map { Redactor(engine: $0.engine, mode: .audit, pseudonymKey: [], collectFindings: true) }
    }

    mutating func event(_ json: [UInt8], window: PackageManifest.Window, index: Int) throws {
        let bytes = JSONBytes(json)
        var reader = try EventReader(bytes: bytes)
        guard let e = try reader.next() else { return }
        events += 1
        if redactor != nil {
            var edits = JSONEdits()
            redactor!.process(e, window: window.id, index: index, edits: &edits)
        }
        let type = e.int("type", of: e.root)
        var walker = EventWalker()
        walker.walk(e) { site in
            switch site.channel {
            case .url:
                let value = e.string(site.value)
                if type == RRWebEventType.meta.rawValue {
                    if let h = Hosts.absoluteHost(of: value) { siteHosts.insert(h) }
                } else if Self.isFetched(e, site) {
                    for token in value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }) {
                        if let h = Hosts.absoluteHost(of: String(token)) { assetHosts.insert(h) }
                    }
                }
            case .css:
                guard Self.mayHoldURL(e, site.value) else { return }
                for h in Self.hostsInText(e.string(site.value)) { assetHosts.insert(h) }
            case .network:
                guard Self.mayHoldURL(e, site.value) else { return }
                let value = e.string(site.value)
                if let h = Hosts.absoluteHost(of: value) {
                    networkHosts.insert(h)
                }
            default:
                return
            }
        }
    }

    /// Whether a URL attribute is one a browser fetches while showing the page (src, srcset,
    /// poster, an SVG reference, a stylesheet or icon `<link href>`), not a link to follow.
    static func isFetched(_ e: JSONEvent, _ site: StringSite) -> Bool {
        guard let key = site.attributeKey else { return true } // an Asset event's url
        if e.string(key, equalsIgnoringASCIICase: "href") {
            guard let attrs = site.attributes, let rel = e.member("rel", of: attrs), e.kind(rel) == .string else { return false }
            let r = e.string(rel).lowercased()
            return ["stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "apple-touch-icon"].contains { r.contains($0) }
        }
        let navigational: [StaticString] = ["action", "formaction", "cite", "longdesc", "ping"]
        return !navigational.contains { e.string(key, equalsIgnoringASCIICase: $0) }
    }

    /// A quick test on the raw bytes: does the string contain `//` at all (or `\\`, which a
    /// browser reads as `//` in a web URL, or an escape that may write either)?
    static func mayHoldURL(_ e: JSONEvent, _ v: JSONValueRef) -> Bool {
        e.withStringBody(v) { body in
            guard body.count >= 2 else { return false }
            for i in 1..<body.count where (body[i - 1] == UInt8(ascii: "/") || body[i - 1] == UInt8(ascii: "\\"))
                && (body[i] == UInt8(ascii: "/") || body[i] == UInt8(ascii: "\\") || body[i] == UInt8(ascii: "u")) {
                return true
            }
            return false
        }
    }

    /// Hosts of `http://`, `https://` and `url(//...)` references inside a longer text (CSS).
    static func hostsInText(_ text: String) -> Set<String> {
        var out = Set<String>()
        let bytes = Array(text.utf8)
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == UInt8(ascii: "/"), bytes[i + 1] == UInt8(ascii: "/") {
                // Back up over a scheme, or accept `url(//`, `url('//`, `url("//`.
                var start = i
                while start > 0, let c = Optional(bytes[start - 1]), c == UInt8(ascii: ":") || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) {
                    start -= 1
                }
                let prefix = String(decoding: bytes[start..<i], as: UTF8.self).lowercased()
                if (prefix == "http:" || prefix == "https:" || prefix.isEmpty) && Self.isReferenceStart(bytes, start) {
                    var end = i + 2
                    while end < bytes.count, !" \t\n\r'\")/?#,;\\".utf8.contains(bytes[end]) { end += 1 }
                    if let h = Hosts.host(of: "//" + String(decoding: bytes[(i + 2)..<end], as: UTF8.self)) { out.insert(h) }
                    i = end
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// Whether a URL starting at `start` is the argument of `url(` or `@import` (not text
    /// inside another value, such as the `xmlns` of an SVG data URL).
    static func isReferenceStart(_ bytes: [UInt8], _ start: Int) -> Bool {
        var j = start
        let skipped: [UInt8] = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "'"), UInt8(ascii: "\"")]
        while j > 0, skipped.contains(bytes[j - 1]) { j -= 1 }
        func ends(with word: String, at end: Int) -> Bool {
            let w = Array(word.utf8)
            guard end >= w.count else { return false }
            return zip(bytes[(end - w.count)..<end], w).allSatisfy { $0 | 0x20 == $1 | 0x20 }
        }
        if j > 0, bytes[j - 1] == UInt8(ascii: "(") { return ends(with: "url", at: j - 1) }
        return ends(with: "@import", at: j)
    }

    func rescanFacts(rules: RuleSet, windows: [PackageManifest.Window]) -> PackageFacts.Rescan {
        let fileOf = Dictionary(windows.map { ($0.id, $0.file) }, uniquingKeysWith: { a, _ in a })
        let findings = redactor?.findings ?? []
        return PackageFacts.Rescan(
            rulePacks: rules.packs.map { .init(name: $0.name, file: $0.file, sha256: $0.sha256, rules: $0.rules.count) },
            events: events, findings: redactor?.tally.findings ?? FindingCounts(),
            locations: findings.prefix(PackageFacts.Rescan.maxLocations).map {
                .init(rule: $0.rule, category: $0.category.rawValue, severity: $0.severity.rawValue, channel: $0.channel.rawValue,
                      file: fileOf[$0.window] ?? "", line: $0.eventIndex + 1, pointer: $0.pointer, nodeId: $0.nodeId)
            },
            truncated: findings.count > PackageFacts.Rescan.maxLocations)
    }
}
