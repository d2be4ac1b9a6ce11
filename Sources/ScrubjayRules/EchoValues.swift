import ScrubjayNative

/// The values a pass rewrote for where they stood rather than for what they look like: a
/// field's typed value (`mask_input`), an element's text (`mask_text`), an attribute or a
/// payload field a rule names. The page may show such a value again where no rule reaches it
/// ("Thank you, Ana Lima", a name typed into a masked field; ../shared/FORMATS.md, "Known
/// record-time leaks"): an echo rule, armed with them (`Rule.echoing`), finds it there in a
/// second pass (docs/RULES.md, "Echo rules").
///
/// Kept in memory for the run only; never written anywhere.
public struct EchoValues: Sendable {
    /// The fewest characters a value has to be learned: shorter ones ("No", "42") would mask
    /// words everywhere.
    public static let minimumCharacters = 3

    /// A node of a window's page (field values and text are per node).
    struct Node: Hashable { let window: String; let id: Int }
    /// Per node, the value its last finding rewrote: the keystrokes of a field ("A", "An",
    /// "Ana") replace one another, so that only what the field came to hold is learned.
    private var lastByNode: [Node: [UInt8]] = [:]
    /// Values with no node (payload fields), and earlier values of a node that the field did
    /// not grow out of or shrink back into (a second name typed after clearing the field).
    private var others: Set<[UInt8]> = []

    public init() {}

    /// Whether nothing has been learned.
    public var isEmpty: Bool { lastByNode.isEmpty && others.isEmpty }

    /// Learns `value`, which a rule rewrote in node `nodeId` of `window` (nil: not a node's),
    /// trimmed of white space; ignored when it has fewer than `minimumCharacters` characters or
    /// no letter or digit (a value masked at record time, `*****`).
    public mutating func learn(_ value: UnsafeRawBufferPointer, window: String, nodeId: Int?) {
        guard let v = EchoValues.learnable(value) else { return }
        guard let nodeId else { others.insert(v); return }
        let node = Node(window: window, id: nodeId)
        if let last = lastByNode[node], last != v, !v.starts(with: last), !last.starts(with: v) { others.insert(last) }
        lastByNode[node] = v
    }

