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
    /// JSON pointer to the string inside the event (compressed fields expanded).
    public var pointer: String
    /// The DOM node or mobile wireframe the string belongs to.
    public var nodeId: Int?
    /// Masked preview (`MaskedPreview`).
    public var preview: String
    /// For the `hash` action when redacting: the keyed pseudonym written in place of the value.
    public var pseudonym: String? = nil
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

    mutating func add(rule: Rule, channel: Channel, action: RuleAction, limited: Bool) {
        total += 1
        if limited { limits += 1 }
        byRule[rule.id, default: 0] += 1
        byCategory[rule.category.rawValue, default: 0] += 1
        byChannel[channel.rawValue, default: 0] += 1
        byAction[action.rawValue, default: 0] += 1
        bySeverity[rule.severity.rawValue, default: 0] += 1
    }
}
