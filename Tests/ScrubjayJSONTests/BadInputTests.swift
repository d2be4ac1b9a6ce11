import Testing
@testable import ScrubjayJSON

/// Reads every event of `text`, returning the error it stops with.
private func error(of text: [UInt8], origin: String = "bad.json") -> JSONError? {
    let bytes = JSONBytes(text, origin: origin)
    do {
        var reader = try EventReader(bytes: bytes)
        while try reader.next() != nil {}
        return nil
    } catch {
        return error
    }
}

private func error(of text: String) -> JSONError? { error(of: Array(text.utf8)) }

@Suite("Bad input is an error with the place, never a crash")
struct BadInputTests {
    @Test func truncatedDocument() throws {
        let text = #"[{"type":3,"data":{"source":1},"timestamp":1},{"type":2,"data":{"node":"#
        let e = try #require(error(of: text))
        #expect(e.kind == .truncated)
        #expect(e.eventIndex == 1)
        #expect(e.offset == text.utf8.count)
        #expect(e.description == #"bad.json: the input ends in the middle of a value at byte 71 (line 1, column 72, event 1): "…*\":2,\"d***\":{\"n***\":>><end of input>""#)
    }

    @Test func truncatedInsideAString() throws {
        let e = try #require(error(of: #"[{"type":3,"data":"abc"#))
        #expect(e.kind == .truncated)
        #expect(e.offset == 22)
        #expect(e.eventIndex == 0)
    }

    @Test func truncatedEventArray() throws {
        let e = try #require(error(of: #"[{"type":3},"#))
        #expect(e.kind == .truncated)
        #expect(e.description.contains("the input ends"))
    }

