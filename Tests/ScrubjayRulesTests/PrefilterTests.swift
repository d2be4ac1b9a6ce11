import Testing
@testable import ScrubjayRules

/// The prefilter's fast paths (eight-byte digit counting, four automata side by side on long
/// strings, keyword counts) against plain loops over the same text.
@Suite("Prefilter internals")
struct PrefilterInternalsTests {
    /// A deterministic pseudo-random generator (xorshift), so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
    }

    static let keywordRules = """
      - id: a
        category: credential
        severity: high
        pattern: 'secret'
        keywords: ['secret', 'api_key']
        action: mask
      - id: b
        category: contact
        severity: low
        pattern: '@'
        keywords: ['@']
        action: mask
      - id: c
        category: location
        severity: low
        pattern: 'x'
        keywords: [' st', 'boulevard']
        action: mask
      - id: d
        category: network
        severity: low
        pattern: ':'
        keywords: [':']
        min_keyword_count: 3
        action: mask

    """

    /// What the prefilter must find: the rules with a keyword in the text, by a naive search.
    func naiveKeywordRules(_ text: [UInt8], _ rules: [Rule]) -> Set<Int> {
        let folded = text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        var out = Set<Int>()
        for (i, r) in rules.enumerated() {
            for k in r.keywords where folded.count >= k.count {
                if (0...(folded.count - k.count)).contains(where: { Array(folded[$0..<$0 + k.count]) == k }) { out.insert(i) }
            }
        }
        return out
    }

    @Test func interleavedKeywordSearchAgreesWithANaiveSearchAtEveryLengthAndPosition() throws {
        let p = try pack(PrefilterInternalsTests.keywordRules)
        let prefilter = Prefilter(rules: p.rules)
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        let alphabet = Array("abcdeSECRTpi_ky@ :boulevardxyz.-0123".utf8)
        let keywords = ["secret", "API_KEY", "@", " st", "Boulevard"].map { Array($0.utf8) }
        var checked = 0
        for length in [0, 1, 5, 15, 29, 30, 40, 59, 60, 63, 64, 65, 100, 257, 1000] {
            for _ in 0..<40 {
                var text = (0..<length).map { _ in alphabet[random.next(alphabet.count)] }
                // Plant a keyword across the lane boundaries (n/4, n/2, 3n/4) half of the time.
                if length > 20 && random.next(2) == 0 {
                    let k = keywords[random.next(keywords.count)]
                    let boundary = length / 4 * (1 + random.next(3))
                    let start = max(0, min(length - k.count, boundary - random.next(k.count)))
                    for (j, b) in k.enumerated() { text[start + j] = b }
                }
                let hits = UnsafeMutablePointer<UInt64>.allocate(capacity: prefilter.words)
                defer { hits.deallocate() }
                for w in 0..<prefilter.words { hits[w] = 0 }
                text.withUnsafeBytes { var sink = hits; prefilter.findKeywords($0, into: &sink) }
                let found = Set((0..<p.rules.count).filter { hits[$0 / 64] & (1 << UInt64($0 % 64)) != 0 })
                if prefilter.words == 1 { // the one-word path, in a register, finds the same
                    var word: UInt64 = 0
                    text.withUnsafeBytes { prefilter.findKeywords($0, into: &word) }
                    #expect(word == hits[0])
                }
                #expect(found == naiveKeywordRules(text, p.rules), "length \(length): \(String(decoding: text, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked == 600)
    }

    /// The built-in packs' keywords, short and long (`hooks.slack.com`, `github_pat_`,
    /// ` boulevard`): planted whole, cut short by one byte, at the ends of the text and across
    /// lane boundaries, in either case.
    @Test func longKeywordsAreFoundWholeAndOnlyWhole() throws {
        let rules = try RuleSet.builtin().packs.flatMap(\.rules)
        let prefilter = Prefilter(rules: rules)
        let keywords = Array(Set(rules.flatMap(\.keywords))).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(keywords.contains { $0.count > 10 })
        var random = Random(state: 7)
        let filler = Array("xq zv 19 ".utf8)
        var checked = 0
        for keyword in keywords {
            for length in [keyword.count, 16, 31, 33, 64, 130] where length >= keyword.count {
                for variant in 0..<4 {
                    var text = (0..<length).map { _ in filler[random.next(filler.count)] }
                    var planted = keyword
                    if variant == 1 { planted = planted.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 } } // upper case
                    if variant == 2 && planted.count > 1 { planted.removeLast() }                            // cut short
                    let start = variant == 3 ? length - planted.count : random.next(length - planted.count + 1)
                    for (j, b) in planted.enumerated() { text[start + j] = b }
                    let hits = UnsafeMutablePointer<UInt64>.allocate(capacity: prefilter.words)
                    defer { hits.deallocate() }
                    for w in 0..<prefilter.words { hits[w] = 0 }
                    text.withUnsafeBytes { var sink = hits; prefilter.findKeywords($0, into: &sink) }
                    let found = Set((0..<rules.count).filter { hits[$0 / 64] & (1 << UInt64($0 % 64)) != 0 })
                    var word: UInt64 = 0 // the built-in packs are one word: the register path
                    text.withUnsafeBytes { prefilter.findKeywords($0, into: &word) }
                    #expect(prefilter.words == 1 && word == hits[0])
                    #expect(found == naiveKeywordRules(text, rules), "\(String(decoding: text, as: UTF8.self))")
                    checked += 1
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test func digitsAreCountedManyBytesAtATimeLikeOneByOne() {
        var random = Random(state: 42)
        // Every length up to 80, each with random bytes and with digits half the time (both
        // the word-at-a-time and the sixteen-at-a-time counts, and their overlapping ends).
        for length in 0..<80 {
            for round in 0..<8 {
                let text = (0..<length).map { _ in
                    round % 2 == 0 || random.next(2) == 0 ? UInt8(truncatingIfNeeded: random.next(256)) : UInt8(0x30 + random.next(10))
                }
                let expected = text.filter { $0 >= 0x30 && $0 <= 0x39 }.count
                #expect(text.withUnsafeBytes(Prefilter.countDigits) == expected, "length \(length)")
            }
        }
        // Bytes next to the digit range, and UTF-8 bytes whose low seven bits are digits.
        let edges: [UInt8] = [0x2F, 0x30, 0x39, 0x3A, 0xB0, 0xB9, 0x00, 0xFF, 0x35, 0x7F]
        #expect(edges.withUnsafeBytes(Prefilter.countDigits) == 3)
    }

    /// `min_keyword_count` of a one-byte keyword counts its bytes eight at a time: the same
    /// answers as counting them one by one, at every length and for every count.
    @Test func oneByteKeywordsAreCountedEightBytesAtATimeLikeOneByOne() {
        var random = Random(state: 7)
        let alphabet: [UInt8] = [0x3A, 0x2D, 0x3A, 0x61, 0x20, 0x00, 0xFF, 0xBA, 0x3B, 0x1A]
        for length in 0..<70 {
            for _ in 0..<8 {
                let text = (0..<length).map { _ in alphabet[random.next(alphabet.count)] }
                for byte: UInt8 in [0x3A, 0x2D, 0x00, 0xFF] {
                    let expected = text.filter { $0 == byte }.count
                    #expect(text.withUnsafeBytes { Prefilter.count(of: byte, in: $0) } == expected, "length \(length), byte \(byte)")
                    for atLeast in 1...6 {
                        let viaKeywords = text.withUnsafeBytes { Prefilter.occurs([[0x61], [byte]], atLeast: atLeast, in: $0) }
                        let naive = expected >= atLeast || text.filter { $0 == 0x41 || $0 == 0x61 }.count >= atLeast
                        #expect(viaKeywords == naive, "length \(length), byte \(byte), at least \(atLeast)")
                    }
                }
            }
        }
    }

    @Test func minKeywordCountNeedsThatManyOccurrencesOfOneKeyword() throws {
        let p = try pack(PrefilterInternalsTests.keywordRules)
        var c = RuleEngine.Counters()
        #expect(RuleEngine(packs: [p]).matches(in: Array("a:b:c".utf8), channel: .text, counters: &c).isEmpty)
        #expect(c.patternRuns == 0 && c.skippedByPrefilter == 4)
        c = RuleEngine.Counters()
        #expect(RuleEngine(packs: [p]).matches(in: Array("a:b:c:d".utf8), channel: .text, counters: &c).map(\.rule) == [3, 3, 3])
        #expect(Prefilter.occurs([Array("ab".utf8)], atLeast: 2, in: UnsafeRawBufferPointer(start: nil, count: 0)) == false)
        #expect(Array("xABxaby".utf8).withUnsafeBytes { Prefilter.occurs([Array("ab".utf8)], atLeast: 2, in: $0) })
        #expect(!Array("aaa".utf8).withUnsafeBytes { Prefilter.occurs([Array("aa".utf8)], atLeast: 2, in: $0) }) // no overlaps
    }

    /// Keywords too many for the automaton's table are searched rule by rule: the same
    /// candidates for every text, so the same matches (this used to stop the program).
    @Test func keywordsBeyondTheTableBudgetAreSearchedRuleByRule() throws {
        let p = try pack(PrefilterInternalsTests.keywordRules)
        let automaton = Prefilter(rules: p.rules)
        let searched = Prefilter(rules: p.rules, maxTableEntries: 16)
        #expect(automaton.searchedRules.isEmpty)
        #expect(searched.searchedRules.map(\.rule) == [0, 1, 2, 3])
        var random = Random(state: 99)
        let alphabet = Array("abcdeSECRTpi_ky@ :boulevardxyz.-0123".utf8)
        let allowed = [UInt64](repeating: ~0, count: automaton.words)
        for length in [0, 1, 3, 9, 17, 40, 130] {
            for _ in 0..<50 {
                let text = (0..<length).map { _ in alphabet[random.next(alphabet.count)] }
                var a = [UInt64](repeating: 0, count: automaton.words), b = a
                text.withUnsafeBytes { t in
                    _ = automaton.candidates(t, allowed: allowed, into: &a)
                    _ = searched.candidates(t, allowed: allowed, into: &b)
                }
                #expect(a == b, "\(String(decoding: text, as: UTF8.self))")
                // The one-word form (candidates in a register) gives the same word.
                text.withUnsafeBytes { t in
                    #expect(automaton.candidates(t, allowed: ~0) == a[0] && searched.candidates(t, allowed: ~0) == b[0])
                }
            }
        }
    }

    /// Rule sets of up to 64 rules keep their candidates in one register word, larger ones in
    /// memory: the built-in rules alone (one word) and with twenty more rules that match nothing
    /// (two words) find the same in every example of every rule, with the same counters.
    @Test func oneWordAndManyWordRuleSetsFindTheSame() throws {
        let rules = try RuleSet.builtin().packs.flatMap(\.rules)
        let extra = try pack((0..<20).map { k in """
          - id: never\(k)
            category: identifier
            severity: low
            pattern: 'zq\(k)xv'
            keywords: ['zq\(k)xv']
            action: mask

        """ }.joined()).rules
        let one = RuleEngine(rules: rules), two = RuleEngine(rules: rules + extra)
        #expect(Prefilter(rules: rules).words == 1 && Prefilter(rules: rules + extra).words == 2)
        var texts = rules.flatMap { $0.examples.match.map(\.input) + $0.examples.noMatch.map(\.input) }
        texts += ["", "a", "ana@shop.test 4242 4242 4242 4242 and my name is Ana", "password=hunter2&email=x%40y.z"]
        #expect(expectSameFindings(one, two, texts) > 500)
    }

    /// Expects `a` and `b` to find the same in each of `texts` on every channel, with the same
    /// pattern runs and skipped strings; returns how many (text, channel) pairs it compared.
    @discardableResult
    func expectSameFindings(_ a: RuleEngine, _ b: RuleEngine, _ texts: [String]) -> Int {
        var checked = 0
        for text in texts {
            for channel in Channel.allCases {
                var c1 = RuleEngine.Counters(), c2 = RuleEngine.Counters()
                let m1 = a.matches(in: Array(text.utf8), channel: channel, counters: &c1)
                let m2 = b.matches(in: Array(text.utf8), channel: channel, counters: &c2)
                #expect(m1.map(\.rule) == m2.map(\.rule) && m1.map(\.range) == m2.map(\.range), "\(channel) \(text)")
                #expect(c1.patternRuns == c2.patternRuns && c1.stringsSkipped == c2.stringsSkipped, "\(channel) \(text)")
                checked += 1
            }
        }
        return checked
    }

    /// Only pattern rules take candidate bits: field, selector and attribute rules after the
    /// last pattern rule leave the default packs in one word, however many there are, and
    /// change nothing the engine finds.
    @Test func rulesWithoutChannelsTakeNoCandidateBits() throws {
        let rules = try RuleSet.builtin().packs.flatMap(\.rules)
        let selectors = try pack((0..<40).map { k in """
          - id: marker\(k)
            category: free_text
            severity: low
            kind: selector
            selector: '.marker-\(k)'
            action: mask_text

        """ }.joined()).rules
        #expect(rules.count + selectors.count > 64)
        #expect(Prefilter(rules: rules + selectors).words == 1)
        expectSameFindings(RuleEngine(rules: rules), RuleEngine(rules: rules + selectors),
                           rules.flatMap { $0.examples.match.map(\.input) } + ["ana@shop.test 4242 4242 4242 4242"])
    }

    /// A pack of 40,000 keywords (a list of names, say) is too big for a 64 MiB table: it loads
    /// and finds what it should.
    @Test func aPackWithAVeryLongKeywordListLoadsAndMatches() throws {
        var random = Random(state: 5)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let names = (0..<40_000).map { _ in String(decoding: (0..<16).map { _ in letters[random.next(letters.count)] }, as: UTF8.self) }
        let yaml = """
          - id: names
            category: identifier
            severity: medium
            pattern: '(?i)\\b(?:\(names[0..<3].joined(separator: "|")))\\b'
            keywords: [\(names.map { "'\($0)'" }.joined(separator: ", "))]
            action: mask

        """
        let rules = try pack(yaml).rules
        #expect(Prefilter(rules: rules).searchedRules.map(\.rule) == [0])
        let engine = RuleEngine(rules: rules)
        var c = RuleEngine.Counters()
        #expect(engine.matches(in: Array("hello \(names[1].uppercased()) there".utf8), channel: .text, counters: &c).count == 1)
        #expect(engine.matches(in: Array("hello \(names[39_999]) there".utf8), channel: .text, counters: &c).isEmpty) // a keyword, not the pattern
        #expect(c.patternRuns == 2)
        #expect(engine.matches(in: Array("nothing to see".utf8), channel: .text, counters: &c).isEmpty)
        #expect(c.patternRuns == 2)
    }

    /// A pattern rule `r` with each of `cases`' keys added fails to load with its message.
    func expectLoadErrors(_ cases: [(yaml: String, message: String)]) {
        for (yaml, message) in cases {
            do {
                _ = try pack("  - id: r\n    category: network\n    severity: low\n    pattern: ':'\n    action: mask\n" + yaml)
                Issue.record("expected an error for \(yaml)")
            } catch let e as RuleError {
                #expect(e.description.contains(message) && e.description.contains("rule r"), "\(e)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func minKeywordCountIsCheckedWhenLoading() throws {
        expectLoadErrors([
            ("    min_keyword_count: 0\n    keywords: [':']\n", "'min_keyword_count' must be a whole number from 1 to 10000"),
            ("    min_keyword_count: 2\n", "'min_keyword_count' needs 'keywords'"),
        ])
    }

    static let shapeRules = """
      - id: run
        category: financial
        severity: low
        pattern: '(?<![A-Za-z0-9])[A-Z0-9]{14,}(?![A-Za-z0-9])'
        min_alnum_run: 14
        action: mask
      - id: digits
        category: government_id
        severity: low
        pattern: '(?<!\\d)\\d{7}[A-Z]'
        min_digit_run: 7
        min_letters: 1
        action: mask
      - id: kelvin
        category: identifier
        severity: low
        pattern: 'k{3}'
        flags: [caseless]
        min_letters: 3
        action: mask
      - id: userinfo
        category: credential
        severity: high
        pattern: '://([^@/]+)@'
        group: 1
        keywords: ['://']
        requires: ['@', 'Q']
        action: mask

    """

    /// The shape of a string, measured in one pass, against plain counts over the same text.
    @Test func aStringsShapeIsMeasuredLikeByPlainCounts() {
        var random = Random(state: 0xDEAD_BEEF_1234_5678)
        let alphabet = Array("aZ09 -._é".utf8)
        for length in [0, 1, 2, 7, 16, 33, 100] {
            for _ in 0..<50 {
                let text = (0..<length).map { _ in alphabet[random.next(alphabet.count)] }
                let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
                let isLetter = { (b: UInt8) in (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80 }
                func longest(_ p: (UInt8) -> Bool) -> Int {
                    var best = 0, run = 0
                    for b in text { run = p(b) ? run + 1 : 0; best = max(best, run) }
                    return best
                }
                let shape = text.withUnsafeBytes { TextShape($0) }
                #expect(shape.letters == text.filter(isLetter).count)
                #expect(shape.longestDigitRun == longest(isDigit))
                #expect(shape.longestAlnumRun == longest { isDigit($0) || isLetter($0) })
            }
        }
    }

    /// A rule whose shape needs or required texts a string does not meet is not run on it
    /// (counted as skipped); one that meets them finds what its pattern finds, through the
    /// many-rule path and the one-rule path alike.
    @Test func shapeNeedsAndRequiredTextsRuleRunsOut() throws {
        let p = try pack(PrefilterInternalsTests.shapeRules)
        /// What rule `id` alone finds in `text` and whether its pattern ran, through the
        /// many-rule path (the one-rule path must agree).
        func run(_ id: String, _ text: String) -> (found: Int, ran: Bool) {
            let engine = RuleEngine(rules: p.rules.filter { $0.id == id })
            var c = RuleEngine.Counters()
            let found = engine.matches(in: Array(text.utf8), channel: .text, counters: &c)
            var one = RuleEngine.Counters()
            let alone = Array(text.utf8).withUnsafeBytes { engine.matches(in: $0, rule: 0, counters: &one) }
            #expect(alone == found && one.patternRuns == c.patternRuns, "\(id): \(text)")
            #expect(c.patternRuns + c.skippedByPrefilter == 1, "\(id): \(text)")
            return (found.count, c.patternRuns == 1)
        }
        // Thirteen in a row, then fourteen.
        #expect(run("run", "ABCDEFGHIJKLM-NOP") == (0, false))
        #expect(run("run", "ABCDEFGHIJKLMN-OP") == (1, true))
        // Seven digits in a row and a letter; six digits and a letter are not enough, nor
        // seven digits without a letter.
        #expect(run("digits", "id 123456 X") == (0, false))
        #expect(run("digits", "1234567 89") == (0, false))
        #expect(run("digits", "dni 1234567X") == (1, true))
        // A caseless [a-z] matches the Kelvin sign (three bytes, none ASCII): they count as
        // letters, so the rule still runs and finds it.
        #expect(run("kelvin", "\u{212A}\u{212A}\u{212A}") == (1, true))
        #expect(run("kelvin", "kk1") == (0, false))
        // Both required texts, ASCII case folded; the keyword alone is not enough.
        #expect(run("userinfo", "https://ana:pw@host") == (0, false))
        #expect(run("userinfo", "https://ana:pw/quay") == (0, false))
        #expect(run("userinfo", "HTTPS://ana:pw@Quay") == (1, true))
    }

    /// Keywords and required texts are folded as the text is, ASCII letters only: `Über` was
    /// kept as `über`, which no text folded so holds, and the rule never ran (found by review).
    @Test func keywordsAndRequiredTextsFoldOnlyASCIILetters() throws {
        let p = try pack("""
          - id: u
            category: identifier
            severity: low
            pattern: 'Über-\\d+'
            keywords: ['ÜBER-']
            requires: ['Über']
            action: mask

        """)
        #expect(p.rules[0].keywords == [Array("Über-".utf8)] && p.rules[0].requires == [Array("Über".utf8)])
        var c = RuleEngine.Counters()
        #expect(RuleEngine(packs: [p]).matches(in: Array("see Über-42".utf8), channel: .text, counters: &c).count == 1)
        #expect(c.patternRuns == 1)
    }

    @Test func shapeNeedsAndRequiredTextsAreCheckedWhenLoading() throws {
        expectLoadErrors([
            ("    min_letters: -1\n", "'min_letters' must be a whole number from 0 to 10000"),
            ("    min_digit_run: many\n", "'min_digit_run' must be a whole number from 0 to 10000"),
            ("    min_alnum_run: 10001\n", "'min_alnum_run' must be a whole number from 0 to 10000"),
            ("    requires: '@'\n", "'requires' must be a list of texts"),
            ("    requires: ['']\n", "a 'requires' entry must be a text of one character or more"),
        ])
        let echo = "  - id: e\n    kind: echo\n    category: contact\n    severity: low\n    action: mask\n    min_alnum_run: 3\n"
        #expect(throws: RuleError.self) { try pack(echo) }
        let base = "  - id: r\n    category: network\n    severity: low\n    pattern: ':'\n    action: mask\n"
        let r = try pack(base + "    min_letters: 2\n    min_digit_run: 3\n    min_alnum_run: 4\n    requires: ['@', 'X']\n").rules[0]
        #expect(r.shape == ShapeNeeds(minLetters: 2, minDigitRun: 3, minAlnumRun: 4))
        #expect(r.requires == [Array("@".utf8), Array("x".utf8)])
    }
}
