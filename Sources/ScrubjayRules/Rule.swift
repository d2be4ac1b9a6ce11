import ScrubjayDOM
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
    /// Selector rules: every text node below the element is masked, now and as mutations
    /// add or change it.
    case mask_text
    /// Selector rules: the `value` of the element (and of the form fields below it) and every
    /// Input event for them are masked.
    case mask_input
    /// Selector rules: the element keeps its tag, `class` and recorded size; its subtree goes,
    /// and later events inside it are dropped.
    case block
    /// Selector rules: Input events for the element (and the fields below it) are dropped.
    case ignore_input

    /// Whether the action rewrites the matched value itself (the others drop what holds it,
    /// or act on elements).
    public var rewritesValue: Bool {
        switch self {
        case .mask, .replace, .remove, .hash, .keep_last: return true
        case .drop_body, .drop_request, .mask_text, .mask_input, .block, .ignore_input: return false
        }
    }

    /// The actions of selector rules: they act on elements of the page.
    public var isElementAction: Bool {
        switch self {
        case .mask_text, .mask_input, .block, .ignore_input: return true
        default: return false
        }
    }
}

/// What a rule addresses.
public enum RuleKind: String, Sendable, CaseIterable, Codable {
    /// Strings on channels, found by a pattern.
    case pattern
    /// Values at field paths of structured payloads (network, console, custom events, URLs).
    case field
    /// Elements of the page matched by a CSS selector (mask their text or input, block them).
    case selector
    /// Attribute values, by attribute name or glob, optionally on elements matching a selector.
    case attribute
    /// Values that selector, attribute and field rules rewrote where they stood, found again
    /// anywhere on the rule's channels (a typed name shown back: "Thank you, Ana Lima").
    /// Armed with what a first pass learned (`EchoValues`, `Rule.echoing`).
    case echo
}

/// Which elements an attribute rule's selector reaches.
public enum SelectorScope: String, Sendable, CaseIterable, Codable {
    /// The elements the selector matches.
    case element
    /// Those and every element below them (iframe documents and shadow content included).
    case subtree
}

/// Checks that make a pattern match count.
public enum ValidatorKind: String, Sendable, CaseIterable, Codable {
    case luhn, iban, us_ssn, ip, jwt, entropy
    // National identity numbers' check digits (NationalIDValidators.swift).
    case es_dni, it_fiscal_code, fr_nir, nl_bsn, pl_pesel, br_cpf, verhoeff
    // Wallet addresses' checksums (CryptoAddressValidators.swift).
    case bitcoin_address, ethereum_address
}