    @Test func invalidUTF8() throws {
        var bytes = Array(#"[{"type":5,"data":"caf"#.utf8)
        bytes += [0xC3, 0x28] // 0xC3 must be followed by a continuation byte
        bytes += Array(#""}]"#.utf8)
        let e = try #require(error(of: bytes))
        #expect(e.kind == .invalidUTF8)
        #expect(e.offset == 22)
        #expect(e.eventIndex == 0)
        #expect(e.description == #"bad.json: invalid UTF-8 in a string at byte 22 (line 1, column 23, event 0): "…\"t***\":5,\"d***\":\"c**>>\xC3(\"}]""#)
    }

    @Test("overlong, surrogate and out-of-range UTF-8 are rejected", arguments: [
        [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x80],
    ] as [[UInt8]])
    func invalidUTF8Forms(_ sequence: [UInt8]) throws {
        let e = try #require(error(of: [0x22] + sequence + [0x22]))
        #expect(e.kind == .invalidUTF8)
        #expect(e.offset == 1)
    }

    @Test func controlCharacterInString() throws {
        let e = try #require(error(of: "[{\"type\":3},{\"text\":\"line\nbreak\"}]"))
        #expect(e.kind == .controlCharacter)
        #expect(e.eventIndex == 1)
        #expect(e.offset == 25)
        #expect(e.description == #"bad.json: an unescaped control character (0xA) in a string at byte 25 (line 1, column 26, event 1): "…**\":3},{\"t***\":\"l***>>\nb****\"}]""#)
    }

    @Test func nestingTooDeep() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let e = try #require(error(of: "[" + deep + "]"))
        #expect(e.kind == .tooDeep)
        #expect(e.offset == JSONLimits.maxDepth) // the top-level array is the first level
        #expect(e.eventIndex == 0)
        #expect(e.description.hasPrefix("bad.json: nesting deeper than 1024 levels at byte 1024 (line 1, column 1025, event 0)"))
    }

    @Test func nestingAtTheLimitIsFine() throws {
        let ok = String(repeating: "[", count: JSONLimits.maxDepth - 1) + String(repeating: "]", count: JSONLimits.maxDepth - 1)
        #expect(error(of: "[" + ok + "]") == nil)
        let single = String(repeating: "{\"a\":", count: JSONLimits.maxDepth) + "1" + String(repeating: "}", count: JSONLimits.maxDepth)
        #expect(error(of: single) == nil)
    }

    @Test func trailingCommaInObject() throws {
        let e = try #require(error(of: #"[{"type":3,"data":{"source":1,}}]"#))
        #expect(e.kind == .trailingComma)
        #expect(e.offset == 29)
        #expect(e.description == #"bad.json: a comma before '}' (trailing comma) at byte 29 (line 1, column 30, event 0): "…3,\"d***\":{\"s*****\":1>>,}}]""#)
    }

    /// What a malformed event holds next to the error (a card number, an email address) is
    /// not in the message: each word shows its first character, the offending byte itself.
    @Test func theExcerptShowsNoValue() throws {
        let e = try #require(error(of: #"[{"type":3,"data":{"text":"card 4111111111111111">x}}]"#))
        #expect(e.kind == .unexpectedCharacter)
        #expect(!e.description.contains("4111") && !e.description.contains("1111"))
        // (The excerpt starts inside "card", which it masks whole; the `>` after the string is
        // the offending byte.)
        #expect(e.excerpt == #""…** 4***************\">>>x}}]""#)
        let mail = try #require(error(of: #"[{"text":"write to ana.lima@example.org now",}]"#))
        #expect(!mail.description.contains("lima") && !mail.description.contains("example"))
        // Not even the last letter of "lima", where the excerpt starts (it once showed "…i**@").
        #expect(mail.excerpt == #""…***@e******.o** n**\">>,}]""#)
    }

    @Test func trailingCommaInArray() throws {
        let e = try #require(error(of: #"[{"a":[1,2,]}]"#))
        #expect(e.kind == .trailingComma)
        #expect(e.offset == 10)
    }

    @Test func trailingCommaAfterLastEvent() throws {
        let e = try #require(error(of: "[{\"type\":3},\n{\"type\":4},\n]"))
        #expect(e.kind == .trailingComma)
        #expect(e.eventIndex == 1)
        #expect(e.line == 2)
    }

    @Test("malformed values", arguments: [
        (#"[{"a":01}]"#, JSONError.Kind.invalidNumber),
        (#"[{"a":-}]"#, .invalidNumber),
        (#"[{"a":1.}]"#, .invalidNumber),
        (#"[{"a":1e}]"#, .invalidNumber),
        (#"[{"a":tru}]"#, .unexpectedCharacter),
        (#"[{"a":nul1}]"#, .unexpectedCharacter),
        (#"[{"a":"\x"}]"#, .invalidEscape),
        (#"[{"a":"\u12G4"}]"#, .invalidEscape),
        (#"[{a:1}]"#, .invalidKey),
        (#"[{"a" 1}]"#, .invalidKey),
        (#"[{"a":1 "b":2}]"#, .unexpectedCharacter),
        (#"[1] 2"#, .trailingData),
        ("   \n ", .empty),
        ("{\"a\":1}\n{\"a\":2} {\"a\":3}\n", .trailingData),
    ])
    func malformed(_ text: String, _ kind: JSONError.Kind) throws {
        let e = try #require(error(of: text))
        #expect(e.kind == kind, "\(text): \(e)")
    }

    @Test func jsonLinesErrorNamesTheLine() throws {
        let e = try #require(error(of: "{\"type\":3}\n{\"type\":4}\n{\"type\":\"\u{01}\"}\n"))
        #expect(e.kind == .controlCharacter)
        #expect(e.eventIndex == 2)
        #expect(e.line == 3)
        #expect(e.column == 10)
    }

    @Test func errorNamesTheFile() throws {
        let e = try #require(error(of: Array("[".utf8), origin: "/tmp/recording.json"))
        #expect(e.origin == "/tmp/recording.json")
        #expect(e.description.hasPrefix("/tmp/recording.json: "))
    }

    @Test("random corruption of a real recording never crashes", arguments: 0..<8)
    func fuzzCorruption(_ seed: Int) throws {
        let original = try JSONBytes(contentsOfFile: Fixtures.path("rrweb/integration--record-integration-tests-can-record-form-interactions-1.json")).array
        var rng = SplitMix(seed: UInt64(seed))
        for _ in 0..<200 {
            var bytes = original
            for _ in 0..<3 {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                default: bytes = Array(bytes[..<at])
                }
                if bytes.isEmpty { break }
            }
            if let e = error(of: bytes) {
                #expect(e.offset >= 0 && e.offset <= bytes.count)
                #expect(!e.description.isEmpty)
            }
        }
    }
}

/// A small deterministic generator for the fuzz test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
