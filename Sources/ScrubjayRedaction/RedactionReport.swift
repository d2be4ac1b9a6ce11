import Foundation
import ScrubjayPackage
import ScrubjayRules

/// `redaction/report.json` inside a redacted package (docs/FORMAT.md, "The redaction
/// report"): what was scanned with which rules, counts of what was found and done, and what
/// was not scanned and why. Counts only: no value, no unkeyed hash of one.
public struct RedactionReport: Codable, Sendable, Equatable {
    public static let currentVersion = "1.4"

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
    /// Findings over the recording's time (added in 1.2; nil in older reports).
    public var timeline: Timeline?
    /// The pages findings were on, in order of first finding (added in 1.2).
    public var pages: [Page]?
    /// Each window's first full snapshot and the nodes redaction rewrote in it, so a report
    /// can outline them in a preview of the page (added in 1.2).
    public var snapshots: [SnapshotChanges]?
    /// With an echo rule (added in 1.4; nil without one): how many values the first pass
    /// learned and whether the output needed a second pass (docs/RULES.md, "Echo rules").
    /// A count only: the values are never written.
    public var echoes: Echoes?

    public struct Echoes: Codable, Sendable, Equatable {
        public var valuesLearned: Int
        public var secondPass: Bool
    }

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

    /// Findings counted in time buckets of one width, from the recording's first timestamp.
    public struct Timeline: Codable, Sendable, Equatable {
        /// The start of the first bucket: the recording's first timestamp (ms since the epoch).
        public var startTimestamp: Double
        /// The width of every bucket in ms: a round step (1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 min, ...)
        /// giving at most `maximumBuckets` buckets.
        public var bucketMs: Double
        /// Every bucket up to the recording's last timestamp, empty ones included.
        public var buckets: [Bucket]
        /// Findings in events without a timestamp (in no bucket).
        public var untimed: Int

        public static let maximumBuckets = 60

        public struct Bucket: Codable, Sendable, Equatable {
            /// The bucket's start, in ms after `startTimestamp`.
            public var offsetMs: Double
            public var findings: Int
            public var byCategory: [String: Int]
        }

        /// The smallest round width that cuts `duration` ms into at most `maximumBuckets` buckets.
        public static func bucketWidth(forDuration duration: Double) -> Double {
            let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
            for s in steps where duration <= s * 1000 * Double(maximumBuckets) { return s * 1000 }
            return (duration / Double(maximumBuckets) / 86_400_000).rounded(.up) * 86_400_000
        }
    }

    /// A page of one window and the findings made while the window was on it.
    public struct Page: Codable, Sendable, Equatable {
        /// The page URL as redacted, with every query and fragment parameter value masked
        /// (`PageURL.masked`); nil for findings before the window's first page URL.
        public var url: String?
        public var window: String
        public var findings: Int
        public var byCategory: [String: Int]
    }

    /// The first full snapshot of a window and what redaction changed in it.
    public struct SnapshotChanges: Codable, Sendable, Equatable {
        public var window: String
        /// 0-based line of the window's events file.
        public var eventIndex: Int
        public var timestamp: Double?
        public var findings: Int
        /// The ids of the nodes (elements and text nodes) with a rewritten string, sorted.
        public var nodeIds: [Int]
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
