import Foundation
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayRules

/// What `scrubjay audit` found in a recording.
public struct AuditResult: Codable, Sendable {
    public var inputs: [PackageManifest.FileEntry]
    public var rulePacks: [RedactionReport.RulePackSummary]
    public var events: Int
    public var strings: Int
    public var findings: [Finding]
    public var counts: FindingCounts
    public var notScanned: [RedactionReport.NotScanned]

    /// The most severe finding's severity, or nil when there is none.
    public var highestSeverity: Severity? { findings.map(\.severity).max() }

    /// The result as `JSONEncoder` writes it with `.sortedKeys, .prettyPrinted,
    /// .withoutEscapingSlashes` (what `audit --format json` prints), byte for byte. The
    /// findings are written by `Finding.prettyJSON` and the rest by `JSONEncoder`: it spends
    /// about ten microseconds a finding, and a recording can have tens of thousands.
    public func prettyJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var rest = self
        rest.findings = []
        let bytes = Array(try encoder.encode(rest))
        guard !findings.isEmpty else { return bytes }
        // The only place these bytes occur: inside a JSON string a quote is escaped.
        let empty: StaticString = "\"findings\" : [\n\n  ]"
        // JSONEncoder refuses a timestamp that is not finite: let it say so.
        guard let at = bytes.withUnsafeBytes({ firstOffset(of: empty, in: $0) }),
              findings.allSatisfy({ $0.timestamp?.isFinite ?? true }) else { return Array(try encoder.encode(self)) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + findings.count * 400)
        out += bytes[..<at]
        out += Array(#""findings" : ["#.utf8)
        for (k, f) in findings.enumerated() {
            out += k == 0 ? Array("\n    ".utf8) : Array(",\n    ".utf8)
            f.prettyJSON(indent: 4, into: &out)
        }
        out += Array("\n  ]".utf8)
        out += bytes[(at + empty.utf8CodeUnitCount)...]
        return out
    }
}

/// The `audit` and `redact` jobs over inputs `pack` reads (recordings or packages).
public enum RedactionJob {
    /// Every finding of `rules` in the recording at `inputs`, nothing rewritten. With several
    /// inputs, each finding names the one it came from (`Finding.input`, the path as given);
    /// event indices still run on across them, as in the package `pack` would write. With an
    /// echo rule, what the first pass learned is found again in a second (docs/RULES.md,
    /// "Echo rules").
    public static func audit(inputs paths: [String], rules: RuleSet) throws -> AuditResult {
        func pass(_ engine: RuleEngine) throws -> ([PackageManifest.FileEntry], Redactor) {
            var files: [PackageManifest.FileEntry] = []
            var redactor = Redactor(engine: engine, mode: .audit, pseudonymKey: [], collectFindings: true)
            var perWindow: [String: Int] = [:]
            for path in paths {
                // One reader a file, so that the findings of each can be told apart.
                var reader = RecordingInputs(paths: [path])
                let first = redactor.findings.count
                try reader.forEachEvent { event, scanned in
                    let window = event.windowId ?? ""
                    let index = perWindow[window, default: 0]
                    perWindow[window] = index + 1
                    _ = try redactor.process(json: event.json, scanned: scanned, window: window, index: index)
                }
                files += reader.files
                if paths.count > 1 {
                    for k in first..<redactor.findings.count { redactor.findings[k].input = path }
                }
            }
            return (files, redactor)
        }
        let ((files, redactor), _) = try passes(rules.engine, pass, redactor: \.1)
        let t = redactor.tally
        return AuditResult(
            inputs: files,
            rulePacks: rules.packs.map(RedactionReport.RulePackSummary.init),
            events: t.events, strings: t.strings, findings: redactor.findings, counts: t.findings,
            notScanned: RedactionReport.NotScanned.list(t.unscanned))
    }

    /// Runs `pass` over the inputs with `engine` and, when that pass learned values for an echo
    /// rule, once more from the start with the echo rules armed (docs/RULES.md, "Echo rules"),
    /// the first pass's result (its output, its page mirrors) released before the second
    /// starts. Whenever something was learned: the rules read values decoded (escapes,
    /// percent-encoding, base64 data URLs), so no test of the first pass's output bytes can
    /// tell that no echo is left, and the input still holds the values where they were learned.
    /// Returns the last pass's result, and what the report says of echoes (nil without an echo
    /// rule).
    static func passes<R>(_ engine: RuleEngine, _ pass: (RuleEngine) throws -> R,
                          redactor: (R) -> Redactor) throws -> (R, RedactionReport.Echoes?) {
        var result: R? = try pass(engine)
        let learned = redactor(result!).echoValuesLearned
        guard let armed = redactor(result!).echoEngine else {
            return (result!, engine.rules.contains { $0.kind == .echo } ? .init(valuesLearned: learned, secondPass: false) : nil)
        }
        result = nil
        return (try pass(armed), .init(valuesLearned: learned, secondPass: true))
    }

