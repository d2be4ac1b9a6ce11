import ScrubjayRules

/// One place a rule found personal data (docs/RULES.md, "Findings"). Carries a masked
/// preview, never the value.
public struct Finding: Codable, Sendable, Equatable {
    /// The rule's id.
    public var rule: String
    /// `match`, or `rule.limit` when the pattern hit a PCRE2 limit and the whole value was
    /// treated as sensitive.
    public var kind: String
    public var category: RuleCategory
    public var severity: Severity
    public var channel: Channel
    /// What `redact` does (or did) to the value.
    public var action: RuleAction
    /// The window id ("" for a recording without windows).
    public var window: String
    /// 0-based position of the event in its window (the line of `events/<window>.jsonl` minus one).
    public var eventIndex: Int
    /// The event's `timestamp` (ms since the epoch), when it has one.
    public var timestamp: Double?
    /// JSON pointer to the string inside the event (compressed fields expanded); inside a
    /// body or console argument holding JSON, the string's pointer, `#`, and the pointer inside it.
    public var pointer: String
    /// The DOM node or mobile wireframe the string belongs to.
    public var nodeId: Int?
    /// Masked preview (`MaskedPreview`).
    public var preview: String
    /// For the `hash` action when redacting: the keyed pseudonym written in place of the value.
    public var pseudonym: String? = nil
    /// `audit` given several input files: the one the event came from, as it was named on the
    /// command line (left out of the JSON for one input, as before).
    public var input: String? = nil
}

/// Counts of what rules found, as the redaction report and `audit` give them.
public struct FindingCounts: Codable, Sendable, Equatable {
    public var total = 0
    /// Findings from a pattern that hit a PCRE2 limit (`rule.limit`).
    public var limits = 0
    public var byRule: [String: Int] = [:]
    public var byCategory: [String: Int] = [:]
    public var byChannel: [String: Int] = [:]
    public var byAction: [String: Int] = [:]
    public var bySeverity: [String: Int] = [:]

    public init() {}

    mutating func add(rule: Rule, channel: Channel, action: RuleAction, limited: Bool, count: Int = 1) {
        total += count
        if limited { limits += count }
        byRule[rule.id, default: 0] += count
        byCategory[rule.category.rawValue, default: 0] += count
        byChannel[channel.rawValue, default: 0] += count
        byAction[action.rawValue, default: 0] += count
        bySeverity[rule.severity.rawValue, default: 0] += count
    }
}

/// Finding counts while a redaction runs: one counter per (rule, channel, limited), turned
/// into `FindingCounts` (keyed by names) when the totals are read. Counting a finding is
/// one array increment instead of five dictionary updates.
struct FindingGrid: Sendable, Equatable {
    private var cells: [Int]
    private static let channels = Channel.allCases.count
    /// All findings, and the findings of each rule (kept as they are counted: read per event).
    private(set) var total = 0
    private(set) var byRule: [Int]

    init(rules: Int) {
        cells = [Int](repeating: 0, count: rules * FindingGrid.channels * 2)
        byRule = [Int](repeating: 0, count: rules)
    }

    mutating func add(rule: Int, channel: Channel, limited: Bool) {
        cells[(rule * FindingGrid.channels + channel.ordinal) * 2 + (limited ? 1 : 0)] += 1
        byRule[rule] += 1
        total += 1
    }

    /// The counts, by rule, category, channel, action and severity. A `rule.limit` finding's
    /// action is `mask`, whatever the rule says.
    func counts(rules: [Rule]) -> FindingCounts {
        var out = FindingCounts()
        for (cell, n) in cells.enumerated() where n > 0 {
            let limited = cell % 2 == 1
            let channel = Channel.allCases[(cell / 2) % FindingGrid.channels]
            let rule = rules[cell / 2 / FindingGrid.channels]
            out.add(rule: rule, channel: channel, action: limited ? .mask : rule.action, limited: limited, count: n)
        }
        return out
    }
}
