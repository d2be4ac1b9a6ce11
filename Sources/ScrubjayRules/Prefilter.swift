import ScrubjayJSON
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Decides, in one pass over a string, which rules could match it, so that most strings
/// never reach PCRE2 (gitleaks' keyword idea, docs/RULES.md "Prefilters").
///
/// Two tests, both cheap:
/// - `keywords`: an Aho-Corasick automaton over every rule's keywords, ASCII letters folded
///   to lower case, reports which rules have a keyword somewhere in the string;
/// - `min_digits`: ASCII digits are counted eight bytes at a time.
/// A rule is a candidate when it applies to the string's channel, has no keywords or one of
/// them occurs, and the string holds at least its `min_digits` digits. Candidates are bit
/// sets (`words` 64-bit words, bit `i` for rule `i`), so ruling rules out costs a few word
/// operations per string, not a loop over the rules.
final class Prefilter: @unchecked Sendable {
    /// Number of 64-bit words in a rule set.
    let words: Int
    /// Byte to input class (ASCII letters folded; bytes no keyword uses share class 0).
    private let classOf: UnsafeMutablePointer<UInt16>
    private let classCount: Int
    /// Transition table: a row of `classCount` entries per state, each entry the next state's
    /// row offset. One load per byte and nothing else on the chain of dependent operations:
    /// the rows of states that complete a keyword lie at `acceptBit` and above (the others
    /// below it), so whether a keyword ended is one bit of the row, tested off the chain.
    private let delta: UnsafeMutablePointer<UInt32>
    private let deltaCount: Int
    private let acceptBit: UInt32
    /// Per accepting state (rows from `acceptBit` on, in order), `words` words: the rules one
    /// of whose keywords ends there.
    private let outputs: UnsafeMutablePointer<UInt64>
    /// ⌈2³² / classCount⌉: a row offset divided by `classCount` with a multiplication.
    private let rowReciprocal: UInt64
    private let stateCount: Int
    /// Longest keyword, in bytes (the overlap between lanes of the interleaved scan).
    private let longestKeyword: Int
    /// Rules without keywords (`words` words).
    private let keywordFree: UnsafeMutablePointer<UInt64>
    /// Row `d` (`words` words): the rules whose `min_digits` is at most `d`, for `d` up to
    /// `maxMinDigits` (a string with more digits uses the last row).
    private let digitRows: UnsafeMutablePointer<UInt64>
    private let maxMinDigits: Int
    /// Row `Channel.ordinal` (`words` words): the rules that apply to that channel.
    private let channelRows: UnsafeMutablePointer<UInt64>
    /// Per `Channel.ordinal`, how many rules apply to that channel.
    private let channelRuleCounts: [Int]
    /// The rules whose keywords are searched for one rule at a time instead: all rules with
    /// keywords when they are too many for the automaton (`maxTableEntries`), else none.
    let searchedRules: [(rule: Int, keywords: [[UInt8]])]

    /// The largest transition table built (entries of four bytes: 64 MiB). Keywords whose
    /// automaton could need more are searched rule by rule instead: slower, the same
    /// candidates, and a rule pack with a long keyword list (a list of names, say) is still
    /// accepted.
    static let maxTableEntries = 1 << 24

