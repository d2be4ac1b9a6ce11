import Foundation
import ScrubjayPolicy

/// How much a verification finding weighs: `error` fails verification, `warning` fails it only
/// with `--fail-on-warn`, `note` never does.
public enum FindingSeverity: String, Codable, Sendable, Comparable, CaseIterable {
    case note, warning, error

    public static func < (a: FindingSeverity, b: FindingSeverity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One thing `verify` found wrong (or worth saying), with a stable dotted code
/// (docs/VERIFY.md lists them all).
public struct VerificationFinding: Codable, Sendable, Equatable {
    public var code: String
    public var severity: FindingSeverity
    /// The check that found it (`archive`, `manifest`, `signature`, ...).
    public var check: String
    /// The file inside the package it is about, or nil for the package as a whole.
    public var path: String?
    /// The 1-based line of `path` (an event of an events file), when it is about one.
    public var line: Int?
    public var message: String
    public var expected: String?
    public var actual: String?

    public init(code: String, severity: FindingSeverity, check: String, path: String? = nil, line: Int? = nil, message: String,
                expected: String? = nil, actual: String? = nil) {
        self.code = code
        self.severity = severity
        self.check = check
        self.path = path
        self.line = line
        self.message = message
        self.expected = expected
        self.actual = actual
    }
}

/// One check of the verifier checklist and how it ended.
public struct CheckResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Nothing wrong.
        case pass
        /// At least one `error` finding.
        case fail
        /// Warnings only.
        case warn
        /// Not run: an earlier check failed in a way that makes it meaningless, or it was not asked for.
        case skip
    }

    public var id: String
    public var title: String
    public var status: Status
    /// Why it was skipped, or what it established when it passed.
    public var detail: String
    public var findings: [VerificationFinding]
}

/// What `scrubjay verify` concluded about one package.
public struct VerificationResult: Codable, Sendable, Equatable {
    public var package: String
    public var checks: [CheckResult]
    /// Every signature on the statement: key id, the trusted key it verified with (its name),
    /// and whether it verified.
    public var signatures: [SignatureResult]
    /// The policies judged (`--policy`), with their files' digests.
    public var policies: [PolicyReference] = []
    /// The facts the policies were judged on, when gathered (`--policy`, `--rescan`).
    public var facts: PackageFacts?

    public init(package: String, checks: [CheckResult], signatures: [SignatureResult]) {
        self.package = package
        self.checks = checks
        self.signatures = signatures
    }

    public struct SignatureResult: Codable, Sendable, Equatable {
        /// The id of the key a valid signature verified with; for any other, the keyid the
        /// envelope claims (only a hint).
        public var keyid: String
        /// The name of the trusted key the signature verified with, or nil.
        public var trustedAs: String?
        public var valid: Bool
        /// Valid, and the key was not revoked, expired or not yet valid: the signature counts.
        public var accepted: Bool
    }

    public struct PolicyReference: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var sha256: String
        /// The id of its check (`policy.<name>`).
        public var check: String
    }

    public var findings: [VerificationFinding] { checks.flatMap(\.findings) }

    /// `fail` when any finding is an error, `warn` when any is a warning, else `pass`.
    public var verdict: CheckResult.Status {
        let worst = findings.map(\.severity).max()
        switch worst {
        case .error: return .fail
        case .warning: return .warn
        default: return .pass
        }
    }

    /// Whether the package fails: an error, or with `failOnWarn` a warning.
    public func fails(failOnWarn: Bool) -> Bool {
        verdict == .fail || (failOnWarn && verdict == .warn)
    }
}
