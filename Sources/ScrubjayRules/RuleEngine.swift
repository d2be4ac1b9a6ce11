import ScrubjayNative

/// One place a rule matched inside a string value.
public struct RuleMatch: Sendable, Equatable {
    /// Index of the rule in `RuleEngine.rules`.
    public let rule: Int
    /// UTF-8 byte range of the sensitive value inside the string.
    public let range: Range<Int>
    /// The pattern hit a PCRE2 limit: the whole string is treated as sensitive (`rule.limit`).
    public let limited: Bool

    public init(rule: Int, range: Range<Int>, limited: Bool) {
        self.rule = rule
        self.range = range
        self.limited = limited
    }
}

/// Runs compiled rules over strings and rewrites what they find. A class: the redactor
/// reaches it from closures on every string, and a struct of many arrays would be copied.
///
/// For each string: rules for its channel whose keywords it contains (case-insensitively)
/// run their pattern; a match counts if its value passes the validator and no allow-list
/// entry; overlapping matches keep the earliest (then the longest, then the first rule).
public final class RuleEngine: Sendable {
    public let rules: [Rule]
    private let prefilter: Prefilter
    /// What the matching loop needs of each rule, without copying `Rule` (many references).
    private let patterns: [PCRE2Regex]
    /// The same, read without a retain and release per run (`patterns` keeps them alive).
    private let patternRefs: [Unmanaged<PCRE2Regex>]
    private let groups: [Int]
    private let needsValueCheck: [Bool]
    /// Rules with `allow_values` or `allow_patterns`: their matches are compared with them
    /// (as a String for values, as bytes for patterns).
    private let hasAllowList: [Bool]
    private let validators: [(kind: ValidatorKind, minEntropy: Double)?]
    /// Per rule, what rewriting and counting a match needs, read without copying a `Rule`.
    private let actions: [RuleAction]
    private let categories: [RuleCategory]
    private let replacements: [[UInt8]]
    private let ids: [String]
    /// Field rules without a `pattern` of their own: they take the whole value (no PCRE2 run).
    private let takesWholeValue: [Bool]
    /// Armed echo rules' patterns after the first (`Rule.morePatterns`), by rule: empty for
    /// every other rule.
    private let morePatterns: [[PCRE2Regex]]
    /// Rules with `min_keyword_count` above 1: their keywords and the count.
    private let keywordCounts: [(keywords: [[UInt8]], count: Int)?]
    /// Rules with `min_letters`, `min_digit_run` or `min_alnum_run`: their needs (a string's
    /// shape is measured once, for the first candidate that has some).
    private let shapeNeeds: [ShapeNeeds?]
    /// Rules with `requires`: the texts that must all occur.
    private let requiredTexts: [[[UInt8]]?]
    /// Pattern rules with a word among their keywords (two letters or more: `pass`, `cvv`,
    /// `dob`), which may find a value by the word before it; not those whose keywords are
    /// only characters the value holds itself (`@`, `:`, `+`).
    private let readsWordBefore: [Bool]
    /// Per `Channel.ordinal`, which JSON numbers the channel's pattern rules may find
    /// something in, read alone.
    private let numberGates: [NumberGate]
    /// What any rule of the set writes in place of a value (`[redacted]`, `[jwt]`), and the
    /// ids a pseudonym may name (`[email:0123456789abcdef]`): a match that is another rule's
    /// output is not taken either, so a rescan of a redacted recording is clean
    /// (`"password":"[redacted]"`, a field rule's output, was `password_pair`'s finding).
    private let replacementsOfAnyRule: Set<[UInt8]>
    private let ruleIds: Set<[UInt8]>

    public convenience init(packs: [RulePack]) {
        self.init(rules: packs.flatMap(\.rules))
    }