    init(rules allRules: [Rule], maxTableEntries: Int = Prefilter.maxTableEntries) {
        // Only rules with channels (pattern rules) are ever candidates: the bit sets end at the
        // last of them. Field, selector and attribute rules after it take no bits, so the
        // default packs (their pattern rules first, up to 64 of them) keep one word however
        // many such rules follow.
        let rules = Array(allRules.prefix((allRules.lastIndex { !$0.channels.isEmpty } ?? -1) + 1))
        words = max(1, (rules.count + 63) / 64)
        longestKeyword = rules.flatMap(\.keywords).map(\.count).max() ?? 0
        keywordFree = .allocate(capacity: words)
        keywordFree.initialize(repeating: 0, count: words)
        maxMinDigits = rules.map(\.minDigits).max() ?? 0
        digitRows = .allocate(capacity: (maxMinDigits + 1) * words)
        digitRows.initialize(repeating: 0, count: (maxMinDigits + 1) * words)
        channelRows = .allocate(capacity: Channel.allCases.count * words)
        channelRows.initialize(repeating: 0, count: Channel.allCases.count * words)
        var ruleCounts = [Int](repeating: 0, count: Channel.allCases.count)
        for (i, r) in rules.enumerated() {
            let word = i / 64, bit: UInt64 = 1 << UInt64(i % 64)
            if r.keywords.isEmpty { keywordFree[word] |= bit }
            for d in r.minDigits...maxMinDigits { digitRows[d * words + word] |= bit }
            for c in r.channels where channelRows[c.ordinal * words + word] & bit == 0 {
                channelRows[c.ordinal * words + word] |= bit
                ruleCounts[c.ordinal] += 1
            }
        }
        channelRuleCounts = ruleCounts

        @inline(__always) func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        // Input classes: one per distinct (folded) byte used in a keyword.
        var cls = [UInt16](repeating: 0, count: 256)
        var next: UInt16 = 1
        for r in rules { for k in r.keywords { for b in k where cls[Int(fold(b))] == 0 { cls[Int(fold(b))] = next; next += 1 } } }
        for b in 0x41...0x5A { cls[b] = cls[b | 0x20] }
        // The automaton has at most one state per keyword byte, and its table at most three
        // rows per state (see `acceptBit` below); beyond the budget, no automaton.
        let keywordBytes = rules.reduce(0) { $0 + $1.keywords.reduce(0) { $0 + $1.count } }
        guard (keywordBytes + 1) * Int(next) * 3 <= maxTableEntries else {
            searchedRules = rules.enumerated().filter { !$0.element.keywords.isEmpty }.map { ($0.offset, $0.element.keywords) }
            classCount = 1
            classOf = .allocate(capacity: 256)
            classOf.initialize(repeating: 0, count: 256)
            stateCount = 1
            acceptBit = 1
            deltaCount = 1
            delta = .allocate(capacity: 1)
            delta.initialize(to: 0)
            outputs = .allocate(capacity: words)
            outputs.initialize(repeating: 0, count: words)
            rowReciprocal = 1 << 32
            return
        }
        searchedRules = []
        classCount = Int(next)

        // The trie.
        var goto: [[Int32]] = [[Int32](repeating: -1, count: Int(next))]
        var out: [[Int]] = [[]]
        for (ri, r) in rules.enumerated() {
            for k in r.keywords where !k.isEmpty {
                var s = 0
                for b in k {
                    let c = Int(cls[Int(fold(b))])
                    if goto[s][c] < 0 {
                        goto[s][c] = Int32(goto.count)
                        goto.append([Int32](repeating: -1, count: Int(next)))
                        out.append([])
                    }
                    s = Int(goto[s][c])
                }
                out[s].append(ri)
            }
        }
        // Failure links, breadth first, turning the trie into a full automaton.
        var fail = [Int](repeating: 0, count: goto.count)
        var queue: [Int] = []
        for c in 0..<Int(next) {
            if goto[0][c] < 0 { goto[0][c] = 0 } else { queue.append(Int(goto[0][c])) }
        }
        var head = 0
        while head < queue.count {
            let s = queue[head]; head += 1
            out[s] += out[fail[s]]
            for c in 0..<Int(next) {
                let t = goto[s][c]
                if t < 0 {
                    goto[s][c] = goto[fail[s]][c]
                } else {
                    fail[Int(t)] = Int(goto[fail[s]][c])
                    queue.append(Int(t))
                }
            }
        }
        // Class 0 (a byte no keyword uses) always returns to the start state.
        stateCount = goto.count
        classOf = .allocate(capacity: 256)
        for b in 0..<256 { classOf[b] = cls[b] }
        // Rows: states that complete no keyword first (the start state, which completes none,
        // stays at 0), then, from the power of two `acceptBit` on, the states that complete one.
        let accepting = (0..<stateCount).filter { !out[$0].isEmpty }
        let plain = (0..<stateCount).filter { out[$0].isEmpty }
        var bit = 1
        while bit < max(plain.count, accepting.count, 1) * classCount { bit <<= 1 }
        acceptBit = UInt32(bit)
        var rowOf = [Int](repeating: 0, count: stateCount)
        for (k, s) in plain.enumerated() { rowOf[s] = k * classCount }
        for (k, s) in accepting.enumerated() { rowOf[s] = bit + k * classCount }
        deltaCount = bit + max(accepting.count, 1) * classCount
        // Within the budget checked above, so row offsets fit in 32 bits and `emit`'s division
        // by multiplication is exact (it needs deltaCount · classCount < 2³²).
        assert(deltaCount <= maxTableEntries && UInt64(deltaCount) * UInt64(classCount) < 1 << 32)
        rowReciprocal = ((1 << 32) + UInt64(classCount) - 1) / UInt64(classCount)
        delta = .allocate(capacity: deltaCount)
        delta.initialize(repeating: 0, count: deltaCount)
        outputs = .allocate(capacity: max(accepting.count, 1) * words)
        outputs.initialize(repeating: 0, count: max(accepting.count, 1) * words)
        for s in 0..<stateCount {
            for c in 0..<classCount { delta[rowOf[s] + c] = UInt32(rowOf[Int(goto[s][c])]) }
        }
        for (k, s) in accepting.enumerated() {
            for r in out[s] { outputs[k * words + r / 64] |= 1 << UInt64(r % 64) }
        }
    }

