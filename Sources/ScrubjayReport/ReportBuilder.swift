import Foundation
import ScrubjayFormats
import ScrubjayIO
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayPolicy
import ScrubjayProvenance
import ScrubjayRedaction
import ScrubjayRules
import ScrubjayVerify

/// A package's report file that cannot be used: names the package and the entry.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let entry: String?
    public let detail: String

    public init(path: String, entry: String? = nil, detail: String) {
        self.path = path
        self.entry = entry
        self.detail = detail
    }

    public var description: String { path + (entry.map { ": \($0)" } ?? "") + ": " + detail }
}

/// What a report is made from beyond the package: how to verify it, and when.
public struct ReportOptions: Sendable {
    /// Keys whose signatures count (`--trusted-key`, `--trust-file`).
    public var trustedKeys: [TrustedKey] = []
    /// Policies to judge the package by (`--policy`): residency verdict, exceptions.
    public var policies: [Policy] = []
    /// Scan the events again with these rules (`--rescan`).
    public var rescanRules: RuleSet?
    /// The time of judgement (policy ages, exception expiry).
    public var now = Date()
    /// The time the report says it was written: SOURCE_DATE_EPOCH when set, else now.
    public var generatedAt = ReportOptions.defaultGenerationDate()
    /// This tool's version, as the report names its generator.
    public var toolVersion = "0.0.0"

    public init() {}

    static func defaultGenerationDate() -> Date {
        if let s = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let t = TimeInterval(s) {
            return Date(timeIntervalSince1970: t)
        }
        return Date()
    }
}

/// A report ready to render: the document, the rebuilt pages of its previews and, when the
/// package was verified, the verifier's result (for SARIF and JUnit).
public struct Report: Sendable {
    public var document: ReportDocument
    /// The static page of each window's first full snapshot, by window id.
    public var previewPages: [String: String]
    public var verification: VerificationResult?
}

/// Builds reports: of a package file (verified, with previews), or of a package being written
/// by `redact` (from its manifest and redaction report only).
public enum ReportBuilder {
    /// The report of the package at `path`: verifies it (checksums, signatures, the policies
    /// and rescan of `options`), reads its redaction report and rebuilds each window's first
    /// full snapshot. Throws `NotAPackageError` and `FileError` for a missing or non-package
    /// input, `PackageError` for a package that cannot be opened, `ReportError` for an
    /// unreadable `redaction/report.json`.
    public static func report(ofPackage path: String, options: ReportOptions) throws -> Report {
        var verifier = Verifier()
        verifier.trustedKeys = options.trustedKeys
        verifier.policies = options.policies
        verifier.rescanRules = options.rescanRules
        verifier.now = options.now
        verifier.collectFacts = true
        let result = try verifier.verify(path)
        let package = try ReplayPackage.open(path)
        let redaction = try redactionReport(of: package)
        let bytes = try InputFile.read(path)
        var document = document(manifest: package.manifest, redaction: redaction, options: options,
                                signers: result.signatures.map { .init(keyid: $0.keyid, valid: $0.valid, trustedAs: $0.trustedAs, accepted: $0.accepted) },
                                signed: package.files[PackageStatement.path] != nil)
        document.package.file = (path as NSString).lastPathComponent
        document.package.sha256 = Hex.encode(Digest.sha256(bytes))
        document.package.size = bytes.count
        document.package.manifestSHA256 = package.files["manifest.json"].map { Hex.encode(Digest.sha256($0)) }
        document.verification = .init(verdict: result.verdict.rawValue, checks: result.checks.map { c in
            .init(id: c.id, title: c.title, status: c.status.rawValue, detail: c.detail, findings: c.findings.map(finding))
        })
        if let facts = result.facts {
            judge(&document, facts: facts, policies: options.policies, checks: result.checks, now: options.now)
        }
        var pages: [String: String] = [:]
        document.previews = try previews(package, redaction: redaction, pages: &pages)
        return Report(document: document, previewPages: pages, verification: result)
    }