    public init(rules: [Rule]) {
        self.rules = rules
        prefilter = Prefilter(rules: rules)
        patterns = rules.map(\.pattern)
        patternRefs = patterns.map { Unmanaged.passUnretained($0) }
        groups = rules.map(\.group)
        hasAllowList = rules.map { !$0.allowValues.isEmpty || !$0.allowPatterns.isEmpty }
        validators = rules.map { r in r.validator.map { ($0, r.minEntropy) } }
        needsValueCheck = zip(validators, hasAllowList).map { $0 != nil || $1 }
        actions = rules.map(\.action)
        categories = rules.map(\.category)
        replacements = rules.map { Array($0.replacement.utf8) }
        ids = rules.map(\.id)
        takesWholeValue = rules.map { $0.kind == .field && $0.pattern.pattern == Rule.wholeValuePattern && $0.group == 0 }
        morePatterns = rules.map(\.morePatterns)
        keywordCounts = rules.map { $0.minKeywordCount > 1 ? ($0.keywords, $0.minKeywordCount) : nil }
        shapeNeeds = rules.map { $0.shape.isEmpty ? nil : $0.shape }
        requiredTexts = rules.map { $0.requires.isEmpty ? nil : $0.requires }
        readsWordBefore = rules.map { rule in
            rule.kind == .pattern && rule.keywords.contains { k in k.filter { ($0 | 0x20) &- 0x61 < 26 }.count >= 2 }
        }
        numberGates = Channel.allCases.map { c in NumberGate(rules: rules.filter { $0.channels.contains(c) }) }
        replacementsOfAnyRule = Set(rules.filter { $0.action == .replace && !$0.replacement.isEmpty }.map { Array($0.replacement.utf8) })
        ruleIds = Set(rules.map { Array($0.id.utf8) })
    }

    /// Which JSON numbers the pattern rules of `channel` may find something in, read alone
    /// (their text, as written): what the redactor asks before it reads a number of a payload.
    public func numberGate(for channel: Channel) -> NumberGate { numberGates[channel.ordinal] }

    /// Statistics of prefiltering, for the benchmark and the redaction report.
    public struct Counters: Sendable, Equatable {
        /// Strings looked at.
        public var strings = 0
        /// Strings for which no pattern ran at all: the prefilters ruled every rule out.
        public var stringsSkipped = 0
        /// Pattern runs avoided by the prefilters (keywords, digit minimum).
        public var skippedByPrefilter = 0
        /// Pattern runs made.
        public var patternRuns = 0
        public init() {}
        public static func += (a: inout Counters, b: Counters) {
            a.strings += b.strings; a.stringsSkipped += b.stringsSkipped
            a.skippedByPrefilter += b.skippedByPrefilter; a.patternRuns += b.patternRuns
        }
    }

    /// Whether any pattern rule applies to `channel` (else `matches` finds nothing there).
    public func hasRules(for channel: Channel) -> Bool { prefilter.ruleCount(for: channel) > 0 }

    /// The matches in `text` (UTF-8) for the rules of `channel`, sorted and non-overlapping.
    public func matches(in text: [UInt8], channel: Channel, counters: inout Counters) -> [RuleMatch] {
        text.withUnsafeBytes { matches(in: $0, channel: channel, counters: &counters) }
    }

    /// The matches in `text` (valid UTF-8) for the rules of `channel`, sorted and non-overlapping.
    public func matches(in text: UnsafeRawBufferPointer, channel: Channel, counters: inout Counters) -> [RuleMatch] {
        let allowedCount = prefilter.ruleCount(for: channel)
        guard !text.isEmpty, allowedCount > 0 else { return [] }
        return matches(in: text, allowed: prefilter.rules(for: channel), allowedCount: allowedCount, counters: &counters)
    }