    deinit {
        classOf.deallocate(); delta.deallocate(); outputs.deallocate()
        keywordFree.deallocate(); digitRows.deallocate(); channelRows.deallocate()
    }

    /// The rules that apply to `channel` (`words` words).
    func rules(for channel: Channel) -> UnsafePointer<UInt64> {
        UnsafePointer(channelRows + channel.ordinal * words)
    }

    /// How many rules apply to `channel` (the bits of `rules(for:)`).
    func ruleCount(for channel: Channel) -> Int { channelRuleCounts[channel.ordinal] }

    /// Writes into `candidates` (`words` words) the rules of `allowed` that could match
    /// `text`, and returns how many there are. Most strings have none, so bits are counted
    /// only in a word that has some (the build targets CPUs without a popcount instruction,
    /// where counting bits costs a dozen instructions).
    @inline(__always)
    func candidates(_ text: UnsafeRawBufferPointer, allowed: UnsafePointer<UInt64>, into candidates: UnsafeMutablePointer<UInt64>) -> Int {
        let digits = min(Prefilter.countDigits(text), maxMinDigits)
        let digitRow = digitRows + digits * words
        // The first word by itself: rule sets of up to 64 rules (the default packs) need no
        // loop, and a variable-length loop here becomes a call to memset.
        candidates[0] = 0
        var w = 1
        while w < words { candidates[w] = 0; w &+= 1 }
        if stateCount > 1 { var hits = candidates; findKeywords(text, into: &hits) }
        for (r, keywords) in searchedRules where allowed[r / 64] & (1 << UInt64(r % 64)) != 0 {
            if Prefilter.occurs(keywords, atLeast: 1, in: text) { candidates[r / 64] |= 1 << UInt64(r % 64) }
        }
        var kept = 0
        w = 0
        repeat {
            let c = allowed[w] & (candidates[w] | keywordFree[w]) & digitRow[w]
            if c != 0 { kept &+= c.nonzeroBitCount }
            candidates[w] = c
            w &+= 1
        } while w < words
        return kept
    }

