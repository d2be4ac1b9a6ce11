import Foundation
import Testing
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayRules
@testable import ScrubjayRedaction
import ScrubjayTestSupport

let fixtures: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

let recordings: [String] = {
    let e = FileManager.default.enumerator(atPath: fixtures)!
    var out: [String] = []
    while let n = e.nextObject() as? String {
        if (n.hasSuffix(".json") || n.hasSuffix(".jsonl")) && !n.hasPrefix("accuracy/") { out.append(n) }
    }
    return out.sorted()
}()

func temporaryPath(_ name: String) -> String {
    scratchPath("scrubjay-redact") + "-\(name)"
}

let defaults: RuleSet = try! RuleSet.defaults()
/// The default packs that rewrite values only (no selector rules).
let valuePacks = RuleSet(packs: defaults.packs.filter { $0.name != "privacy-markers" })

/// Every string replaced by "" and every number by 0: what must survive a redaction unchanged.
func skeleton(_ v: Any) -> Any {
    if let d = v as? [String: Any] { return d.mapValues(skeleton) }
    if let a = v as? [Any] { return a.map(skeleton) }
    if v is String { return "" }
    return v
}

func canonical(_ v: Any) throws -> Data {
    try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
}

func jsonObject(_ bytes: [UInt8]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

let emailPattern = try! PCRE2Regex("[A-Za-z0-9._%+\\-]+@(?:[A-Za-z0-9\\-]+\\.)+[A-Za-z]{2,}")

/// The Input events of a recording whose text is more than `*` and whitespace.
func unmaskedTypedValues(_ events: [[UInt8]]) throws -> [String] {
    var out: [String] = []
    for e in events {
        guard let obj = try jsonObject(e) as? [String: Any], obj["type"] as? Int == 3,
              let data = obj["data"] as? [String: Any], data["source"] as? Int == 5, let text = data["text"] as? String else { continue }
        if text.contains(where: { $0 != "*" && !$0.isWhitespace }) { out.append(text) }
    }
    return out
}

@Suite("Redacting the corpus")
struct RedactionCorpusTests {
    /// Redaction leaves nothing its own rules find: a rescan of the redacted package (what
    /// `verify --rescan` does) is clean, so masked values, replace tokens, pseudonyms and the
    /// last four digits keep_last shows do not match again.
    @Test("a rescan of every redacted recording finds nothing", arguments: recordings)
    func rescanOfRedactedIsClean(_ name: String) throws {
        let redacted = temporaryPath("redacted.zip")
        defer { try? FileManager.default.removeItem(atPath: redacted) }
        try RedactionJob.redact(inputs: [fixtures + "/" + name], output: redacted, rules: defaults, pseudonymKey: nil, options: PackOptions())
        let again = try RedactionJob.audit(inputs: [redacted], rules: defaults)
        #expect(again.findings.isEmpty, "\(again.counts.byRule)")
    }

    /// Every real recording: audit finds its emails and typed values; redact removes all of
    /// them, keeps every event, its structure, numbers and node ids, changes no other event,
    /// and writes a package whose checksums hold and whose report counts add up. (With the
    /// packs that rewrite values: selector rules remove elements and events on purpose, and
    /// `selectorRulesOnTheCorpus` checks them.)
    @Test(arguments: recordings)
    func redactsEveryRecording(_ name: String) throws {
        let defaults = valuePacks
        let input = fixtures + "/" + name
        let packed = temporaryPath("packed.zip"), redacted = temporaryPath("redacted.zip")
        defer { try? FileManager.default.removeItem(atPath: packed); try? FileManager.default.removeItem(atPath: redacted) }
        try PackageWriter(options: PackOptions()).write(inputs: [input], to: packed)
        let report = try RedactionJob.redact(inputs: [input], output: redacted, rules: defaults, pseudonymKey: nil, options: PackOptions()).report
        let before = try ReplayPackage.open(packed), after = try ReplayPackage.open(redacted)
        #expect(after.verifyChecksums().isEmpty)
        #expect(after.manifest.files.contains { $0.path == "redaction/report.json" })
        #expect(try RedactionReport.decode(after.files["redaction/report.json"]!) == report)

        // What a person can see: emails anywhere, typed values in Input events.
        var emails: Set<String> = [], typed = 0, changedEvents = 0
        #expect(before.manifest.recording.windows.map(\.eventCount) == after.manifest.recording.windows.map(\.eventCount))
        for (wb, wa) in zip(before.manifest.recording.windows, after.manifest.recording.windows) {
            let eb = try before.events(window: wb), ea = try after.events(window: wa)
            #expect(eb.count == ea.count)
            for e in eb {
                for m in try emailPattern.matches(in: e) { emails.insert(String(decoding: e[m.range], as: UTF8.self)) }
            }
            typed += try unmaskedTypedValues(eb).count
            for (x, y) in zip(eb, ea) where x != y {
                changedEvents += 1
                #expect(try canonical(skeleton(jsonObject(x))) == canonical(skeleton(jsonObject(y))), "structure changed in \(name)")
            }
            for e in ea {
                let left = try emailPattern.matches(in: e).map { String(decoding: e[$0.range], as: UTF8.self) }
                #expect(left.isEmpty, "\(name): emails left after redaction: \(left.count)")
            }
            #expect(try unmaskedTypedValues(ea).isEmpty, "\(name): typed values left after redaction")
        }
        #expect(changedEvents == report.eventsChanged)
        #expect(report.findings.total >= emails.count + typed, "\(name): \(report.findings.total) findings for \(emails.count) emails and \(typed) typed values")
        #expect(report.findings.byRule.values.reduce(0, +) == report.findings.total)
        #expect(report.findings.byChannel.values.reduce(0, +) == report.findings.total)
        #expect(report.findings.byCategory.values.reduce(0, +) == report.findings.total)
        #expect(report.findings.byAction.values.reduce(0, +) == report.findings.total)

        // audit agrees with redact, and its findings point at real strings.
        let audit = try RedactionJob.audit(inputs: [input], rules: defaults)
        #expect(audit.counts == report.findings)
        #expect(audit.findings.count == report.findings.total)
        if emails.count + typed > 0 { #expect(!audit.findings.isEmpty) }
    }

    @Test func aRecordingWithoutFindingsComesOutByteForByte() throws {
        let input = fixtures + "/rrweb/integration--record-integration-tests-can-record-clicks-1.json"
        let packed = temporaryPath("p.zip"), redacted = temporaryPath("r.zip")
        defer { try? FileManager.default.removeItem(atPath: packed); try? FileManager.default.removeItem(atPath: redacted) }
        try PackageWriter(options: PackOptions()).write(inputs: [input], to: packed)
        let report = try RedactionJob.redact(inputs: [input], output: redacted, rules: defaults, pseudonymKey: nil, options: PackOptions()).report
        #expect(report.findings.total == 0)
        let a = try ReplayPackage.open(packed), b = try ReplayPackage.open(redacted)
        for w in a.manifest.recording.windows { #expect(a.files[w.file] == b.files[w.file]) }
    }

    @Test func auditFindingsNameTheirPlaceAndNeverTheValue() throws {
        let input = fixtures + "/posthog/with-pageviews.json"
        let audit = try RedactionJob.audit(inputs: [input], rules: defaults)
        let packed = temporaryPath("p.zip")
        defer { try? FileManager.default.removeItem(atPath: packed) }
        try PackageWriter(options: PackOptions()).write(inputs: [input], to: packed)
        let pkg = try ReplayPackage.open(packed)
        var eventsByWindow: [String: [[UInt8]]] = [:]
        for w in pkg.manifest.recording.windows { eventsByWindow[w.id] = try pkg.events(window: w) }
        #expect(audit.findings.contains { $0.rule == "email" && $0.channel == .text })
        #expect(audit.findings.contains { $0.rule == "typed_input" && $0.channel == .input && $0.nodeId != nil })
        for f in audit.findings {
            let json = try #require(eventsByWindow[f.window]?[f.eventIndex])
            var reader = try EventReader(bytes: JSONBytes(json))
            let e = try #require(try reader.next())
            let v = try #require(e.value(at: JSONPointer(f.pointer)), "\(f.pointer) does not resolve")
            #expect(e.kind(v) == .string)
            #expect(e.member("timestamp", of: e.root).flatMap(e.double) == f.timestamp)
            let value = e.string(v)
            // The preview never holds the value or a 4-character piece of it.
            for piece in f.preview.split(whereSeparator: { $0 == "*" || $0 == " " || $0 == "@" || $0 == "." }) where piece.count >= 4 {
                #expect(!value.contains(piece), "preview \(f.preview) reveals part of the value")
            }
        }
    }

    @Test func notScannedContentIsReportedWithItsReason() throws {
        let images = fixtures + "/rrweb/integration--record-integration-tests-should-record-images-with-blob-url-1.json"
        let canvas = fixtures + "/rrweb/integration--record-integration-tests-should-record-canvas-mutations-1.json"
        for (path, kind) in [(images, UnscannedKind.images), (canvas, .canvas)] {
            let audit = try RedactionJob.audit(inputs: [path], rules: defaults)
            let entry = try #require(audit.notScanned.first { $0.kind == kind.rawValue }, "\(path): no \(kind) entry")
            #expect(entry.values > 0 && entry.bytes > 0)
            #expect(entry.reason == kind.reason)
        }
    }
}

extension RedactionReport {
    static func decode(_ bytes: [UInt8]) throws -> RedactionReport {
        try JSONDecoder().decode(RedactionReport.self, from: Data(bytes))
    }
}