    /// The pattern rules of `channel` with a word keyword in `name` (a member's key): those
    /// that may find a value only with its key written before it (`"password":"..."`). The
    /// prefilter's keyword search over the name: no allocation when there is none.
    public func rulesWithKeyword(in name: UnsafeRawBufferPointer, channel: Channel) -> [Int] {
        guard prefilter.ruleCount(for: channel) > 0 else { return [] }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: prefilter.words) { buffer in
            let hits = buffer.baseAddress!
            prefilter.keywordRules(name, allowed: prefilter.rules(for: channel), into: hits)
            var out: [Int] = []
            for w in 0..<prefilter.words {
                var bits = hits[w]
                while bits != 0 {
                    let i = w &* 64 &+ bits.trailingZeroBitCount
                    bits &= bits &- 1
                    if readsWordBefore[i] { out.append(i) }
                }
            }
            return out
        }
    }

    /// The matches in `text` for the rules at `indices`.
    public func matches(in text: [UInt8], rules indices: [Int], counters: inout Counters) -> [RuleMatch] {
        text.withUnsafeBytes { matches(in: $0, rules: indices, counters: &counters) }
    }

    /// The matches in `text` (valid UTF-8) for the rules at `indices`.
    public func matches(in text: UnsafeRawBufferPointer, rules indices: [Int], counters: inout Counters) -> [RuleMatch] {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: prefilter.words) { allowed in
            allowed.initialize(repeating: 0)
            for i in indices { allowed[i / 64] |= 1 << UInt64(i % 64) }
            let count = allowed.reduce(0) { $0 + $1.nonzeroBitCount }
            return matches(in: text, allowed: UnsafePointer(allowed.baseAddress!), allowedCount: count, counters: &counters)
        }
    }

    /// The ASCII digits in `text`, counted eight bytes at a time (the count `min_digits` is
    /// tested against).
    public static func digitCount(_ text: UnsafeRawBufferPointer) -> Int { Prefilter.countDigits(text) }

    /// The matches in `text` (valid UTF-8) for rule `index` alone (a field rule on a value it
    /// selects, a selector rule's pattern). The same prefilters as for many rules, tested for
    /// this one only: no automaton over the text for every rule's keywords.
    public func matches(in text: UnsafeRawBufferPointer, rule index: Int, counters: inout Counters) -> [RuleMatch] {
        counters.strings += 1
        let rule = rules[index]
        var shape: TextShape?
        if (rule.minDigits > 0 && Prefilter.countDigits(text) < rule.minDigits)
            || (!rule.keywords.isEmpty && !Prefilter.occurs(rule.keywords, atLeast: max(1, rule.minKeywordCount), in: text))
            || !admitsShapeAndTexts(rule: index, text, shape: &shape) {
            counters.skippedByPrefilter += 1
            counters.stringsSkipped += 1
            return []
        }
        counters.patternRuns += 1
        var found: [RuleMatch] = []
        collect(rule: index, in: text, into: &found)
        return found
    }

    /// The matches in `text` (valid UTF-8) for the rules in the bit set `allowed`, which holds
    /// `allowedCount` rules.
    private func matches(in text: UnsafeRawBufferPointer, allowed: UnsafePointer<UInt64>, allowedCount: Int,
                         counters: inout Counters) -> [RuleMatch] {
        counters.strings += 1
        let words = prefilter.words
        // Up to 64 rules (the default packs): the candidates are one word, kept in a register.
        if words == 1 {
            let c = prefilter.candidates(text, allowed: allowed[0])
            guard c != 0 else {
                counters.skippedByPrefilter += allowedCount
                counters.stringsSkipped += 1
                return []
            }
            counters.skippedByPrefilter += allowedCount - c.nonzeroBitCount
            var found: [RuleMatch] = []
            var shape: TextShape?
            if !run(candidates: c, word: 0, in: text, into: &found, shape: &shape, counters: &counters) { counters.stringsSkipped += 1 }
            return RuleEngine.sortedApart(found)
        }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { buffer in
            let candidates = buffer.baseAddress!
            counters.skippedByPrefilter += allowedCount - prefilter.candidates(text, allowed: allowed, into: candidates)
            var found: [RuleMatch] = []
            var ran = false
            var shape: TextShape?
            for w in 0..<words where candidates[w] != 0 {
                if run(candidates: candidates[w], word: w, in: text, into: &found, shape: &shape, counters: &counters) { ran = true }
            }
            if !ran { counters.stringsSkipped += 1 }
            return RuleEngine.sortedApart(found)
        }
    }

    /// Runs the candidate rules of word `w` (bit `i` for rule `64w + i`) over `text`, after the
    /// last prefilters; returns whether a pattern ran. `shape`: the text's, once a rule of any
    /// word has needed it.
    @inline(__always)
    private func run(candidates: UInt64, word w: Int, in text: UnsafeRawBufferPointer, into found: inout [RuleMatch],
                     shape: inout TextShape?, counters: inout Counters) -> Bool {
        var ran = false
        var bits = candidates
        while bits != 0 {
            let i = w &* 64 &+ bits.trailingZeroBitCount
            bits &= bits &- 1
            // The last prefilters, for the few candidates left: keyword occurrences, the
            // string's shape (measured once), texts that must all occur.
            if let need = keywordCounts[i], !Prefilter.occurs(need.keywords, atLeast: need.count, in: text) {
                counters.skippedByPrefilter += 1
                continue
            }
            if !admitsShapeAndTexts(rule: i, text, shape: &shape) {
                counters.skippedByPrefilter += 1
                continue
            }
            ran = true
            counters.patternRuns += 1
            collect(rule: i, in: text, into: &found)
        }
        return ran
    }

    /// Whether `text` meets rule `index`'s shape needs and holds every text it requires (the
    /// last prefilters). `shape`: the text's, measured here the first time a rule needs it.
    @inline(__always)
    private func admitsShapeAndTexts(rule index: Int, _ text: UnsafeRawBufferPointer, shape: inout TextShape?) -> Bool {
        if let need = shapeNeeds[index] {
            if shape == nil { shape = TextShape(text) }
            if !need.admits(shape.unsafelyUnwrapped) { return false }
        }
        if let texts = requiredTexts[index] { return texts.allSatisfy { Prefilter.occurs([$0], atLeast: 1, in: text) } }
        return true
    }

    /// The matches of two readings of one value together (the value alone, and the value read
    /// with its label or key), in text order without overlaps, as `matches` gives them.
    public static func merging(_ a: [RuleMatch], _ b: [RuleMatch]) -> [RuleMatch] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return sortedApart(a + b)
    }

    /// `found` in text order, longest first at one place, without overlaps (the earlier, then
    /// longer, then lower-numbered rule's match kept).
    private static func sortedApart(_ found: [RuleMatch]) -> [RuleMatch] {
        if found.count <= 1 { return found }
        let sorted = found.sorted { a, b in
            a.range.lowerBound != b.range.lowerBound ? a.range.lowerBound < b.range.lowerBound
                : a.range.count != b.range.count ? a.range.count > b.range.count : a.rule < b.rule
        }
        var kept: [RuleMatch] = []
        for m in sorted where kept.last.map({ m.range.lowerBound >= $0.range.upperBound }) ?? true { kept.append(m) }
        return kept
    }

    /// Runs rule `i`'s pattern over `text` and appends the matches that pass its validator and
    /// allow-lists.
    private func collect(rule i: Int, in text: UnsafeRawBufferPointer, into found: inout [RuleMatch]) {
        if takesWholeValue[i] {
            if !text.isEmpty { take(rule: i, 0..<text.count, in: text, into: &found) }
            return
        }
        let before = found.count
        do {
            try patternRefs[i]._withUnsafeGuaranteedRef { pattern in
                try pattern.forEachMatch(in: text, group: groups[i], assumeValidUTF8: true) { r in
                    guard let r, !r.isEmpty else { return }
                    take(rule: i, r, in: text, into: &found)
                }
                // (Tested first: iterating an empty list still retains and releases it.)
                if morePatterns[i].isEmpty { return }
                for more in morePatterns[i] {
                    try more.forEachMatch(in: text, group: 0, assumeValidUTF8: true) { r in
                        guard let r, !r.isEmpty else { return }
                        take(rule: i, r, in: text, into: &found)
                    }
                }
            }
        } catch {
            // A pattern that blows up on this input: never a hang, and the conservative
            // choice is to treat the whole string as sensitive (a `rule.limit` finding).
            found.removeSubrange(before...)
            found.append(RuleMatch(rule: i, range: 0..<text.count, limited: true))
        }
    }

    /// Appends rule `i`'s match at `r` unless its validator or allow-lists reject it.
    @inline(__always)
    private func take(rule i: Int, _ r: Range<Int>, in text: UnsafeRawBufferPointer, into found: inout [RuleMatch]) {
        // A match that is already this rule's output (masked, its replacement, its
        // pseudonym) is not taken again, so a rescan of a redacted recording is clean: a field
        // rule takes whole values, and a pattern's group may take a replacement
        // (`password=[password]`).
        let value = UnsafeRawBufferPointer(rebasing: text[r])
        if isRedacted(value, foundBy: i) { return }
        var r = r
        if needsValueCheck[i] {
            var bytes = UnsafeRawBufferPointer(rebasing: text[r])
            if let v = validators[i] {
                // A card number's pattern may take a group after it that is no part of it
                // (`4242 4242 4242 4242 123`: a 19-digit card's last group, or a security code;
                // `... 4242 12/30`, an expiry): the number without its last group is read first,
                // so that a code that makes a valid 19 digits with it is not kept as the "last
                // four" (a card rule's only: an IMEI's check digit is its own).
                if v.kind == .luhn && categories[i] == .financial, let shorter = Validators.luhnWithoutLastGroup(bytes) {
                    r = r.lowerBound..<(r.lowerBound + shorter)
                    bytes = UnsafeRawBufferPointer(rebasing: text[r])
                } else if !Validators.check(v.kind, bytes, minEntropy: v.minEntropy) {
                    return
                }
            }
            if hasAllowList[i] {
                let rule = rules[i]
                // A String only for a rule with values to compare; patterns read the bytes.
                if !rule.allowValues.isEmpty && rule.allowValues.contains(String(decoding: bytes, as: UTF8.self)) { return }
                if rule.allowPatterns.contains(where: { (try? $0.containsMatch(in: bytes, assumeValidUTF8: true)) == true }) { return }
            }
        }
        found.append(RuleMatch(rule: i, range: r, limited: false))
    }

    /// Whether `value`, found by rule `i`, is already redacted: the rule's own output or any
    /// other rule's (a match `take` is given, or one cut shorter after the engine,
    /// `URLText.keptInsideParameters`).
    @inline(__always)
    public func isRedacted(_ value: UnsafeRawBufferPointer, foundBy i: Int) -> Bool {
        Actions.isRedacted(value, action: actions[i], replacement: replacements[i], id: ids[i]) || isAnyRulesOutput(value)
    }

    /// Whether `value` is what some rule of the set writes: its replacement, or a pseudonym
    /// naming it (`[<id>:<16 hex digits>]`).
    @inline(__always)
    private func isAnyRulesOutput(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= 3, value[0] == UInt8(ascii: "["), value[value.count - 1] == UInt8(ascii: "]") else { return false }
        if replacementsOfAnyRule.contains(Array(value)) { return true }
        // A pseudonym of one of the rules (`[<id>:<16 hex digits>]`, `Actions.isPseudonym`).
        let n = value.count
        guard n >= 20, value[n - 18] == UInt8(ascii: ":") else { return false }
        let id = Array(value[1..<(n - 18)])
        return ruleIds.contains(id) && Actions.isPseudonym(value, of: String(decoding: id, as: UTF8.self))
    }

    /// `text` with every match rewritten by its rule's action.
    public func apply(_ matches: [RuleMatch], to text: [UInt8], pseudonymKey: [UInt8]) -> [UInt8] {
        text.withUnsafeBytes { apply(matches, to: $0, pseudonymKey: pseudonymKey) }
    }

    /// `text` with every match rewritten by its rule's action (a `rule.limit` match is masked).
    public func apply(_ matches: [RuleMatch], to text: UnsafeRawBufferPointer, pseudonymKey: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var cursor = 0
        for m in matches {
            out += text[cursor..<m.range.lowerBound]
            appendRewrite(of: m, in: text, key: pseudonymKey, to: &out)
            cursor = m.range.upperBound
        }
        out += text[cursor...]
        return out
    }

    /// Appends to `out` what match `m`'s rule makes of its value in `text`: the bytes of
    /// `Actions.apply` (a `rule.limit` match masked), written in place.
    @discardableResult
    public func appendRewrite(of m: RuleMatch, in text: UnsafeRawBufferPointer, key: [UInt8], to out: inout [UInt8]) -> String? {
        let value = UnsafeRawBufferPointer(rebasing: text[m.range])
        if m.limited { Actions.appendMask(value, to: &out); return nil }
        return Actions.append(actions[m.rule], of: ids[m.rule], replacement: replacements[m.rule], to: value, key: key, into: &out)
    }

    /// Rule `i`'s action.
    @inline(__always) public func action(of i: Int) -> RuleAction { actions[i] }

    /// Rule `i`'s category.
    @inline(__always) public func category(of i: Int) -> RuleCategory { categories[i] }
}