    /// Every value learned, once each, longest first (then in byte order).
    public var values: [[UInt8]] {
        Set(lastByNode.values).union(others).sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    /// `value` trimmed of ASCII white space, when it is worth learning.
    static func learnable(_ value: UnsafeRawBufferPointer) -> [UInt8]? {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var lo = 0, hi = value.count
        while lo < hi && isSpace(value[lo]) { lo += 1 }
        while hi > lo && isSpace(value[hi - 1]) { hi -= 1 }
        let v = UnsafeRawBufferPointer(rebasing: value[lo..<hi])
        // Characters: bytes that do not continue a UTF-8 sequence.
        var characters = 0, wordy = false
        for b in v {
            if b & 0xC0 != 0x80 { characters += 1 }
            if b >= 0x80 || (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 { wordy = true }
        }
        return characters >= minimumCharacters && wordy ? Array(v) : nil
    }
}

extension Rule {
    /// This echo rule armed with `values` (`EchoValues.values`): it then reads its channels
    /// (`echoChannels`) and finds each value where it stands as a whole (no letter, digit or
    /// `_` right before or after it), in any case, any run of white space in the value
    /// standing for any other. Its keywords (the prefilter) are each value's longest run of
    /// ASCII letters and digits; a value without one makes the rule run on every string.
    public func echoing(_ values: [[UInt8]]) -> Rule {
        precondition(kind == .echo, "only echo rules are armed")
        var keywords = Set<[UInt8]>()
        var everyString = false
        for v in values {
            if let k = Rule.longestASCIIWord(v) { keywords.insert(k) } else { everyString = true }
        }
        var patterns = Rule.echoPatterns(values)
        let first = patterns.isEmpty ? pattern : patterns.removeFirst()
        return Rule(id: id, description: description, category: category, severity: severity, kind: .echo,
                    channels: values.isEmpty ? [] : echoChannels, pattern: first, group: 0,
                    keywords: everyString ? [] : keywords.sorted { $0.lexicographicallyPrecedes($1) }, minDigits: 0, validator: nil,
                    minEntropy: minEntropy, allowValues: allowValues, allowPatterns: allowPatterns, action: action,
                    replacement: replacement, examples: examples, source: source,
                    echoChannels: echoChannels, morePatterns: patterns, learnFrom: learnFrom)
    }

    /// The never-matching pattern of an echo rule that is not armed.
    static let unarmedEchoPattern = "(*FAIL)"

    /// The longest run of ASCII letters and digits in `v`, lower case (nil: none).
    static func longestASCIIWord(_ v: [UInt8]) -> [UInt8]? {
        var best = 0..<0, start = 0
        for i in 0...v.count {
            let alnum = i < v.count && ((v[i] | 0x20) &- 0x61 < 26 || v[i] &- 0x30 < 10)
            if !alnum {
                if i - start > best.count { best = start..<i }
                start = i + 1
            }
        }
        return best.isEmpty ? nil : v[best].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// Patterns finding `values` (longest first, so that the longest value at a place wins),
    /// cut where one pattern would grow past `echoPatternBytes`; a part PCRE2 refuses is cut
    /// in two again, and a single value it refuses is left out.
    static func echoPatterns(_ values: [[UInt8]]) -> [PCRE2Regex] {
        var out: [PCRE2Regex] = []
        func compile(_ part: ArraySlice<[UInt8]>) {
            guard !part.isEmpty else { return }
            let text = "(?<![\\p{L}\\p{N}_])(?:" + part.map(echoAlternative).joined(separator: "|") + ")(?![\\p{L}\\p{N}_])"
            if let r = try? PCRE2Regex(text, options: [.utf, .caseInsensitive]) { out.append(r); return }
            guard part.count > 1 else { return }
            let mid = part.startIndex + part.count / 2
            compile(part[..<mid])
            compile(part[mid...])
        }
        var start = 0, size = 0
        for (i, v) in values.enumerated() {
            if size + v.count * 2 > echoPatternBytes && i > start {
                compile(values[start..<i])
                (start, size) = (i, 0)
            }
            size += v.count * 2 + 1
        }
        compile(values[start...])
        return out
    }

    /// The most pattern text per compiled echo pattern (PCRE2's compiled size is bounded).
    static let echoPatternBytes = 8 << 10

    /// `v` as a PCRE2 alternative: ASCII letters, digits and other characters as they are
    /// (PCRE2 reads UTF-8), other ASCII escaped, runs of white space as `\s+`.
    static func echoAlternative(_ v: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < v.count {
            let b = v[i]
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                while i < v.count && (v[i] == 0x20 || (v[i] >= 0x09 && v[i] <= 0x0D)) { i += 1 }
                out += Array("\\s+".utf8)
                continue
            }
            if b >= 0x80 || (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 {
                out.append(b)
            } else if b < 0x20 || b == 0x7F {
                out += Array("\\x{\(String(b, radix: 16))}".utf8)
            } else {
                out += [UInt8(ascii: "\\"), b] // a backslash before ASCII punctuation: itself
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension RuleEngine {
    /// An engine with this engine's echo rules armed with `values` (`Rule.echoing`), for a
    /// second pass; nil when there is no echo rule or nothing to arm it with.
    public func arming(_ values: [[UInt8]]) -> RuleEngine? {
        guard !values.isEmpty, rules.contains(where: { $0.kind == .echo }) else { return nil }
        return RuleEngine(rules: rules.map { $0.kind == .echo ? $0.echoing(values) : $0 })
    }

    /// Whether `text` holds a keyword of an armed echo rule (or one has none): a test over
    /// the whole of a first pass's output, to tell whether a second pass could change it.
    public func echoesMayOccur(in text: UnsafeRawBufferPointer) -> Bool {
        for (i, r) in rules.enumerated() where r.kind == .echo && !r.channels.isEmpty {
            if r.keywords.isEmpty || hasKeyword(of: i, in: text) { return true }
        }
        return false
    }
}