    /// The report of a package `redact` is writing, from its manifest and redaction report:
    /// no package digest (the report is inside it), no verification, no previews.
    public static func report(ofRedaction report: RedactionReport, manifest: PackageManifest, signerKeyIds: [String],
                              options: ReportOptions) -> Report {
        let document = document(manifest: manifest, redaction: report, options: options,
                                signers: signerKeyIds.map { .init(keyid: $0, valid: nil, trustedAs: nil, accepted: nil) },
                                signed: !signerKeyIds.isEmpty)
        return Report(document: document, previewPages: [:], verification: nil)
    }

    /// Where `redact` puts the Markdown report inside the package.
    public static let markdownPath = "redaction/report.md"

    /// What `redact` adds to the package beside `redaction/report.json`: the Markdown report
    /// (`markdownPath`), rendered with `templates`.
    public static func packageSummaries(templates: ReportTemplates, signerKeyIds: [String], options: ReportOptions) -> RedactionJob.Summaries {
        { manifest, report in
            let markdown = ReportBuilder.report(ofRedaction: report, manifest: manifest, signerKeyIds: signerKeyIds, options: options)
            return [(markdownPath, try markdown.rendered(as: .md, templates: templates))]
        }
    }

    /// `redaction/report.json` of a package, or nil when it was not redacted.
    static func redactionReport(of package: ReplayPackage) throws -> RedactionReport? {
        guard let data = package.files["redaction/report.json"] else { return nil }
        do {
            return try JSONDecoder().decode(RedactionReport.self, from: Data(data))
        } catch {
            throw ReportError(path: package.path, entry: "redaction/report.json", detail: "unreadable: \(describe(error))")
        }
    }