/// Which JSON numbers pattern rules may find something in, read alone (the number's text as
/// written: `4111111111111111`, `-12.5`, `1e21`), worked out from the rules' prefilters, so
/// that the numbers of a payload (most of them short: counts, prices, flags) are passed over
/// without a call into the engine. A number's text is digits and at most one each of `-`
/// (two with a negative exponent), `.`, `e` or `E`, and `+`: a rule with keywords runs on a
/// number only when one of them is made of those bytes (and can occur as often as
/// `min_keyword_count` asks); of those that can run, the fewest `min_digits` is the shortest
/// number read. A number of digits alone (most numbers) is held to the rules that can run on
/// digits alone, which is a longer minimum as a rule (`ipv4` needs a `.`).
public struct NumberGate: Sendable, Equatable {
    /// The fewest bytes of a number of ASCII digits alone that is read (`Int.max`: none).
    public let digitsOnly: Int
    /// The fewest bytes of any other number that is read (`Int.max`: none).
    public let other: Int

    /// No number is read.
    public static let closed = NumberGate(digitsOnly: .max, other: .max)

    public init(digitsOnly: Int, other: Int) {
        self.digitsOnly = digitsOnly
        self.other = min(other, digitsOnly)
    }

    /// The gate of `rules` (those of one channel).
    init(rules: [Rule]) {
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
        @inline(__always) func isNumberByte(_ b: UInt8) -> Bool {
            isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "+") || b | 0x20 == UInt8(ascii: "e")
        }
        var digitsOnly = Int.max, other = Int.max
        for r in rules {
            let least = max(1, r.minDigits)
            if r.keywords.isEmpty {
                digitsOnly = min(digitsOnly, least)
                other = min(other, least)
                continue
            }
            // A keyword of digits may occur any number of times; one with another byte in
            // it at most twice (`-1e-5`).
            let inNumbers = r.keywords.filter { !$0.isEmpty && $0.allSatisfy(isNumberByte) }
            if inNumbers.contains(where: { $0.allSatisfy(isDigit) }) { digitsOnly = min(digitsOnly, least) }
            if inNumbers.contains(where: { $0.allSatisfy(isDigit) || r.minKeywordCount <= 2 }) { other = min(other, least) }
        }
        self.init(digitsOnly: digitsOnly, other: other)
    }

    /// Whether a number whose text is `number` is read.
    @inline(__always) public func admits(_ number: UnsafeRawBufferPointer) -> Bool {
        let n = number.count
        if n < other { return false }
        if n >= digitsOnly { return true }
        return !number.allSatisfy { $0 &- 0x30 < 10 }
    }
}

