import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayRules

/// The predicate of the in-toto statement `redact --sign-key` writes (docs/MANIFEST.md): what
/// was redacted, from which original, with which rules, and where each finding was.
///
/// Never a redacted value, a masked preview or an unkeyed hash of one: only locations, rule
/// ids, actions, counts, and for `hash` the keyed pseudonym already in the recording.
public struct RedactionPredicate: Codable, Sendable, Equatable {
    /// The predicate type URI. Its last segment is the major version: a change that could
    /// make an existing reader misread a field gets a new URI; new fields do not.
    public static let type = "https://scrubjay.dev/attestations/redaction/v1"

    public var tool: PackageManifest.Tool
    /// When the package was made: RFC 3339 UTC, from SOURCE_DATE_EPOCH when set. Only what
    /// the signer claims: there is no trusted timestamp.
    public var createdAt: String
    public var inputs: [Input]
    public var ruleFiles: [RuleFile]
    public var pseudonymKey: PseudonymKey
    public var counts: FindingCounts
    /// Every finding, in the order of the events files.
    public var findings: [Record]
    /// Files of an input package that the redacted package does not carry.
    public var removedFiles: [RemovedFile]
    public var notScanned: [RedactionReport.NotScanned]

    /// An input file: a recording, or a package (with its manifest's digest and, when it was
    /// itself signed, the digest of its statement: the chain of custody).
    public struct Input: Codable, Sendable, Equatable {
        public var name: String
        public var digest: [String: String]
        public var size: Int
        /// `recording` or `package`.
        public var kind: String
        public var manifestDigest: [String: String]?
        public var previousStatementDigest: [String: String]?
    }

    public struct RuleFile: Codable, Sendable, Equatable {
        public var name: String
        /// The file read, or `builtin:<name>.yml` for a pack compiled into the binary.
        public var file: String
        public var digest: [String: String]
        public var rules: Int
        /// Each rule of the pack: id, category, severity and action (added in 1.1 of this
        /// predicate's fields; nil in statements written before). Policies judge these.
        public var ruleList: [RuleSummary]?
    }

    /// One rule that was applied: what a policy's `rules_applied` judges (docs/POLICIES.md).
    public struct RuleSummary: Codable, Sendable, Equatable {
        public var id: String
        public var category: RuleCategory
        public var severity: Severity
        public var action: RuleAction

        public init(_ rule: Rule) {
            id = rule.id
            category = rule.category
            severity = rule.severity
            action = rule.action
        }
    }

    public struct PseudonymKey: Codable, Sendable, Equatable {
        /// `file` (`--pseudonym-key-file`) or `random` (a key for this run only, never written).
        public var source: String
        /// For a key file: the first 16 hex digits of HMAC-SHA256(key, "scrubjay pseudonym key
        /// id"), so two statements can be seen to share a key without revealing it.
        public var fingerprint: String?
    }

    /// Where one finding was and what was done to it.
    public struct Record: Codable, Sendable, Equatable {
        public var rule: String
        /// `match`, or `rule.limit` (a PCRE2 limit was hit; the whole value was masked).
        public var kind: String
        public var category: RuleCategory
        public var severity: Severity
        public var channel: Channel
        public var action: RuleAction
        /// The events file inside the package.
        public var file: String
        public var window: String
        /// 0-based line of `file`.
        public var eventIndex: Int
        public var pointer: String
        public var nodeId: Int?
        public var timestamp: Double?
        /// For `hash`: the keyed pseudonym written in place of the value.
        public var pseudonym: String?
    }

    public struct RemovedFile: Codable, Sendable, Equatable {
        /// The input package it was in.
        public var input: String
        public var name: String
        public var digest: [String: String]
        public var size: Int
    }

    /// The fingerprint of a pseudonym key (see `PseudonymKey.fingerprint`).
    public static func fingerprint(ofPseudonymKey key: [UInt8]) -> String {
        String(Hex.encode(Digest.hmacSHA256(key: key, message: Array("scrubjay pseudonym key id".utf8))).prefix(16))
    }
}