    /// A decoding error in a few words with the JSON path it happened at.
    static func describe(_ error: Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case DecodingError.keyNotFound(let key, let c): return "missing field \(path(c)).\(key.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c): return "\(c.debugDescription) at \(path(c))"
        case DecodingError.dataCorrupted(let c): return "\(c.debugDescription) \(path(c))"
        default: return "\(error)"
        }
    }

    // MARK: the document

    static func document(manifest m: PackageManifest, redaction: RedactionReport?, options: ReportOptions,
                         signers: [ReportDocument.Signer], signed: Bool) -> ReportDocument {
        let r = m.recording
        let package = ReportDocument.Package(
            file: nil, sha256: nil, size: nil, manifestSHA256: nil, formatVersion: m.formatVersion, recordingId: r.id,
            sourceSystem: m.provenance.sourceSystem, fidelity: m.fidelity, tool: .init(name: m.provenance.tool.name, version: m.provenance.tool.version), createdAt: m.provenance.createdAt,
            eventCount: r.eventCount, firstTimestamp: r.firstTimestamp, lastTimestamp: r.lastTimestamp, durationMs: r.durationMs,
            windows: r.windows.map { .init(id: $0.id, file: $0.file, eventCount: $0.eventCount) }, files: m.files)
        let findings = redaction?.findings ?? FindingCounts()
        let ruleList = redaction?.rulePacks.flatMap { $0.ruleList ?? [] } ?? []
        let ruleInfo = Dictionary(ruleList.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let total = findings.total
        let counts = ReportDocument.Counts(
            total: total, limits: findings.limits, byCategory: counted(findings.byCategory, of: total),
            byRule: counted(findings.byRule, of: total).map { c in
                let rule = ruleInfo[c.name]
                return .init(rule: c.name, category: rule?.category.rawValue, severity: rule?.severity.rawValue,
                             action: rule?.action.rawValue, count: c.count, percent: c.percent)
            },
            byChannel: counted(findings.byChannel, of: total), byAction: counted(findings.byAction, of: total),
            bySeverity: counted(findings.bySeverity, of: total))
        let timeline = redaction?.timeline.map { t in
            ReportDocument.Timeline(startTimestamp: t.startTimestamp, bucketMs: t.bucketMs, untimed: t.untimed, buckets: t.buckets.map {
                .init(offsetMs: $0.offsetMs, findings: $0.findings, byCategory: counted($0.byCategory, of: $0.findings))
            })
        }
        let region = m.provenance.storageRegion
        return ReportDocument(
            generator: .init(name: "scrubjay", version: options.toolVersion),
            generatedAt: PackageWriter.timestampString(options.generatedAt),
            package: package, inputs: redaction?.inputs ?? m.provenance.inputs, redacted: redaction != nil,
            redaction: redaction.map { .init(reportVersion: $0.reportVersion, tool: .init(name: $0.tool.name, version: $0.tool.version), createdAt: $0.createdAt, pseudonymKey: $0.pseudonymKey,
                                            events: $0.events, eventsChanged: $0.eventsChanged, strings: $0.strings, stringsChanged: $0.stringsChanged) },
            rulePacks: redaction?.rulePacks.map { .init(name: $0.name, file: $0.file, sha256: $0.sha256, rules: $0.rules) } ?? [],
            counts: counts, timeline: timeline,
            pages: (redaction?.pages ?? []).map { .init(url: $0.url, window: $0.window, findings: $0.findings, byCategory: counted($0.byCategory, of: $0.findings)) },
            notScanned: redaction?.notScanned ?? [],
            signatures: .init(signed: signed, signers: signers),
            verification: nil,
            residency: .init(verdict: "notJudged", ingestHost: m.provenance.ingestHost, storageEndpoint: m.provenance.storageEndpoint,
                             storageRegion: region, storageRegionSource: region == nil ? nil : "given", storageRegionGroups: [],
                             siteHosts: nil, assetHosts: nil, networkHosts: nil, findings: []),
            policies: [],
            coverage: .init(hipaaSafeHarbor: ComplianceCoverage.evaluate(ComplianceCoverage.hipaaSafeHarbor, applied: ruleList),
                            pciDSS: ComplianceCoverage.evaluate(ComplianceCoverage.pciDSS, applied: ruleList)),
            previews: [])
    }

    /// Counts by name as a list, largest first, with each one's share of `total`.
    static func counted(_ counts: [String: Int], of total: Int) -> [ReportDocument.Count] {
        counts.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
            .init(name: $0.key, count: $0.value, percent: total == 0 ? 0 : (Double($0.value) * 1000 / Double(total)).rounded() / 10)
        }
    }

    static func finding(_ f: VerificationFinding) -> ReportDocument.Finding {
        .init(code: f.code, severity: f.severity.rawValue, path: f.path, line: f.line, message: f.message, expected: f.expected, actual: f.actual)
    }

    static let residencyRequirements: Set<Policy.Requirement> = [.ingest_host, .storage_region, .site_hosts, .asset_hosts, .network_hosts]

    /// Residency facts, the residency verdict and each policy's verdict and exceptions.
    static func judge(_ d: inout ReportDocument, facts: PackageFacts, policies: [Policy], checks: [CheckResult], now: Date) {
        d.residency.ingestHost = facts.ingestHost
        d.residency.storageEndpoint = facts.storageEndpoint
        d.residency.storageRegion = facts.storageRegion
        d.residency.storageRegionSource = facts.storageRegionSource
        d.residency.storageRegionGroups = facts.storageRegionGroups
        d.residency.siteHosts = facts.siteHosts
        d.residency.assetHosts = facts.assetHosts
        d.residency.networkHosts = facts.networkHosts
        var judged = false
        var worst: PolicyFinding.Level?
        func rank(_ l: PolicyFinding.Level) -> Int { l == .error ? 2 : l == .warning ? 1 : 0 }
        for policy in policies {
            let found = policy.evaluate(facts, now: now)
            judged = judged || policy.ingestHost != nil || policy.storageRegion != nil || policy.siteHosts != nil
                || policy.assetHosts != nil || policy.networkHosts != nil
            for f in found where f.requirement.map(residencyRequirements.contains) == true {
                d.residency.findings.append(.init(code: f.code, severity: f.level.rawValue, path: nil, line: nil,
                                                  message: "\(policy.name): \(f.requirement!.rawValue): \(f.message)", expected: f.expected, actual: f.actual))
                if worst.map({ rank(f.level) > rank($0) }) ?? true { worst = f.level }
            }
            let check = checks.first { $0.id == "policy.\(policy.name)" }
            d.policies.append(.init(
                name: policy.name, description: policy.description, file: policy.file, sha256: policy.sha256,
                verdict: check?.status.rawValue ?? "skip", findings: check?.findings.map(finding) ?? [],
                exceptions: policy.exceptions.map { e in
                    let note = "(excepted until \(e.expiresText): \(e.reason))"
                    return .init(requirement: e.requirement.rawValue, match: e.match, reason: e.reason, expires: e.expiresText,
                                 state: e.expires < now ? "expired" : "active",
                                 applied: found.filter { $0.level == .note && $0.message.hasSuffix(note) }.count)
                }))
        }
        if judged { d.residency.verdict = worst == .error ? "fail" : worst == .warning ? "warn" : "pass" }
    }

    // MARK: previews

    /// Each window's first full snapshot rebuilt as a static page (`SnapshotHTML`), with the
    /// nodes the redaction report names outlined.
    static func previews(_ package: ReplayPackage, redaction: RedactionReport?, pages: inout [String: String]) throws -> [ReportDocument.Preview] {
        var out: [ReportDocument.Preview] = []
        // The first snapshot the report names for each window (a package may have thousands).
        var snapshots: [String: RedactionReport.SnapshotChanges] = [:]
        for s in redaction?.snapshots ?? [] where snapshots[s.window] == nil { snapshots[s.window] = s }
        for w in package.manifest.recording.windows {
            let events = try package.events(window: w)
            let known = snapshots[w.id]
            var index = known?.eventIndex
            var timestamp = known?.timestamp
            if index == nil {
                for (i, json) in events.prefix(100).enumerated() {
                    let (type, time) = typeAndTime(json)
                    if type == RRWebEventType.fullSnapshot.rawValue { (index, timestamp) = (i, time); break }
                }
            }
            var preview = ReportDocument.Preview(window: w.id, eventIndex: index, timestamp: timestamp, available: false, reason: nil,
                                                 elements: 0, outlined: 0, removed: [])
            guard let index, index < events.count else {
                preview.reason = "no full snapshot among the window's first 100 events"
                out.append(preview)
                continue
            }
            let page: SnapshotHTML.Page?
            do {
                page = try SnapshotHTML.page(event: events[index], redactedNodes: Set(known?.nodeIds ?? []))
            } catch {
                throw ReportError(path: package.path, entry: w.file, detail: "line \(index + 1): the full snapshot cannot be read: \(describe(error))")
            }
            guard let page else {
                preview.reason = "a mobile recording: its snapshot is a wireframe, not a page"
                out.append(preview)
                continue
            }
            preview.available = true
            preview.elements = page.elements
            preview.outlined = page.outlined
            preview.removed = page.removed.sorted { $0.key < $1.key }.map { .init(name: $0.key, count: $0.value, percent: 0) }
            pages[w.id] = page.html
            out.append(preview)
        }
        return out
    }

    /// An event's rrweb type and timestamp (nil for what it does not have or cannot be read).
    static func typeAndTime(_ json: [UInt8]) -> (type: Int?, timestamp: Double?) {
        guard var reader = try? EventReader(bytes: JSONBytes(json)), let e = try? reader.next(), e.kind(e.root) == .object else { return (nil, nil) }
        return (e.int("type", of: e.root), e.double("timestamp", of: e.root))
    }
}