/// The rewrites of docs/RULES.md, "Actions".
public enum Actions {
    public static func apply(_ rule: Rule, to value: [UInt8], key: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        value.withUnsafeBytes {
            _ = append(rule.action, of: rule.id, replacement: Array(rule.replacement.utf8), to: $0, key: key, into: &out)
        }
        return out
    }

    /// Appends to `out` what `action` (of rule `id`, whose replacement is `replacement`) makes
    /// of `value`: the one place actions are written. Returns the pseudonym a `hash` wrote
    /// (for the finding; one HMAC a value), nil for other actions.
    @discardableResult
    public static func append(_ action: RuleAction, of id: String, replacement: [UInt8], to value: UnsafeRawBufferPointer,
                              key: [UInt8], into out: inout [UInt8]) -> String? {
        switch action {
        case .mask: appendMask(value, to: &out)
        case .replace: out += replacement
        case .remove: break
        case .hash:
            let p = pseudonym(Array(value), key: key)
            out += Array("[\(id):\(p)]".utf8)
            return p
        case .keep_last: appendKeepLast(value, to: &out)
        // Field rules drop what holds the value (docs/RULES.md); the value alone is masked.
        case .drop_body, .drop_request: appendMask(value, to: &out)
        // Selector rules mask the text and input values of the elements they match.
        case .mask_text, .mask_input, .block, .ignore_input: appendMask(value, to: &out)
        }
        return nil
    }