/// One rule, compiled. Created by `RulePackLoader`. A class: rules are read for every
/// finding, and copying a struct of this many references costs more than the read.
public final class Rule: Sendable {
    public let id: String
    public let description: String
    public let category: RuleCategory
    public let severity: Severity
    public let kind: RuleKind
    /// The channels it applies to (pattern rules, armed echo rules; empty for the others).
    public let channels: Set<Channel>
    /// Echo rules: the channels the rule reads once armed (`channels` is empty until then, so
    /// that a first pass runs nothing for it).
    public let echoChannels: Set<Channel>
    /// An armed echo rule's patterns, beyond `pattern`: the learned values, a few hundred to a
    /// pattern (PCRE2 limits the size of one compiled pattern).
    public let morePatterns: [PCRE2Regex]
    /// Echo rules: the ids of the rules whose rewritten values it learns (`learn_from`);
    /// empty: every rule that can teach one (`teachesEchoes`).
    public let learnFrom: [String]
    /// The values it applies to (field rules; empty for pattern rules).
    public let paths: [FieldPath]
    /// The elements it applies to (selector rules; optional for attribute rules).
    public let selector: SelectorList?
    /// Attribute rules: the attribute names, ASCII lower case, where `*` stands for any run
    /// of characters (`data-user-*`).
    public let attributeNames: [[UInt8]]
    /// Attribute rules with a selector: whether it applies to the matching elements only, or
    /// to them and every element below them.
    public let scope: SelectorScope
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
    /// Prefilter: what the pattern needs of the string's letters and runs of digits and of
    /// letters and digits (`min_letters`, `min_digit_run`, `min_alnum_run`).
    public let shape: ShapeNeeds
    /// Prefilter: lower-cased texts that must all occur in the string (`requires`, ASCII case
    /// folded), beside the keywords of which one is enough.
    public let requires: [[UInt8]]
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
                channels: Set<Channel>, paths: [FieldPath] = [], selector: SelectorList? = nil, attributeNames: [[UInt8]] = [], scope: SelectorScope = .element,
                pattern: PCRE2Regex, group: Int, keywords: [[UInt8]], minDigits: Int, minKeywordCount: Int = 1,
                shape: ShapeNeeds = .none, requires: [[UInt8]] = [], validator: ValidatorKind?,
                minEntropy: Double, allowValues: Set<String>, allowPatterns: [PCRE2Regex], action: RuleAction,
                replacement: String, examples: RuleExamples, source: SourceLocation,
                echoChannels: Set<Channel> = [], morePatterns: [PCRE2Regex] = [], learnFrom: [String] = []) {
        self.id = id
        self.description = description
        self.category = category
        self.severity = severity
        self.kind = kind
        self.channels = channels
        self.paths = paths
        self.selector = selector
        self.attributeNames = attributeNames
        self.scope = scope
        self.pattern = pattern
        self.group = group
        self.keywords = keywords
        self.minDigits = minDigits
        self.minKeywordCount = minKeywordCount
        self.shape = shape
        self.requires = requires
        self.validator = validator
        self.minEntropy = minEntropy
        self.allowValues = allowValues
        self.allowPatterns = allowPatterns
        self.action = action
        self.replacement = replacement
        self.examples = examples
        self.source = source
        self.echoChannels = echoChannels
        self.morePatterns = morePatterns
        self.learnFrom = learnFrom
    }
}

extension Rule {
    /// Whether what this rule rewrites can be learned by an echo rule: a selector rule that
    /// masks text or input, an attribute or field rule that rewrites a value.
    public var teachesEchoes: Bool {
        switch kind {
        case .selector: return action == .mask_text || action == .mask_input
        case .attribute, .field: return action.rewritesValue
        case .pattern, .echo: return false
        }
    }

    /// The largest `min_digits` and `min_keyword_count` a pack may give: the digit prefilter
    /// keeps a table row per count, so a count in the billions would take gigabytes.
    public static let maxPrefilterCount = 10_000

    /// The pattern of a field rule that has none of its own: the whole value.
    public static let wholeValuePattern = "[\\s\\S]+"

    /// Whether an attribute rule applies to attribute `name` (ASCII lower case).
    public func appliesToAttribute(_ name: [UInt8]) -> Bool {
        name.withUnsafeBytes { appliesToAttribute(folding: $0) }
    }

    /// Whether an attribute rule applies to attribute `name`, in any ASCII case (read in place).
    public func appliesToAttribute(folding name: UnsafeRawBufferPointer) -> Bool {
        for p in attributeNames where Rule.glob(p, name) { return true }
        return false
    }

    /// `*` matches any run of bytes; every other byte itself, ASCII letters of `s` lower-cased
    /// (`p` is lower case).
    static func glob(_ p: [UInt8], _ s: UnsafeRawBufferPointer) -> Bool {
        @inline(__always) func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        var pi = 0, si = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count && p[pi] == 0x2A { starP = pi; starS = si; pi += 1 }
            else if pi < p.count && p[pi] == fold(s[si]) { pi += 1; si += 1 }
            else if starP >= 0 { pi = starP + 1; starS += 1; si = starS }
            else { return false }
        }
        while pi < p.count && p[pi] == 0x2A { pi += 1 }
        return pi == p.count
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
