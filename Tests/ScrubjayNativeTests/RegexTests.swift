import Testing
@testable import ScrubjayNative

@Suite("PCRE2Regex")
struct RegexTests {
    @Test("compiles, JIT-compiles and reports capture byte ranges")
    func emailCaptures() throws {
        let regex = try PCRE2Regex(#"([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})"#)
        #expect(regex.isJITCompiled)
        #expect(regex.captureCount == 2)
        let subject = "contact: jane.doe@example.com, thanks"
        let match = try #require(try regex.firstMatch(in: subject))
        #expect(match.range == 9..<29)
        #expect(match.captures == [9..<17, 18..<29])
        #expect(match[group: 0] == 9..<29)
        #expect(match[group: 2] == 18..<29)
        #expect(match[group: 3] == nil)
        let bytes = Array(subject.utf8)
        #expect(String(decoding: bytes[match.range], as: UTF8.self) == "jane.doe@example.com")
        // Same result from [UInt8] and raw buffers.
        #expect(try regex.firstMatch(in: bytes) == match)
        #expect(try bytes.withUnsafeBytes { try regex.firstMatch(in: $0) } == match)
        #expect(try regex.containsMatch(in: bytes))
        #expect(try !regex.containsMatch(in: "no address here"))
        #expect(try regex.firstMatch(in: subject, from: 10).map(\.range) == 10..<29)
        #expect(try regex.firstMatch(in: subject, from: 29) == nil)
    }

    @Test("a bad pattern throws PCRE2's message and offset")
    func compileError() {
        #expect {
            _ = try PCRE2Regex("a(b")
        } throws: { error in
            guard case let RegexError.compile(message, offset, pattern) = error else { return false }
            return message == "missing closing parenthesis" && offset == 3 && pattern == "a(b"
        }
        #expect {
            _ = try PCRE2Regex("ab[c")
        } throws: { error in
            guard case let RegexError.compile(message, offset, _) = error else { return false }
            return message.contains("missing terminating ]") && offset == 4
        }
        let description = String(describing: RegexError.compile(message: "m", offset: 7, pattern: "p"))
        #expect(description.contains("byte offset 7") && description.contains("/p/"))
    }

    @Test("catastrophic backtracking hits the match limit quickly instead of hanging")
    func matchLimit() throws {
        let regex = try PCRE2Regex("(a+)+$", matchLimit: 10_000)
        let subject = String(repeating: "a", count: 32) + "!"
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: RegexError.limitExceeded(.match, pattern: "(a+)+$")) {
                _ = try regex.firstMatch(in: subject)
            }
        }
        #expect(elapsed < .seconds(1))
        // Default limits also stop it (1_000_000 steps), still without hanging.
        let defaults = try PCRE2Regex("(a+)+$")
        #expect(throws: RegexError.self) { _ = try defaults.containsMatch(in: subject) }
    }

    @Test("the depth limit applies in the interpreter")
    func depthLimitInterpreter() throws {
        // (*NO_JIT) forces the interpreter, where the depth limit is enforced.
        let regex = try PCRE2Regex("(*NO_JIT)(a|b)*c", depthLimit: 10)
        #expect(!regex.isJITCompiled)
        #expect(try PCRE2Regex("(a|b)*c").isJITCompiled)
        #expect(throws: RegexError.limitExceeded(.depth, pattern: "(*NO_JIT)(a|b)*c")) {
            // The trailing "c" defeats the required-character pre-check, so the matcher really runs.
            _ = try regex.firstMatch(in: String(repeating: "ab", count: 100) + "c")
        }
    }

    @Test("all matches, including empty ones, advance correctly")
    func allMatchesEmpty() throws {
        let regex = try PCRE2Regex("a*")
        #expect(try regex.matches(in: "baaa").map(\.range) == [0..<0, 1..<4, 4..<4])
        let digits = try PCRE2Regex(#"\d+"#)
        #expect(try digits.matches(in: "a1b22c333").map(\.range) == [1..<2, 3..<5, 6..<9])
        #expect(try digits.matches(in: "").isEmpty)
        #expect(try regex.matches(in: "").map(\.range) == [0..<0])
    }

    @Test("empty matches step over whole UTF-8 code points in UTF mode only")
    func allMatchesUTF8() throws {
        let subject = "é€"  // 2 + 3 bytes
        let utf = try PCRE2Regex("x*", options: .utf)
        #expect(try utf.matches(in: subject).map(\.range) == [0..<0, 2..<2, 5..<5])
        let bytes = try PCRE2Regex("x*")
        #expect(try bytes.matches(in: subject).count == 6)

        let words = try PCRE2Regex(#"\w+"#, options: [.utf, .ucp])
        #expect(try words.matches(in: "héllo wörld").map(\.range) == [0..<6, 7..<13])
        let asciiWords = try PCRE2Regex(#"\w+"#, options: .utf)
        #expect(try asciiWords.matches(in: "héllo").map(\.range) == [0..<1, 3..<6])
    }

    @Test("forEachMatch gives each match's group, as matches(in:) does, without building them")
    func forEachMatchAgreesWithMatches() throws {
        // Empty matches, UTF-8 steps, optional and alternative groups, a group past the last.
        let cases: [(String, PCRE2Regex.Options, String)] = [
            ("a*", [], "baaa"), ("x*", .utf, "é€x"), (#"(\d+)(?:-(\d+))?"#, [], "1-2 33 4-"),
            ("(a)|(b)", [], "abba"), (#"\b(\w+)@(\w+)\.org\b"#, .caseInsensitive, "A@b.org, c@D.ORG"),
            ("q", [], "no such letter"), ("", .utf, "añ"),
        ]
        for (pattern, options, subject) in cases {
            let regex = try PCRE2Regex(pattern, options: options)
            let all = try regex.matches(in: subject)
            for group in 0...(regex.captureCount + 1) {
                var seen: [Range<Int>?] = []
                try Array(subject.utf8).withUnsafeBytes { raw in
                    try regex.forEachMatch(in: raw, group: group, assumeValidUTF8: true) { seen.append($0) }
                }
                #expect(seen == all.map { $0[group: group] }, "/\(pattern)/ group \(group) on \(subject)")
            }
        }
        // Errors are thrown as by matches(in:).
        let explosive = try PCRE2Regex("(a+)+$", matchLimit: 1000)
        #expect(throws: RegexError.self) {
            try Array((String(repeating: "a", count: 40) + "b").utf8).withUnsafeBytes { raw in
                try explosive.forEachMatch(in: raw, group: 0) { _ in }
            }
        }
    }

    @Test("case-insensitive option")
    func caseInsensitive() throws {
        #expect(try PCRE2Regex("hello", options: .caseInsensitive).firstMatch(in: "say HeLLo")?.range == 4..<9)
        #expect(try PCRE2Regex("hello").firstMatch(in: "say HeLLo") == nil)
        #expect(try PCRE2Regex("straße", options: [.caseInsensitive, .utf]).containsMatch(in: "STRAßE"))
    }

    @Test("unset groups are nil")
    func unsetGroups() throws {
        let match = try #require(try PCRE2Regex("(a)|(b)").firstMatch(in: "b"))
        #expect(match.captures == [nil, 0..<1])
        let named = try PCRE2Regex("(?<key>[a-z]+)=(?<value>\\d+)")
        #expect(named.groupNumber(named: "value") == 2)
        #expect(named.groupNumber(named: "missing") == nil)
    }

    @Test("invalid UTF-8 in UTF mode throws with the offset; byte mode matches it")
    func invalidUTF8() throws {
        let utf = try PCRE2Regex("b", options: .utf)
        #expect(throws: RegexError.self) { _ = try utf.firstMatch(in: [0x61, 0xFF, 0x62]) }
        do {
            _ = try utf.firstMatch(in: [0x61, 0xFF, 0x62])
        } catch let RegexError.invalidUTF8(_, offset) {
            #expect(offset == 1)
        }
        #expect(try PCRE2Regex("b").firstMatch(in: [0x61, 0xFF, 0x62])?.range == 2..<3)
        #expect(try PCRE2Regex(#"\xff"#).containsMatch(in: [0x61, 0xFF, 0x62]))
    }

    @Test("a start offset beyond the subject throws")
    func badOffset() throws {
        #expect(throws: RegexError.invalidStartOffset(5, subjectLength: 3)) {
            _ = try PCRE2Regex("a").firstMatch(in: "abc", from: 5)
        }
    }

    /// Each level of a match run inside another match's callback holds its own scratch block:
    /// the first one, then pooled ones, then new ones; given back, eight stay pooled and the
    /// rest are freed (twice over, so pooled blocks are reused and none is freed twice).
    @Test("nested matching on one pattern lends a scratch block per level, and frees the extra ones")
    func nestedUseLendsAndFreesScratchBlocks() throws {
        let regex = try PCRE2Regex(#"(\d+)"#)
        let subject = Array("a1 b22 c333".utf8)
        func nest(_ depth: Int) throws -> Int {
            guard depth > 0 else { return 0 }
            var found = 0
            var inner = 0
            try subject.withUnsafeBytes { raw in
                try regex.forEachMatch(in: raw, group: 1) { range in
                    found += range.map { $0.count } ?? 0
                    if inner == 0 { inner = (try? nest(depth - 1)) ?? -1_000 }
                }
            }
            return found * 100 + inner
        }
        for _ in 0..<2 {
            // Six digits a level (1 + 2 + 3), counted at each of the 12 levels.
            #expect(try nest(12) == 12 * 600)
            // The pattern still works on its own afterwards.
            #expect(try regex.matches(in: subject).map(\.range) == [1..<2, 4..<6, 8..<11])
        }
    }

    @Test("one compiled pattern is shared by concurrent tasks")
    func concurrentUse() async throws {
        let regex = try PCRE2Regex(#"(\w+)@(\w+)\.com"#)
        let subject = Array(String(repeating: "x ", count: 100).utf8) + Array("me@host.com".utf8)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var found = 0
                    for _ in 0..<500 where try regex.firstMatch(in: subject)?.captures == [200..<202, 203..<207] {
                        found += 1
                    }
                    return found
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 500, count: 8))
    }
    /// The tests PCRE2's own analysis allows before it is called (`cannotMatch`): what they
    /// take from the pattern, and that matching with them finds what PCRE2 alone finds.
    @Test("quick rejects read PCRE2's analysis of the pattern and change no result")
    func quickRejects() throws {
        let anchored = try PCRE2Regex(#"\A\[[a-z0-9_.\-]+\]\z"#, options: [.utf])
        #expect(anchored.anchoredFirstByte == UInt8(ascii: "[") && anchored.minLength == 3)
        let masked = try PCRE2Regex(#"\A\*[*\s\-]*\d{0,4}\z"#, options: [.utf])
        #expect(masked.anchoredFirstByte == UInt8(ascii: "*"))
        let pair = try PCRE2Regex(#"\d+;\d+"#)
        #expect(pair.requiredByte == UInt8(ascii: ";") && pair.anchoredFirstByte == 0 && pair.minLength == 3)
        let at = try PCRE2Regex(#"@[a-z]+"#)
        #expect(at.requiredByte == UInt8(ascii: "@"))
        // A letter may stand for another case (`(?i)`, `caseless`, or a fold outside ASCII, as
        // `K` (U+212A) for `k`): never a quick reject on it.
        let letter = try PCRE2Regex(#"\Akey=\d"#, options: [.caseInsensitive, .utf])
        #expect(letter.anchoredFirstByte == 0)
        #expect(try letter.containsMatch(in: "KEY=1") && letter.containsMatch(in: "\u{212A}ey=1"))
        let lastLetter = try PCRE2Regex(#"\d+x"#, options: [.caseInsensitive])
        #expect(lastLetter.requiredByte == 0)

        // Every pattern, with and without the quick rejects, on every subject and start offset.
        let patterns = [#"\A\[[a-z0-9_.\-]+\]\z"#, #"\A\*[*\s\-]*\d{0,4}\z"#, #"\d+;\d+"#, #"@[a-z]+"#,
                        #"\Akey=\d"#, #"(?i)\A\[X\]"#, #"\G-\d"#, #"^#\w+"#, #"(?m)^#\w+"#, #"a(*ACCEPT)b;"#,
                        #"(?<=;)\d{2}"#, #"x(?=;)"#, #"\A(?=[\s*]*[^\s*])[\s\S]+\z"#, #"[;@]"#, #"\K;"#, ""]
        let subjects = ["", "[", "[a]", "[email]", "x[email]", "[email]x", "*", "** 1234", "12;34", "12 34", ";5", "a@bc",
                        "a@", "key=1", "KEY=1", "[x]", "-1-2", "#tag\n#two", "ab;", "a;", ";12", "x;", "  *  ", "\u{212A}ey=1"]
        var compared = 0
        for pattern in patterns {
            for options: PCRE2Regex.Options in [[], [.utf], [.caseInsensitive, .utf]] {
                let fast = try PCRE2Regex(pattern, options: options)
                let plain = try PCRE2Regex(pattern, options: options, matchLimit: PCRE2Regex.defaultMatchLimit,
                                           depthLimit: PCRE2Regex.defaultDepthLimit, jitStackSize: PCRE2Regex.defaultJITStackSize,
                                           quickRejects: false)
                for subject in subjects {
                    let bytes = Array(subject.utf8)
                    // (In UTF mode, start offsets at characters only: PCRE2 rejects others.)
                    for from in 0...bytes.count where !(options.contains(.utf) && from < bytes.count && bytes[from] & 0xC0 == 0x80) {
                        let found = try bytes.withUnsafeBytes { try fast.matches(in: $0, from: from, assumeValidUTF8: true) }
                        let expected = try bytes.withUnsafeBytes { try plain.matches(in: $0, from: from, assumeValidUTF8: true) }
                        #expect(found == expected, "/\(pattern)/ on \(subject.debugDescription) from \(from)")
                        #expect(try fast.containsMatch(in: bytes, from: from) == plain.containsMatch(in: bytes, from: from))
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 1000)
        // Past the subject lengths PCRE2 tests a required byte itself, a pattern that backtracks
        // without bound runs into a limit; without the byte there is no match, and that is the
        // answer (docs/RULES.md, "Prefilters": no `rule.limit` finding for it).
        let runaway = try PCRE2Regex(#"(\d+\s?)+@"#)
        let runawayPlain = try PCRE2Regex(#"(\d+\s?)+@"#, options: [], matchLimit: PCRE2Regex.defaultMatchLimit,
                                          depthLimit: PCRE2Regex.defaultDepthLimit, jitStackSize: PCRE2Regex.defaultJITStackSize,
                                          quickRejects: false)
        let digits = Array(String(repeating: "1111111 ", count: 80_000).utf8)
        #expect(runaway.requiredByte == UInt8(ascii: "@"))
        #expect(try runaway.containsMatch(in: digits) == false)
        #expect(throws: RegexError.self) { try runawayPlain.containsMatch(in: digits) }
        // A subject PCRE2 would reject as UTF-8 is still reported, whatever the quick rejects say.
        #expect(throws: RegexError.self) { try anchored.containsMatch(in: [0x78, 0xFF]) }
    }
}