    /// Whether `value` is what an action writes: only `*` and whitespace, the rule's
    /// replacement, or a `[rule:pseudonym]` token.
    public static func isRedacted(_ value: UnsafeRawBufferPointer, by rule: Rule) -> Bool {
        isRedacted(value, action: rule.action, replacement: Array(rule.replacement.utf8), id: rule.id)
    }

    /// `isRedacted(_:by:)` from the rule's action, replacement (UTF-8) and id.
    static func isRedacted(_ value: UnsafeRawBufferPointer, action: RuleAction, replacement: [UInt8], id: String) -> Bool {
        // Asked of every match: most start with a byte none of the three can start with.
        guard let first = value.first else { return true }
        guard first == UInt8(ascii: "*") || first == UInt8(ascii: "[") || first <= 0x20 || first == replacement.first else { return false }
        if isMasked(value) { return true }
        if action == .replace && value.elementsEqual(replacement) { return true }
        return isPseudonym(value, of: id)
    }

    /// Whether `value` is `[<id>:<16 hex digits>]`, what `hash` writes for rule `id`.
    static func isPseudonym(_ value: UnsafeRawBufferPointer, of id: String) -> Bool {
        let n = value.count
        guard n >= 20, value[0] == UInt8(ascii: "["), value[n - 1] == UInt8(ascii: "]") else { return false }
        var id = id
        return id.withUTF8 { id in
            guard n == id.count + 19, value[id.count + 1] == UInt8(ascii: ":") else { return false }
            for k in 0..<id.count where value[k + 1] != id[k] { return false }
            for k in (id.count + 2)..<(n - 1) {
                let b = value[k]
                guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
            }
            return true
        }
    }

