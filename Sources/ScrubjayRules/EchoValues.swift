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
    /// The most bytes a value has to be learned: a pasted document is not shown back whole,
    /// and one pattern per value past about 30 KB is more than PCRE2 compiles.
    public static let maximumBytes = 4096

    /// A node of a window's page (field values and text are per node).
    struct Node: Hashable { let window: String; let id: Int }
    /// Per node, the value its last finding rewrote: the keystrokes of a field ("A", "An",
    /// "Ana") replace one another, so that only what the field came to hold is learned.
    private var lastByNode: [Node: [UInt8]] = [:]
    /// Per node, whether its last value grew out of the one before it (or was its first): a
    /// value the field then shrinks from (`Ana Lima`, then `Ana` or `Ana Silva` after
    /// backspaces or clearing) is what it held at that point, and may have been shown back.
    private var grewByNode: [Node: Bool] = [:]
    /// Values with no node (payload fields), and earlier values of a node that the field did
    /// not grow out of or shrink back into (a second name typed after clearing the field).
    private var others: Set<[UInt8]> = []

    public init() {}

    /// Learns `value`, which a rule rewrote in node `nodeId` of `window` (nil: not a node's),
    /// trimmed of white space; ignored when it has fewer than `minimumCharacters` characters,
    /// more than `maximumBytes` bytes, or no letter or digit (a value masked at record time,
    /// `*****`).
    public mutating func learn(_ value: UnsafeRawBufferPointer, window: String, nodeId: Int?) {
        guard let v = EchoValues.learnable(value) else { return }
        guard let nodeId else { others.insert(v); return }
        let node = Node(window: window, id: nodeId)
        guard let last = lastByNode[node] else { (lastByNode[node], grewByNode[node]) = (v, true); return }
        if last == v { return }
        if v.starts(with: last) {
            grewByNode[node] = true
        } else if last.starts(with: v) {
            // Shrinking: the value it shrinks from is kept when the field had grown into it
            // (a peak), not each value a run of backspaces passes through.
            if grewByNode[node] ?? true { others.insert(last) }
            grewByNode[node] = false
        } else {
            others.insert(last)
            grewByNode[node] = true
        }
        lastByNode[node] = v
    }

    /// The length in bytes of the white space character at `i` of `v` (UTF-8), nil when there
    /// is none: ASCII white space, and what PCRE2's `\h` and `\v` take besides (U+0085,
    /// U+00A0, U+1680, U+180E, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
    static func whiteSpace<C: RandomAccessCollection>(_ v: C, at i: C.Index) -> Int? where C.Element == UInt8, C.Index == Int {
        let b = v[i]
        if b == 0x20 || (b >= 0x09 && b <= 0x0D) { return 1 }
        guard b >= 0xC2, b <= 0xE3 else { return nil }
        let n = v.endIndex - i
        if b == 0xC2 { return n >= 2 && (v[i + 1] == 0x85 || v[i + 1] == 0xA0) ? 2 : nil }
        guard n >= 3 else { return nil }
        let (c, d) = (v[i + 1], v[i + 2])
        switch b {
        case 0xE1: return (c == 0x9A && d == 0x80) || (c == 0xA0 && d == 0x8E) ? 3 : nil
        case 0xE2: return (c == 0x80 && (d <= 0x8A || d == 0xA8 || d == 0xA9 || d == 0xAF)) || (c == 0x81 && d == 0x9F) ? 3 : nil
        case 0xE3: return c == 0x80 && d == 0x80 ? 3 : nil
        default: return nil
        }
    }

    /// Every value learned, once each, longest first (then in byte order).
    public var values: [[UInt8]] {
        Set(lastByNode.values).union(others).sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    /// `value` trimmed of white space (ASCII, and the no-break and other spaces an echo's
    /// pattern takes for white space: `EchoValues.whiteSpace`), when it is worth learning.
    static func learnable(_ value: UnsafeRawBufferPointer) -> [UInt8]? {
        var lo = 0, hi = value.count
        while lo < hi, let n = whiteSpace(value, at: lo) { lo += n }
        trimEnd: while hi > lo {
            for n in 1...3 where hi - n >= lo && whiteSpace(value, at: hi - n) == n { hi -= n; continue trimEnd }
            break
        }
        let v = UnsafeRawBufferPointer(rebasing: value[lo..<hi])
        // Characters: bytes that do not continue a UTF-8 sequence.
        var characters = 0, wordy = false
        for b in v {
            if b & 0xC0 != 0x80 { characters += 1 }
            if b >= 0x80 || (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 { wordy = true }
        }
        return characters >= minimumCharacters && v.count <= maximumBytes && wordy ? Array(v) : nil
    }
}

extension Rule {
    /// This echo rule armed with `values` (`EchoValues.values`): it then reads its channels
    /// (`echoChannels`) and finds each value where it stands as a whole (no letter, digit or
    /// `_` right before or after it; anywhere for a value at whose edge is a script written
    /// without spaces, `edgesInUnspacedScript`), in any case, any run of white space in the
    /// value standing for any other. Its keywords (the prefilter) are each value's longest run of
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
        func compile(_ part: ArraySlice<[UInt8]>, bounded: Bool) {
            guard !part.isEmpty else { return }
            let alternatives = part.map(echoAlternative).joined(separator: "|")
            let text = bounded ? "(?<![\\p{L}\\p{N}_])(?:" + alternatives + ")(?![\\p{L}\\p{N}_])" : "(?:" + alternatives + ")"
            if let r = try? PCRE2Regex(text, options: [.utf, .caseInsensitive]) { out.append(r); return }
            guard part.count > 1 else { return }
            let mid = part.startIndex + part.count / 2
            compile(part[..<mid], bounded: bounded)
            compile(part[mid...], bounded: bounded)
        }
        // A value that starts or ends in a script written without spaces between words (Chinese,
        // Japanese, Thai...) has no word boundary to stand between: found wherever it occurs.
        for bounded in [true, false] {
            let group = values.filter { Rule.edgesInUnspacedScript($0) != bounded }
            var start = 0, size = 0
            for (i, v) in group.enumerated() {
                if size + v.count * 2 > echoPatternBytes && i > start {
                    compile(group[start..<i], bounded: bounded)
                    (start, size) = (i, 0)
                }
                size += v.count * 2 + 1
            }
            compile(group[start...], bounded: bounded)
        }
        return out
    }

    /// Whether `v`'s first or last character is of a script written without spaces between
    /// words: Thai, Lao, Myanmar, Khmer, Hiragana, Katakana and the CJK ideographs.
    static func edgesInUnspacedScript(_ v: [UInt8]) -> Bool {
        let scalars = String(decoding: v, as: UTF8.self).unicodeScalars
        func unspaced(_ c: Unicode.Scalar?) -> Bool {
            switch c?.value ?? 0 {
            case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x3040...0x30FF, 0x3400...0x4DBF,
                 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return true
            default: return false
            }
        }
        return unspaced(scalars.first) || unspaced(scalars.last)
    }

    /// The most pattern text per compiled echo pattern (PCRE2's compiled size is bounded).
    static let echoPatternBytes = 8 << 10

    /// `v` as a PCRE2 alternative: ASCII letters, digits and other characters as they are
    /// (PCRE2 reads UTF-8), other ASCII escaped, runs of white space (`EchoValues.whiteSpace`:
    /// a no-break space too, `Ana\u{A0}Lima`) as `[\h\v]+`, which takes any of them.
    static func echoAlternative(_ v: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < v.count {
            let b = v[i]
            if EchoValues.whiteSpace(v, at: i) != nil {
                while i < v.count, let n = EchoValues.whiteSpace(v, at: i) { i += n }
                out += Array("[\\h\\v]+".utf8)
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
    /// An engine with this engine's echo rules armed (`Rule.echoing`), each with the values
    /// `valuesByRule` holds for its index, for a second pass; nil when no echo rule has a
    /// value to find. An echo rule without values stays as it is (reading no channel).
    public func arming(_ valuesByRule: [Int: [[UInt8]]]) -> RuleEngine? {
        guard valuesByRule.contains(where: { rules[$0.key].kind == .echo && !$0.value.isEmpty }) else { return nil }
        return RuleEngine(rules: rules.enumerated().map { i, r in
            guard r.kind == .echo, let values = valuesByRule[i], !values.isEmpty else { return r }
            return r.echoing(values)
        })
    }
}
