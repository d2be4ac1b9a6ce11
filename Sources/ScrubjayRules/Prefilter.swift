/// Decides, in one pass over a string, which rules could match it, so that most strings
/// never reach PCRE2 (gitleaks' keyword idea, docs/RULES.md "Prefilters").
///
/// Two tests, both cheap:
/// - `keywords`: an Aho-Corasick automaton over every rule's keywords, ASCII letters folded
///   to lower case, reports which rules have a keyword somewhere in the string;
/// - `min_digits`: the same pass counts ASCII digits.
/// A rule is a candidate when it has no keywords or one of them occurs, and the string holds
/// at least its `min_digits` digits.
final class Prefilter: @unchecked Sendable {
    /// Number of 64-bit words in a rule set.
    let words: Int
    /// Byte to input class (ASCII letters folded; bytes no keyword uses share class 0).
    private let classOf: UnsafeMutablePointer<UInt16>
    private let classCount: Int
    /// Transition table, `states × classCount`. Each entry is the next state's row offset
    /// (state × classCount) shifted left by one, with bit 0 set when that state completes a
    /// keyword (then `outputs` holds the rules): one load per byte, no multiplication.
    private let delta: UnsafeMutablePointer<Int32>
    /// Per state, `words` words: the rules one of whose keywords ends here.
    private let outputs: UnsafeMutablePointer<UInt64>
    private let stateCount: Int
    /// Per rule: whether it has keywords, and its digit minimum.
    let needsKeyword: [Bool]
    let minDigits: [Int]

    init(rules: [Rule]) {
        words = max(1, (rules.count + 63) / 64)
        needsKeyword = rules.map { !$0.keywords.isEmpty }
        minDigits = rules.map(\.minDigits)

        @inline(__always) func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        // Input classes: one per distinct (folded) byte used in a keyword.
        var cls = [UInt16](repeating: 0, count: 256)
        var next: UInt16 = 1
        for r in rules { for k in r.keywords { for b in k where cls[Int(fold(b))] == 0 { cls[Int(fold(b))] = next; next += 1 } } }
        for b in 0x41...0x5A { cls[b] = cls[b | 0x20] }
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
        delta = .allocate(capacity: stateCount * classCount)
        outputs = .allocate(capacity: stateCount * words)
        outputs.initialize(repeating: 0, count: stateCount * words)
        for s in 0..<stateCount {
            for c in 0..<classCount {
                let t = Int(goto[s][c])
                delta[s * classCount + c] = Int32(t * classCount) << 1 | (out[t].isEmpty ? 0 : 1)
            }
            for r in out[s] { outputs[s * words + r / 64] |= 1 << UInt64(r % 64) }
        }
    }

    deinit {
        classOf.deallocate(); delta.deallocate(); outputs.deallocate()
    }

    /// Scans `text` once: sets the bits of rules with a keyword in it in `keywordHits`
    /// (`words` words, cleared first) and returns the number of ASCII digits.
    @inline(__always)
    func scan(_ text: UnsafeRawBufferPointer, keywordHits: UnsafeMutablePointer<UInt64>) -> Int {
        for w in 0..<words { keywordHits[w] = 0 }
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let n = text.count
        var digits = 0
        var row = 0
        if stateCount == 1 {
            for i in 0..<n { digits &+= (base[i] &- 0x30) < 10 ? 1 : 0 }
            return digits
        }
        for i in 0..<n {
            let b = base[i]
            digits &+= (b &- 0x30) < 10 ? 1 : 0
            let d = delta[row &+ Int(classOf[Int(b)])]
            row = Int(d >> 1)
            if d & 1 != 0 {
                let state = row / classCount
                for w in 0..<words { keywordHits[w] |= outputs[state &* words &+ w] }
            }
        }
        return digits
    }
}