    /// `candidates` for a rule set of one word (`words == 1`): the candidates as the result,
    /// with no memory to clear or write.
    @inline(__always)
    func candidates(_ text: UnsafeRawBufferPointer, allowed: UInt64) -> UInt64 {
        let digits = min(Prefilter.countDigits(text), maxMinDigits)
        var hits: UInt64 = 0
        if stateCount > 1 { findKeywords(text, into: &hits) }
        for (r, keywords) in searchedRules where allowed & (1 << UInt64(r)) != 0 {
            if Prefilter.occurs(keywords, atLeast: 1, in: text) { hits |= 1 << UInt64(r) }
        }
        return allowed & (hits | keywordFree[0]) & digitRows[digits]
    }

    /// Writes into `hits` (`words` words) the rules of `allowed` one of whose keywords occurs
    /// in `text` (the keyword test of `candidates` alone: no digit minimum, no rules without
    /// keywords).
    func keywordRules(_ text: UnsafeRawBufferPointer, allowed: UnsafePointer<UInt64>, into hits: UnsafeMutablePointer<UInt64>) {
        for w in 0..<words { hits[w] = 0 }
        if stateCount > 1 { var sink = hits; findKeywords(text, into: &sink) }
        for (r, keywords) in searchedRules where allowed[r / 64] & (1 << UInt64(r % 64)) != 0 {
            if Prefilter.occurs(keywords, atLeast: 1, in: text) { hits[r / 64] |= 1 << UInt64(r % 64) }
        }
        for w in 0..<words { hits[w] &= allowed[w] }
    }

