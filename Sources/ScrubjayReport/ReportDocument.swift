import Foundation
import ScrubjayPackage
import ScrubjayRedaction
import ScrubjayVerify

/// The report `scrubjay report --format json` writes, and what the HTML and Markdown
/// templates are rendered from (docs/REPORTS.md; schema docs/schemas/report.schema.json).
///
/// Never a recorded value: digests, names of rules and categories, counts, masked page URLs
/// (`PageURL`), hosts, key ids and the findings of the verifier (which carry none either).
public struct ReportDocument: Codable, Sendable, Equatable {
    /// "MAJOR.MINOR"; a minor version only adds optional fields.
    public var reportVersion = ReportDocument.currentVersion
    public static let currentVersion = "1.0"
    /// Always "scrubjay-report".
    public var kind = "scrubjay-report"

    /// The tool that wrote this report.
    public var generator: Tool
    /// When this report was written (RFC 3339 UTC; SOURCE_DATE_EPOCH when set).
    public var generatedAt: String

    public var package: Package
    /// The files the package was made from: name, SHA-256, size.
    public var inputs: [PackageManifest.FileEntry]
    /// Whether the package was redacted (it holds `redaction/report.json`).
    public var redacted: Bool
    /// What `redact` did; nil for a package that was only packed.
    public var redaction: Redaction?
    public var rulePacks: [RulePack]
    /// Counts of findings; all zero for a package that was not redacted.
    public var counts: Counts
    public var timeline: Timeline?
    public var pages: [Page]
    public var notScanned: [RedactionReport.NotScanned]
    public var signatures: Signatures
    /// The verifier's checks, when the package was verified (`scrubjay report`; not the
    /// report inside a package, which is written before the package exists).
    public var verification: Verification?
    public var residency: Residency
    public var policies: [PolicyResult]
    public var coverage: Coverage
    /// For each window: its first full snapshot as the report shows it.
    public var previews: [Preview]

