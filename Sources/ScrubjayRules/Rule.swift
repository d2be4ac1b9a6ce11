import ScrubjayNative

/// What kind of personal data a rule finds.
public enum RuleCategory: String, Sendable, CaseIterable, Codable {
    case contact, financial, government_id, credential, network, location, identifier, free_text
}

/// How bad a finding is.
public enum Severity: String, Sendable, CaseIterable, Codable, Comparable {
    case low, medium, high
    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where a string sits in a recording (docs/RULES.md, "Channels").
public enum Channel: String, Sendable, CaseIterable, Codable, Hashable {
    case text, comment, attribute, css, input, url, custom, console, network, mobile

    /// Position in `allCases`, for tables indexed by channel.
    public var ordinal: Int {
        switch self {
        case .text: 0
        case .comment: 1
        case .attribute: 2
        case .css: 3
        case .input: 4
        case .url: 5
        case .custom: 6
        case .console: 7
        case .network: 8
        case .mobile: 9
        }
    }
}

/// What happens to a value a rule found.
public enum RuleAction: String, Sendable, CaseIterable, Codable {
    case mask, replace, remove, hash, keep_last
    /// Field rules on network bodies: the whole body becomes a note of its length.
    case drop_body
    /// Field rules on network requests: the request entry is removed from its event.
    case drop_request

    /// Whether the action rewrites the matched value itself (the others drop what holds it).
    public var rewritesValue: Bool { self != .drop_body && self != .drop_request }
}

/// What a rule addresses.
public enum RuleKind: String, Sendable, CaseIterable, Codable {
    /// Strings on channels, found by a pattern.
    case pattern
    /// Values at field paths of structured payloads (network, console, custom events, URLs).
    case field
}

/// Checks that make a pattern match count.
public enum ValidatorKind: String, Sendable, CaseIterable, Codable {
    case luhn, iban, us_ssn, ip, jwt, entropy
}

/// One rule, compiled. Created by `RulePackLoader`. A class: rules are read for every
/// finding, and copying a struct of this many references costs more than the read.
public final class Rule: Sendable {
    public let id: String
    public let description: String
    public let category: RuleCategory
    public let severity: Severity
    public let kind: RuleKind
    /// The channels it applies to (pattern rules; empty for field rules).
    public let channels: Set<Channel>
    /// The values it applies to (field rules; empty for pattern rules).
    public let paths: [FieldPath]
    /// What it matches (in a field rule's value; without a `pattern`, the whole value).
    public let pattern: PCRE2Regex
    /// The capture group holding the sensitive value (0: the whole match).
    public let group: Int
    /// Lower-cased prefilter words; empty means the pattern always runs.
    public let keywords: [[UInt8]]
    /// Prefilter: the pattern runs only on strings with at least this many ASCII digits.
    public let minDigits: Int
    /// Prefilter: the pattern runs only when one of the keywords occurs at least this many
    /// times (1: once is enough).
    public let minKeywordCount: Int
    public let validator: ValidatorKind?
    public let minEntropy: Double
    public let allowValues: Set<String>
    public let allowPatterns: [PCRE2Regex]
    public let action: RuleAction
    public let replacement: String
    public let examples: RuleExamples
    /// Where the rule was written.
    public let source: SourceLocation

    public init(id: String, description: String, category: RuleCategory, severity: Severity, kind: RuleKind = .pattern,
                channels: Set<Channel>, paths: [FieldPath] = [],
                pattern: PCRE2Regex, group: Int, keywords: [[UInt8]], minDigits: Int, minKeywordCount: Int = 1, validator: ValidatorKind?,
                minEntropy: Double, allowValues: Set<String>, allowPatterns: [PCRE2Regex], action: RuleAction,
                replacement: String, examples: RuleExamples, source: SourceLocation) {
        self.id = id
        self.description = description
        self.category = category
        self.severity = severity
        self.kind = kind
        self.channels = channels
        self.paths = paths
        self.pattern = pattern
        self.group = group
        self.keywords = keywords
        self.minDigits = minDigits
        self.minKeywordCount = minKeywordCount
        self.validator = validator
        self.minEntropy = minEntropy
        self.allowValues = allowValues
        self.allowPatterns = allowPatterns
        self.action = action
        self.replacement = replacement
        self.examples = examples
        self.source = source
    }
}

/// A rule's own tests.
public struct RuleExamples: Sendable {
    public struct Match: Sendable {
        public let input: String
        public let output: String
        public let line: Int
    }
    public let match: [Match]
    public let noMatch: [(input: String, line: Int)]
}

/// A file and line (1-based).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public var description: String { "\(file):\(line)" }
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
}

/// A rule file that cannot be used: names the file, line and rule.
public struct RuleError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let ruleId: String?
    public let message: String
    public var description: String {
        "\(file)" + (line.map { ":\($0)" } ?? "") + (ruleId.map { ": rule \($0)" } ?? "") + ": " + message
    }
}
