import Foundation

/// A residency and compliance policy (docs/POLICIES.md): plain data, read from YAML by
/// `PolicyLoader`, judged against a package's `PackageFacts` by `PolicyEvaluator`.
public struct Policy: Sendable {
    /// The policy's name (`policy:` in the file).
    public var name: String
    public var description: String
    /// The file it was read from, and the SHA-256 of its bytes (for reports and SARIF).
    public var file: String
    public var sha256: String
    /// What a requirement does when the fact it needs is unknown, unless it says otherwise.
    public var unknown: Outcome
    /// Region groups by name: the built-in ones, with the policy's own added or replacing them.
    public var regionGroups: [String: [String]]

    public var ingestHost: AllowList?
    public var storageRegion: AllowList?
    public var siteHosts: AllowList?
    public var assetHosts: AllowList?
    public var networkHosts: AllowList?
    public var rulesApplied: RulesRequirement?
    public var rescan: RescanRequirement?
    public var signature: SignatureRequirement?
    public var maxAge: AgeRequirement?
    public var exceptions: [PolicyException]

    /// What happens when a requirement is not met, or its fact is unknown.
    public enum Outcome: String, Sendable, CaseIterable {
        /// An error: verification fails.
        case fail
        /// A warning: fails only with `--fail-on-warn`.
        case warn
        /// A note: never fails.
        case pass
    }

    /// The requirement names, as in the file's `require:` mapping (and exceptions' `requirement`).
    public enum Requirement: String, Sendable, CaseIterable {
        case ingest_host, storage_region, site_hosts, asset_hosts, network_hosts, rules_applied, rescan, signature, max_age
    }

    /// An allow list: hosts (`eu.i.posthog.com`, `*.example.eu` for subdomains, `*` for any)
    /// or, for `storage_region`, regions, region globs (`eu-*`) and group names (`eea`).
    public struct AllowList: Sendable {
        public var allow: [String]
        public var violation: Outcome
        public var unknown: Outcome
    }

    public struct RulesRequirement: Sendable {
        /// Rule pack names (`pack:` of the file) that must have been applied.
        public var files: [String]
        public var categories: [String]
        /// Rule ids that must have been applied.
        public var rules: [String]
        /// For a rule id or a category: the actions its rules may have.
        public var actions: [String: [String]]
        public var violation: Outcome
        public var unknown: Outcome
    }

    public struct RescanRequirement: Sendable {
        /// At most this many residual findings in all.
        public var maxTotal: Int?
        /// By severity (`high`, `medium`, `low`), by category and by rule id.
        public var maxBySeverity: [String: Int]
        public var maxByCategory: [String: Int]
        public var maxByRule: [String: Int]
        public var violation: Outcome
        public var unknown: Outcome
    }

    public struct SignatureRequirement: Sendable {
        /// Key ids (`sha256:...`) one of which must have signed; empty: any trusted key.
        public var keyIds: [String]
        public var violation: Outcome
        public var unknown: Outcome
    }

    public struct AgeRequirement: Sendable {
        /// At most this old, in seconds, at the time of judgement.
        public var seconds: Double
        /// As written (`90d`).
        public var text: String
        public var violation: Outcome
        public var unknown: Outcome
    }
}

/// A known exception to one requirement: a reason, and an expiry after which it fails.
public struct PolicyException: Sendable {
    public var requirement: Policy.Requirement
    /// What it excuses: a host, region, rule id, category or pack name pattern (`*` glob); nil:
    /// every finding of the requirement.
    public var match: String?
    public var reason: String
    /// The end of the day it expires on (UTC), or the exact time given.
    public var expires: Date
    /// As written.
    public var expiresText: String
    /// The line of the exception in the policy file.
    public var line: Int?
}

/// A policy file that cannot be used: names the file and line.
public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { file + (line.map { ":\($0)" } ?? "") + ": " + message }
}