    /// A program and its version.
    public struct Tool: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
    }

    public struct Package: Codable, Sendable, Equatable {
        /// The package file's base name; nil inside the package itself.
        public var file: String?
        /// SHA-256 and size of the package file (the output digest); nil inside the package.
        public var sha256: String?
        public var size: Int?
        /// SHA-256 of `manifest.json`; nil inside the package.
        public var manifestSHA256: String?
        public var formatVersion: String
        public var recordingId: String
        public var sourceSystem: String
        public var fidelity: String
        /// Who made the package, and when (the manifest's `provenance`).
        public var tool: Tool
        public var createdAt: String
        public var eventCount: Int
        public var firstTimestamp: Double?
        public var lastTimestamp: Double?
        public var durationMs: Double?
        public var windows: [Window]
        /// The package's files (events, assets, reports) with SHA-256 and size.
        public var files: [PackageManifest.FileEntry]
    }

    public struct Window: Codable, Sendable, Equatable {
        public var id: String
        public var file: String
        public var eventCount: Int
    }

    public struct Redaction: Codable, Sendable, Equatable {
        public var reportVersion: String
        public var tool: Tool
        public var createdAt: String
        /// `file` or `random` (never the key).
        public var pseudonymKey: String
        public var events: Int
        public var eventsChanged: Int
        public var strings: Int
        public var stringsChanged: Int
    }

    public struct RulePack: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var sha256: String
        public var rules: Int
    }

    /// A name and how many findings it has, with its share of the total (0 to 100).
    public struct Count: Codable, Sendable, Equatable {
        public var name: String
        public var count: Int
        public var percent: Double
    }

    public struct RuleCount: Codable, Sendable, Equatable {
        public var rule: String
        /// Nil when the report does not list the rule (written before report 1.1).
        public var category: String?
        public var severity: String?
        public var action: String?
        public var count: Int
        public var percent: Double
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var total: Int
        /// Findings from a pattern that hit a PCRE2 limit (the whole value was masked).
        public var limits: Int
        /// Each list sorted by count, largest first, then by name.
        public var byCategory: [Count]
        public var byRule: [RuleCount]
        public var byChannel: [Count]
        public var byAction: [Count]
        public var bySeverity: [Count]
    }

    public struct Timeline: Codable, Sendable, Equatable {
        public var startTimestamp: Double
        public var bucketMs: Double
        public var untimed: Int
        public var buckets: [Bucket]

        public struct Bucket: Codable, Sendable, Equatable {
            public var offsetMs: Double
            public var findings: Int
            public var byCategory: [Count]
        }
    }

    public struct Page: Codable, Sendable, Equatable {
        /// Masked (`PageURL.masked`); nil for findings before the window's first page URL.
        public var url: String?
        public var window: String
        public var findings: Int
        public var byCategory: [Count]
    }

    public struct Signatures: Codable, Sendable, Equatable {
        /// Whether the package holds a signed statement.
        public var signed: Bool
        public var signers: [Signer]
    }

    public struct Signer: Codable, Sendable, Equatable {
        /// `sha256:` + hex SHA-256 of the DER public key.
        public var keyid: String
        /// Nil when not checked against trusted keys.
        public var valid: Bool?
        /// The trusted key's name when it verified with one.
        public var trustedAs: String?
        /// Valid with a trusted key valid now and at signing time.
        public var accepted: Bool?
    }

    public struct Verification: Codable, Sendable, Equatable {
        /// `pass`, `warn` or `fail`.
        public var verdict: String
        public var checks: [Check]
    }

    public struct Check: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        /// `pass`, `fail`, `warn` or `skip`.
        public var status: String
        public var detail: String
        public var findings: [Finding]
    }

    /// A verifier or policy finding (never a recorded value).
    public struct Finding: Codable, Sendable, Equatable {
        public var code: String
        /// `error`, `warning` or `note`.
        public var severity: String
        public var path: String?
        public var line: Int?
        public var message: String
        public var expected: String?
        public var actual: String?
    }

    public struct Residency: Codable, Sendable, Equatable {
        /// `pass`, `warn` or `fail` from the policies' residency requirements (ingest host,
        /// storage region, site, asset and network hosts), or `notJudged` when no policy given
        /// has one.
        public var verdict: String
        public var ingestHost: String?
        public var storageEndpoint: String?
        public var storageRegion: String?
        /// `given`, `storageEndpoint` or `ingestHost`.
        public var storageRegionSource: String?
        public var storageRegionGroups: [String]
        /// Nil when the facts were not gathered (inside the package).
        public var siteHosts: [String]?
        public var assetHosts: [String]?
        public var networkHosts: [String]?
        /// The residency findings of every policy (exceptions applied turn findings into notes).
        public var findings: [Finding]
    }

    public struct PolicyResult: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        public var file: String
        public var sha256: String
        /// `pass`, `warn` or `fail`.
        public var verdict: String
        public var findings: [Finding]
        public var exceptions: [Exception]
    }

    public struct Exception: Codable, Sendable, Equatable {
        public var requirement: String
        public var match: String?
        public var reason: String
        public var expires: String
        /// `active` or `expired` at the time of the report.
        public var state: String
        /// Findings it turned into notes.
        public var applied: Int
    }

    public struct Coverage: Codable, Sendable, Equatable {
        public var hipaaSafeHarbor: [CoverageItem]
        public var pciDSS: [CoverageItem]
    }

    public struct CoverageItem: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var rules: [String]
        /// The rules among `rules` that were applied (with an allowed action).
        public var applied: [String]
        public var status: ComplianceCoverage.Status
        public var note: String?
    }

    public struct Preview: Codable, Sendable, Equatable {
        public var window: String
        /// The snapshot's line in the window's events file (0-based), when there is one.
        public var eventIndex: Int?
        public var timestamp: Double?
        /// Whether a static page could be rebuilt (a DOM snapshot).
        public var available: Bool
        /// Why not, when it could not.
        public var reason: String?
        /// Elements in the rebuilt page, and those outlined because redaction changed them.
        public var elements: Int
        public var outlined: Int
        /// Elements, attributes and CSS the preview left out (scripts, event handlers,
        /// external resources), by what was removed.
        public var removed: [Count]
    }

    /// The report as JSON: keys sorted, two-space indentation, deterministic.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}