    /// A fresh random key for the `hash` action, for one run; never written anywhere.
    public static func randomPseudonymKey() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// What `redact` wrote.
    public struct Redacted {
        public var manifest: PackageManifest
        public var report: RedactionReport
        /// The signed statement (`redaction/statement.dsse.json`), when a signing key was given.
        public var statement: DSSEEnvelope?
    }

    /// Files rendered from the report into the package beside `redaction/report.json` (path
    /// under `redaction/`, bytes), given the manifest as it stands without them: `redact`
    /// adds `redaction/report.md` this way (ScrubjayReport renders it).
    public typealias Summaries = (_ manifest: PackageManifest, _ report: RedactionReport) throws -> [(path: String, data: [UInt8])]

    /// Redacts the recording at `inputs` into a package at `output` (written atomically, with
    /// `redaction/report.json` and any `summaries` listed in its manifest). `pseudonymKey` nil:
    /// a random key. With `signingKey`, the package also holds `redaction/statement.dsse.json`:
    /// an in-toto statement (`RedactionPredicate`) over every other file, signed in a DSSE envelope.
    @discardableResult
    public static func redact(inputs paths: [String], output: String, rules: RuleSet, pseudonymKey: [UInt8]?,
                              signingKey: PrivateKey? = nil, options: PackOptions,
                              summaries: Summaries = { _, _ in [] }) throws -> Redacted {
        let key = pseudonymKey ?? randomPseudonymKey()
        func pass(_ engine: RuleEngine) throws -> (PackageWriter.Built, Redactor, FindingPlaces) {
            var redactor = Redactor(engine: engine, mode: .redact, pseudonymKey: key, collectFindings: signingKey != nil)
            var places = FindingPlaces(engine: engine)
            let built = try PackageWriter(options: options).build(inputs: paths, transform: { event, scanned, index in
                let window = event.windowId ?? "", before = redactor.findingMark
                places.beforeRedaction(event.json, window: window, index: index)
                switch try redactor.process(json: event.json, scanned: scanned, window: window, index: index) {
                case .unchanged: break
                case .rewritten(let json): event.json = json
                case .dropped: event.isDropped = true // its findings still count for its page and time
                }
                places.afterRedaction(event.json, window: window, type: redactor.lastType, timestamp: redactor.lastTimestamp, before: before, after: redactor.findingMark)
            })
            return (built, redactor, places)
        }
        let ((built, redactor, places), echoes) = try passes(rules.engine, pass, redactor: \.1)
        var manifest: PackageManifest = built.manifest
        var entries: [ArchiveEntry] = built.entries
        var report = RedactionReport(
            tally: redactor.tally, packs: rules.packs, inputs: manifest.provenance.inputs,
            pseudonymKey: pseudonymKey == nil ? "random" : "file", tool: manifest.provenance.tool,
            createdAt: manifest.provenance.createdAt)
        report.timeline = places.timeline(first: manifest.recording.firstTimestamp, last: manifest.recording.lastTimestamp)
        report.pages = places.pages
        report.snapshots = places.snapshots
        report.echoes = echoes
        func add(_ path: String, _ data: [UInt8]) {
            entries.append(ArchiveEntry(path: path, data: data))
            manifest.files.append(.init(path: path, sha256: Hex.encode(Digest.sha256(data)), size: data.count))
        }
        add("redaction/report.json", try report.encoded())
        for (path, data) in try summaries(manifest, report) { add(path, data) }
        manifest.files.sort { $0.path < $1.path }
        entries[0] = ArchiveEntry(path: "manifest.json", data: try PackageManifest.encode(manifest))

        var envelope: DSSEEnvelope?
        if let signingKey {
            let predicate = RedactionPredicate(
                manifest: manifest, entries: entries, inputPackages: built.inputPackages, packs: rules.packs,
                pseudonymKey: key, keyFromFile: pseudonymKey != nil, tally: redactor.tally, findings: redactor.findings)
            let statement = InTotoStatement(subject: PackageStatement.subjects(of: entries),
                                            predicateType: RedactionPredicate.type, predicate: predicate)
            var signed = DSSEEnvelope(payload: try RedactionPredicate.encodedStatement(statement), payloadType: InTotoStatement<RedactionPredicate>.payloadType)
            try signed.sign(with: signingKey)
            entries.append(ArchiveEntry(path: PackageStatement.path, data: try signed.encoded()))
            envelope = signed
        }
        try Archive.write(entries, format: .zip, to: output)
        return Redacted(manifest: manifest, report: report, statement: envelope)
    }
}
