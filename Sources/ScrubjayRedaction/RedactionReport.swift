import Foundation
import ScrubjayPackage
import ScrubjayRules

/// `redaction/report.json` inside a redacted package (docs/FORMAT.md, "The redaction
/// report"): what was scanned with which rules, counts of what was found and done, and what
/// was not scanned and why. Counts only: no value, no unkeyed hash of one.
public struct RedactionReport: Codable, Sendable, Equatable {
    public static let currentVersion = "1.1"

    public var reportVersion = RedactionReport.currentVersion
    public var tool: PackageManifest.Tool
    public var createdAt: String
    /// The files redacted (name, SHA-256, size).
    public var inputs: [PackageManifest.FileEntry]
    public var rulePacks: [RulePackSummary]
    /// Where the `hash` action's key came from: `file` (`--pseudonym-key-file`) or `random`
    /// (a fresh key for this run, never written: pseudonyms cannot be linked across runs).
    public var pseudonymKey: String
    public var events: Int
    public var eventsChanged: Int
    public var strings: Int
    public var stringsChanged: Int
    public var findings: FindingCounts
    public var prefilter: PrefilterSummary
    public var notScanned: [NotScanned]

    public struct RulePackSummary: Codable, Sendable, Equatable {
        public var name: String
        /// The file read, or `builtin:<name>.yml` for a pack compiled into the binary.
        public var file: String
        public var sha256: String
        public var rules: Int
        /// Each rule: id, category, severity, action (nil in reports written before 1.1).
        public var ruleList: [RedactionPredicate.RuleSummary]?

        public init(_ pack: RulePack) {
            name = pack.name
            file = pack.file
            sha256 = pack.sha256
            rules = pack.rules.count
            ruleList = pack.rules.map(RedactionPredicate.RuleSummary.init)
        }
    }

    public struct PrefilterSummary: Codable, Sendable, Equatable {
        public var strings: Int
        /// Strings for which no pattern ran: the prefilters ruled out every rule.
        public var stringsSkipped: Int
        public var patternRuns: Int
        public var patternRunsSkipped: Int
    }

    public struct NotScanned: Codable, Sendable, Equatable {
        public var kind: String
        public var values: Int
        public var bytes: Int
        public var reason: String
    }

    public init(tally: Redactor.Tally, packs: [RulePack], inputs: [PackageManifest.FileEntry],
                pseudonymKey: String, tool: PackageManifest.Tool, createdAt: String) {
        self.tool = tool
        self.createdAt = createdAt
        self.inputs = inputs
        self.rulePacks = packs.map(RulePackSummary.init)
        self.pseudonymKey = pseudonymKey
        events = tally.events
        eventsChanged = tally.eventsChanged
        strings = tally.strings
        stringsChanged = tally.stringsChanged
        findings = tally.findings
        prefilter = PrefilterSummary(strings: tally.prefilter.strings, stringsSkipped: tally.prefilter.stringsSkipped,
                                     patternRuns: tally.prefilter.patternRuns, patternRunsSkipped: tally.prefilter.skippedByPrefilter)
        notScanned = NotScanned.list(tally.unscanned)
    }

    /// The report as JSON: keys sorted, two-space indentation, deterministic.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}

extension RedactionReport.NotScanned {
    static func list(_ unscanned: UnscannedCounts) -> [RedactionReport.NotScanned] {
        unscanned.kinds.map { k in
            RedactionReport.NotScanned(kind: k.rawValue, values: unscanned[k]!.values, bytes: unscanned[k]!.bytes, reason: k.reason)
        }
    }
}