    /// Whether `value` is only `*` and whitespace: what `mask` writes, which keeps every
    /// White_Space character (a no-break space an editable text holds, `Ana\u{A0}Lima`, is
    /// `***\u{A0}****` masked). ASCII is tested byte by byte; only a value whose first byte
    /// other than `*` and ASCII whitespace is not ASCII is read by its scalars.
    public static func isMasked(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let i = value.firstIndex(where: { !($0 == UInt8(ascii: "*") || $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D)) }) else { return true }
        return value[i] >= 0x80 && isMaskedBeyondASCII(value)
    }

    @inline(never)
    static func isMaskedBeyondASCII(_ value: UnsafeRawBufferPointer) -> Bool {
        String(decoding: value, as: UTF8.self).unicodeScalars.allSatisfy { $0 == "*" || $0.properties.isWhitespace }
    }

    /// Each character `*`, whitespace kept.
    public static func mask(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        value.withUnsafeBytes { appendMask($0, to: &out) }
        return out
    }

    /// Appends `value` masked: each character `*`, whitespace kept.
    public static func appendMask(_ value: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        // ASCII, nearly always: the value copied as one block, then each byte but the
        // White_Space characters (tab, LF, VT, FF, CR and space) made `*`, in one pass that
        // also looks for non-ASCII.
        let start = out.count, n = value.count
        out.append(contentsOf: value)
        var high: UInt8 = 0
        out.withUnsafeMutableBufferPointer { o in
            for k in start..<(start &+ n) {
                let b = o[k]
                high |= b
                o[k] = b &- 0x09 < 5 || b == 0x20 ? b : UInt8(ascii: "*")
            }
        }
        if high < 0x80 { return }
        out.removeSubrange(start...)
        for scalar in String(decoding: value, as: UTF8.self).unicodeScalars {
            if scalar.properties.isWhitespace {
                out += Array(String(scalar).utf8)
            } else {
                out.append(UInt8(ascii: "*"))
            }
        }
    }

    /// Every digit except the last four becomes `*`; everything else is kept.
    public static func keepLast(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        value.withUnsafeBytes { appendKeepLast($0, to: &out) }
        return out
    }

    /// Appends `value` with every digit except the last four as `*`.
    public static func appendKeepLast(_ value: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let digits = value.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        var seen = 0
        out.reserveCapacity(out.count + value.count)
        for b in value {
            guard b >= 0x30 && b <= 0x39 else { out.append(b); continue }
            seen += 1
            out.append(seen <= digits - 4 ? UInt8(ascii: "*") : b)
        }
    }

    /// The first 16 hex digits of HMAC-SHA256(key, value): stable within a run's key.
    public static func pseudonym(_ value: [UInt8], key: [UInt8]) -> String {
        String(Hex.encode(Digest.hmacSHA256(key: key, message: value)).prefix(16))
    }
}