    /// `text`'s UTF-8 with ASCII letters in lower case, as keywords and required texts are kept
    /// (the text searched is folded the same way).
    static func asciiLowercased(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// Whether one of `keywords` (lower case) occurs at least `count` times in `text`, ASCII
    /// case folded, occurrences not overlapping (`min_keyword_count`). Never inlined: inlined
    /// into the rule loop, its set-up was hoisted to run for every string, candidate or not.
    @inline(never)
    static func occurs(_ keywords: [[UInt8]], atLeast count: Int, in text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let n = text.count
        @inline(__always) func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        for k in keywords where k.count * count <= n {
            // A one-byte keyword other than a letter (':' and '-' of the IPv6 and MAC rules):
            // its bytes are counted eight at a time.
            if k.count == 1 && !(k[0] >= 0x61 && k[0] <= 0x7A) {
                if Prefilter.count(of: k[0], in: text) >= count { return true }
                continue
            }
            var seen = 0
            var i = 0
            let first = k[0]
            while i &+ k.count <= n {
                if fold(base[i]) == first && (1..<k.count).allSatisfy({ fold(base[i &+ $0]) == k[$0] }) {
                    seen &+= 1
                    if seen >= count { return true }
                    i &+= k.count
                } else {
                    i &+= 1
                }
            }
        }
        return false
    }

    /// The number of bytes of `text` that are `byte`, eight at a time (`countWords`).
    static func count(of byte: UInt8, in text: UnsafeRawBufferPointer) -> Int {
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        // Bytes shifted in at the top of the last word are made ones, which are not `byte`'s zeros.
        return countWords(text, byte: { $0 == byte }, word: { x, seen in zeroBytesIn((x ^ pattern) >> seen | ~(~0 >> seen)) })
    }

    /// The number of zero bytes in `x`, exactly (no borrow from one byte reaches the next).
    @inline(__always)
    static func zeroBytesIn(_ x: UInt64) -> Int {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return highBitCount(~(((x & low7) &+ low7) | x | low7))
    }

    /// The number of ASCII digits in `text`, eight bytes at a time (`countWords`).
    static func countDigits(_ text: UnsafeRawBufferPointer) -> Int {
        #if arch(x86_64)
        if text.count >= 16 { return countDigits16(text) }
        #endif
        // Zero bytes shifted in at the top of the last word are not digits.
        return countWords(text, byte: { $0 &- 0x30 < 10 }, word: { x, seen in digitsIn(x >> seen) })
    }

    #if arch(x86_64)
    /// `countDigits` of sixteen bytes or more, sixteen at a time (SSE2: two signed compares,
    /// which also leave out every byte above 0x7F, `pmovmskb`, a population count); the last
    /// sixteen overlap the ones before, whose bits are shifted out.
    @inline(__always)
    static func countDigits16(_ text: UnsafeRawBufferPointer) -> Int {
        let base = text.baseAddress!
        let n = text.count
        @inline(__always) func digitMask(_ at: Int) -> UInt32 {
            let v = _mm_loadu_si128((base + at).assumingMemoryBound(to: __m128i_u.self))
            let digits = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x2F)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x3A)))
            return UInt32(truncatingIfNeeded: _mm_movemask_epi8(digits))
        }
        var count = 0
        var i = 0
        while i &+ 16 <= n {
            count &+= digitMask(i).nonzeroBitCount
            i &+= 16
        }
        if i < n { count &+= (digitMask(n &- 16) >> UInt32(i &- (n &- 16))).nonzeroBitCount }
        return count
    }
    #endif

    /// The bytes of `text` that `byte` accepts, counted eight at a time by `word(x, seen)`, which
    /// counts the bytes of the word `x` that are left after shifting `seen` bits out at the
    /// bottom. A string of eight bytes or more ends with one more word that overlaps the last
    /// full one, its bytes already counted shifted out (no loop over the last few bytes, whose
    /// count the branch predictor cannot guess); shorter strings go byte by byte.
    @inline(__always)
    static func countWords(_ text: UnsafeRawBufferPointer, byte: (UInt8) -> Bool, word: (UInt64, UInt64) -> Int) -> Int {
        guard let base = text.baseAddress else { return 0 }
        let n = text.count
        var count = 0
        guard n >= 8 else {
            for i in 0..<n where byte(base.load(fromByteOffset: i, as: UInt8.self)) { count &+= 1 }
            return count
        }
        var i = 0
        while i &+ 8 <= n {
            count &+= word(base.loadUnaligned(fromByteOffset: i, as: UInt64.self), 0)
            i &+= 8
        }
        if i < n {
            // Bytes [n - 8, i) were counted: shifted out (little-endian: the low bytes).
            count &+= word(base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), UInt64(i &- (n &- 8)) &* 8)
        }
        return count
    }

    /// The number of ASCII digits among the eight bytes of `x` (zero bytes are not digits).
    @inline(__always)
    static func digitsIn(_ x: UInt64) -> Int {
        let high: UInt64 = 0x8080_8080_8080_8080, low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let lo = x & low7
        // Per byte: (b & 0x7F) >= 0x30, (b & 0x7F) >= 0x3A, and b < 0x80; no carry crosses bytes.
        let atLeast30 = (lo &+ 0x5050_5050_5050_5050) & high
        let atLeast3A = (lo &+ 0x4646_4646_4646_4646) & high
        return highBitCount(atLeast30 & ~atLeast3A & ~x & high)
    }

    /// Sets in `hits` (`words` words, already cleared) the bits of the rules with a keyword in
    /// `text`. Longer strings run two or four automata side by side over stretches of the string
    /// (each starting `longestKeyword - 1` bytes early, so no occurrence across a boundary is
    /// missed): the four chains of table loads overlap instead of waiting on each other.
    @inline(__always)
    func findKeywords<Hits: KeywordHits>(_ text: UnsafeRawBufferPointer, into hits: inout Hits) {
        guard let raw = text.baseAddress else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let n = text.count
        let overlap = longestKeyword - 1
        let q = n / 4
        guard q > overlap && q >= 8 else {
            if n / 2 > overlap && n >= 16 {
                // Two lanes: [0, h) and [h − overlap, n).
                let h = n / 2, s1 = h - overlap
                var r0: UInt32 = 0, r1: UInt32 = 0
                for k in 0..<h {
                    r0 = delta[Int(r0 &+ UInt32(classOf[Int(base[k])]))]
                    r1 = delta[Int(r1 &+ UInt32(classOf[Int(base[s1 &+ k])]))]
                    if (r0 | r1) & acceptBit != 0 {
                        if r0 & acceptBit != 0 { emit(r0, into: &hits) }
                        if r1 & acceptBit != 0 { emit(r1, into: &hits) }
                    }
                }
                continueRun(base, from: s1 + h, to: n, row: r1, into: &hits)
            } else {
                continueRun(base, from: 0, to: n, row: 0, into: &hits)
            }
            return
        }
        // Lane k scans [k·q − overlap, (k+1)·q) (lane 0 from 0, lane 3 to n); the shared loop
        // covers q bytes of each lane, then each lane finishes alone.
        let s0 = 0, s1 = q - overlap, s2 = 2 * q - overlap, s3 = 3 * q - overlap
        var r0: UInt32 = 0, r1: UInt32 = 0, r2: UInt32 = 0, r3: UInt32 = 0
        for k in 0..<q {
            r0 = delta[Int(r0 &+ UInt32(classOf[Int(base[s0 &+ k])]))]
            r1 = delta[Int(r1 &+ UInt32(classOf[Int(base[s1 &+ k])]))]
            r2 = delta[Int(r2 &+ UInt32(classOf[Int(base[s2 &+ k])]))]
            r3 = delta[Int(r3 &+ UInt32(classOf[Int(base[s3 &+ k])]))]
            if (r0 | r1 | r2 | r3) & acceptBit != 0 {
                if r0 & acceptBit != 0 { emit(r0, into: &hits) }
                if r1 & acceptBit != 0 { emit(r1, into: &hits) }
                if r2 & acceptBit != 0 { emit(r2, into: &hits) }
                if r3 & acceptBit != 0 { emit(r3, into: &hits) }
            }
        }
        // Lane 0 ended at q; lanes 1 and 2 have `overlap` bytes left; lane 3 runs to n.
        continueRun(base, from: s1 + q, to: 2 * q, row: r1, into: &hits)
        continueRun(base, from: s2 + q, to: 3 * q, row: r2, into: &hits)
        continueRun(base, from: s3 + q, to: n, row: r3, into: &hits)
    }

    /// Adds the rules of the accepting state at `row` to `hits`.
    @inline(__always)
    private func emit<Hits: KeywordHits>(_ row: UInt32, into hits: inout Hits) {
        let k = Int((UInt64(row &- acceptBit) &* rowReciprocal) >> 32)
        hits.add(outputs + k &* words, words: words)
    }

    @inline(__always)
    private func continueRun<Hits: KeywordHits>(_ base: UnsafePointer<UInt8>, from: Int, to: Int, row start: UInt32, into hits: inout Hits) {
        var row = start
        var i = from
        while i < to {
            row = delta[Int(row &+ UInt32(classOf[Int(base[i])]))]
            if row & acceptBit != 0 { emit(row, into: &hits) }
            i &+= 1
        }
    }
}

/// Where `Prefilter.findKeywords` adds the rules of each keyword it finds: a bit set of
/// `words` words in memory, or one word in a register (`UInt64`, rule sets of up to 64 rules).
protocol KeywordHits {
    mutating func add(_ rules: UnsafePointer<UInt64>, words: Int)
}

extension UnsafeMutablePointer: KeywordHits where Pointee == UInt64 {
    @inline(__always)
    func add(_ rules: UnsafePointer<UInt64>, words: Int) {
        for w in 0..<words { self[w] |= rules[w] }
    }
}

extension UInt64: KeywordHits {
    @inline(__always)
    mutating func add(_ rules: UnsafePointer<UInt64>, words: Int) { self |= rules[0] }
}
