import Foundation
import ScrubjayRedaction

/// What a policy is judged on (docs/POLICIES.md, "Facts"): `scrubjay facts PACKAGE` prints
/// this as JSON, so a team can feed the same facts to conftest/OPA.
///
/// Never a recorded value: hosts, regions, rule ids, counts and key ids only.
public struct PackageFacts: Codable, Sendable, Equatable {
    /// "MAJOR.MINOR" of this document; a minor version only adds fields.
    public var factsVersion = PackageFacts.currentVersion
    public static let currentVersion = "1.0"

    /// The package file as given.
    public var package: String
    /// SHA-256 of `manifest.json`, or nil when the package has no readable manifest.
    public var manifestSHA256: String?
    public var recording: Recording?

    /// Where the recording was sent (`--ingest-host` when packed), or nil when unknown.
    public var ingestHost: String?
    public var storageEndpoint: String?
    /// The storage region: given (`--storage-region`), or derived from the storage endpoint or a
    /// known ingest host; nil when unknown. `storageRegionSource` says which.
    public var storageRegion: String?
    /// `given`, `storageEndpoint` or `ingestHost`; nil when the region is unknown.
    public var storageRegionSource: String?
    /// The built-in region groups (`eea`, `us`, `uk`, `ch`) the storage region belongs to.
    public var storageRegionGroups: [String] = []

    /// Hosts of the recorded pages (Meta events and page views): where the site is served from.
    public var siteHosts: [String]
    /// Hosts the replay loads from: images, media, stylesheets, fonts, `url()` in CSS, assets.
    /// Nil when the events could not be read.
    public var assetHosts: [String]?
    /// Hosts of network requests the recording logged (rrweb network plugin).
    public var networkHosts: [String]?

    /// Why the events could not be read for hosts and the rescan, when they could not.
    public var eventsUnreadable: String?

    /// Whether the package carries a signed redaction statement.
    public var signed: Bool
    /// Key ids whose signature verified with a trusted key valid now and at signing time; nil
    /// when signatures were not checked (no trusted key given).
    public var trustedSigners: [String]?
    /// The creation time (RFC 3339): the signed statement's claim, else the manifest's.
    public var createdAt: String?
    /// `statement` or `manifest`.
    public var createdAtSource: String?
    /// Seconds between `createdAt` and the time of judgement.
    public var ageSeconds: Double?

    /// The rules that were applied, or nil when the package was never redacted (or the
    /// statement and report do not say).
    public var rules: AppliedRules?
    /// Findings that remain when the package's events are scanned again (`--rescan`), or nil
    /// when no rescan was run.
    public var rescan: Rescan?

    public struct Recording: Codable, Sendable, Equatable {
        public var id: String
        public var sourceSystem: String
        public var recorder: String?
        public var eventCount: Int
        public var firstTimestamp: Double?
        public var lastTimestamp: Double?
        public var fidelity: String
    }

    public struct AppliedRules: Codable, Sendable, Equatable {
        /// `statement` (signed) or `report` (`redaction/report.json`, unsigned).
        public var source: String
        public var files: [RuleFile]
        /// Every category some applied rule belongs to, sorted.
        public var categories: [String]
        /// Every applied rule, sorted by id. Empty when the source predates rule lists.
        public var rules: [RedactionPredicate.RuleSummary]
        /// Rewrites done, by action (from the counts).
        public var findingsByAction: [String: Int]
    }

    public struct RuleFile: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var sha256: String?
        public var rules: Int
    }

    public struct Rescan: Codable, Sendable, Equatable {
        /// The packs the rescan used (name and SHA-256).
        public var rulePacks: [RuleFile]
        public var events: Int
        public var findings: FindingCounts
        /// Where each residual finding is (no values), at most `Rescan.maxLocations`.
        public var locations: [Location]
        /// Whether `locations` was cut short.
        public var truncated: Bool

        public static let maxLocations = 1000

        public struct Location: Codable, Sendable, Equatable {
            public var rule: String
            public var category: String
            public var severity: String
            public var channel: String
            /// The events file inside the package and the 1-based line of the event.
            public var file: String
            public var line: Int
            public var pointer: String
            public var nodeId: Int?
        }
    }
}
