import ScrubjayNative

/// One place a rule matched inside a string value.
public struct RuleMatch: Sendable, Equatable {
    /// Index of the rule in `RuleEngine.rules`.
    public let rule: Int
    /// UTF-8 byte range of the sensitive value inside the string.
    public let range: Range<Int>
    /// The pattern hit a PCRE2 limit: the whole string is treated as sensitive (`rule.limit`).
    public let limited: Bool
}

/// Runs compiled rules over strings and rewrites what they find.
///
/// For each string: rules for its channel whose keywords it contains (case-insensitively)
/// run their pattern; a match counts if its value passes the validator and no allow-list
/// entry; overlapping matches keep the earliest (then the longest, then the first rule).
public struct RuleEngine: Sendable {
    public let rules: [Rule]
    private let byChannel: [Channel: [Int]]

    public init(packs: [RulePack]) {
        self.init(rules: packs.flatMap(\.rules))
    }

    public init(rules: [Rule]) {
        self.rules = rules
        var map: [Channel: [Int]] = [:]
        for (i, r) in rules.enumerated() { for c in r.channels { map[c, default: []].append(i) } }
        byChannel = map
    }

    /// Statistics of prefiltering, for the benchmark.
    public struct Counters: Sendable {
        public var strings = 0
        /// Pattern runs avoided by the keyword prefilter.
        public var skippedByKeywords = 0
        /// Pattern runs made.
        public var patternRuns = 0
    }

    /// The matches in `text` (UTF-8) for the rules of `channel`, sorted and non-overlapping.
    public func matches(in text: [UInt8], channel: Channel, counters: inout Counters) -> [RuleMatch] {
        guard let candidates = byChannel[channel], !text.isEmpty else { return [] }
        return matches(in: text, rules: candidates, counters: &counters)
    }

    /// The matches in `text` for the rules at `indices`.
    public func matches(in text: [UInt8], rules indices: [Int], counters: inout Counters) -> [RuleMatch] {
        counters.strings += 1
        var lowered: [UInt8]?
        var found: [RuleMatch] = []
        for i in indices {
            let rule = rules[i]
            if !rule.keywords.isEmpty {
                if lowered == nil { lowered = text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
                if !rule.keywords.contains(where: { RuleEngine.contains(lowered!, $0) }) {
                    counters.skippedByKeywords += 1
                    continue
                }
            }
            counters.patternRuns += 1
            let hits: [RegexMatch]
            do {
                hits = try rule.pattern.matches(in: text, assumeValidUTF8: true)
            } catch {
                // A pattern that blows up on this input: never a hang, and the conservative
                // choice is to treat the whole string as sensitive.
                found.append(RuleMatch(rule: i, range: 0..<text.count, limited: true))
                continue
            }
            for hit in hits {
                guard let r = hit[group: rule.group], !r.isEmpty else { continue }
                let value = String(decoding: text[r], as: UTF8.self)
                if let v = rule.validator, !Validators.check(v, value, minEntropy: rule.minEntropy) { continue }
                if rule.allowValues.contains(value) { continue }
                if rule.allowPatterns.contains(where: { (try? $0.containsMatch(in: value)) == true }) { continue }
                found.append(RuleMatch(rule: i, range: r, limited: false))
            }
        }
        if found.count <= 1 { return found }
        found.sort { a, b in
            a.range.lowerBound != b.range.lowerBound ? a.range.lowerBound < b.range.lowerBound
                : a.range.count != b.range.count ? a.range.count > b.range.count : a.rule < b.rule
        }
        var kept: [RuleMatch] = []
        for m in found where kept.last.map({ m.range.lowerBound >= $0.range.upperBound }) ?? true { kept.append(m) }
        return kept
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < needle.count && haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// `text` with every match rewritten by its rule's action.
    public func apply(_ matches: [RuleMatch], to text: [UInt8], pseudonymKey: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var cursor = 0
        for m in matches {
            out += text[cursor..<m.range.lowerBound]
            let value = Array(text[m.range])
            out += m.limited ? Actions.mask(value) : Actions.apply(rules[m.rule], to: value, key: pseudonymKey)
            cursor = m.range.upperBound
        }
        out += text[cursor...]
        return out
    }
}

/// The rewrites of docs/RULES.md, "Actions".
public enum Actions {
    public static func apply(_ rule: Rule, to value: [UInt8], key: [UInt8]) -> [UInt8] {
        switch rule.action {
        case .mask: return mask(value)
        case .replace: return Array(rule.replacement.utf8)
        case .remove: return []
        case .hash: return Array("[\(rule.id):\(pseudonym(value, key: key))]".utf8)
        case .keep_last: return keepLast(value)
        }
    }

    /// Each character `*`, whitespace kept.
    public static func mask(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in String(decoding: value, as: UTF8.self).unicodeScalars {
            out.append(scalar.properties.isWhitespace ? UInt8(truncatingIfNeeded: scalar.value) : UInt8(ascii: "*"))
            if scalar.properties.isWhitespace && scalar.value > 0x7F {
                out.removeLast()
                out += Array(String(scalar).utf8)
            }
        }
        return out
    }

    /// Every digit except the last four becomes `*`; everything else is kept.
    public static func keepLast(_ value: [UInt8]) -> [UInt8] {
        let digits = value.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        var seen = 0
        return value.map { b in
            guard b >= 0x30 && b <= 0x39 else { return b }
            seen += 1
            return seen <= digits - 4 ? UInt8(ascii: "*") : b
        }
    }

    /// The first 16 hex digits of HMAC-SHA256(key, value): stable within a run's key.
    public static func pseudonym(_ value: [UInt8], key: [UInt8]) -> String {
        String(Hex.encode(Digest.hmacSHA256(key: key, message: value)).prefix(16))
    }
}