extension RedactionPredicate {
    /// The predicate for a package just built by `redact`.
    init(manifest: PackageManifest, entries: [ArchiveEntry], inputPackages: [RecordingInputs.InputPackage],
         packs: [RulePack], pseudonymKey: [UInt8], keyFromFile: Bool, tally: Redactor.Tally, findings: [Finding]) {
        tool = manifest.provenance.tool
        createdAt = manifest.provenance.createdAt
        inputs = manifest.provenance.inputs.map { file in
            let package = inputPackages.first { $0.name == file.path }
            return Input(
                name: file.path, digest: ["sha256": file.sha256], size: file.size, kind: package == nil ? "recording" : "package",
                manifestDigest: package.map { ["sha256": $0.manifestSHA256] },
                previousStatementDigest: package?.sha256(of: PackageStatement.path).map { ["sha256": $0] })
        }
        ruleFiles = packs.map { RuleFile(name: $0.name, file: $0.file, digest: ["sha256": $0.sha256], rules: $0.rules.count,
                                       ruleList: $0.rules.map(RuleSummary.init)) }
        self.pseudonymKey = PseudonymKey(source: keyFromFile ? "file" : "random",
                                         fingerprint: keyFromFile ? Self.fingerprint(ofPseudonymKey: pseudonymKey) : nil)
        counts = tally.findings
        let fileOfWindow = Dictionary(manifest.recording.windows.map { ($0.id, $0.file) }, uniquingKeysWith: { a, _ in a })
        self.findings = findings.map { f in
            Record(rule: f.rule, kind: f.kind, category: f.category, severity: f.severity, channel: f.channel, action: f.action,
                   file: fileOfWindow[f.window] ?? "", window: f.window, eventIndex: f.eventIndex, pointer: f.pointer,
                   nodeId: f.nodeId, timestamp: f.timestamp, pseudonym: f.pseudonym)
        }
        // An input's own statement is replaced by this one (its digest is `previousStatementDigest`).
        let kept = Set(entries.map(\.path)).union([PackageStatement.path])
        removedFiles = inputPackages.flatMap { package in
            package.files.filter { !kept.contains($0.path) }.map {
                RemovedFile(input: package.name, name: $0.path, digest: ["sha256": $0.sha256], size: $0.size)
            }
        }
        notScanned = RedactionReport.NotScanned.list(tally.unscanned)
    }
}

extension RedactionPredicate {
    /// The bytes of `statement`, the same as `InTotoStatement.encoded()` writes (keys sorted,
    /// slashes not escaped), with the findings list written here rather than by JSONEncoder,
    /// which spends about ten microseconds a finding: a recording has tens of thousands.
    /// `RedactionStatementTests` checks the two agree byte for byte.
    static func encodedStatement(_ statement: InTotoStatement<RedactionPredicate>) throws -> [UInt8] {
        var rest = statement
        rest.predicate.findings = []
        let bytes = try rest.encoded()
        // The only place these bytes occur: inside a JSON string a quote is escaped.
        let empty: StaticString = #""findings":[]"#
        // JSONEncoder refuses a timestamp that is not finite: let it say so.
        guard let at = bytes.withUnsafeBytes({ firstOffset(of: empty, in: $0) }),
              statement.predicate.findings.allSatisfy({ $0.timestamp?.isFinite ?? true }) else { return try statement.encoded() }
        let closing = at + empty.utf8CodeUnitCount - 1 // the list's closing bracket
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + statement.predicate.findings.count * 200)
        out += bytes[..<closing]
        for (k, record) in statement.predicate.findings.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            record.encode(into: &out)
        }
        out += bytes[closing...]
        return out
    }
}

extension RedactionPredicate.Record {
    /// The record as JSONEncoder writes it with sorted keys (`FindingJSON`, compact).
    func encode(into out: inout [UInt8]) {
        FindingJSON.write(action: action, category: category, channel: channel, eventIndex: eventIndex, file: file, input: nil, kind: kind,
                          nodeId: nodeId, pointer: pointer, preview: nil, pseudonym: pseudonym, rule: rule, severity: severity,
                          timestamp: timestamp, window: window, memberIndent: nil, into: &out)
    }
}
