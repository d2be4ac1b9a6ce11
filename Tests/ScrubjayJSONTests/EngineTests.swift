import Testing
@testable import ScrubjayJSON

private func events(_ text: String) throws -> (EventReader.Layout, [String]) {
    let bytes = JSONBytes(text)
    var reader = try EventReader(bytes: bytes)
    var out: [String] = []
    while let e = try reader.next() { out.append(String(decoding: e.raw, as: UTF8.self)) }
    return (reader.layout, out)
}

@Suite("Reading events, visiting values, decoding strings")
struct EngineTests {
    @Test func layouts() throws {
        #expect(try events(#"[{"a":1}, {"b":[2]} ]"#) == (.array, [#"{"a":1}"#, #"{"b":[2]}"#]))
        #expect(try events("[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n") == (.array, [#"{"a": 1}"#, #"{"b": 2}"#]))
        #expect(try events("{\"a\":1}\n\n{\"b\":2}\n") == (.lines, [#"{"a":1}"#, #"{"b":2}"#]))
        #expect(try events("[1,{\"type\":3}]\n[1,{\"type\":2}]\n") == (.lines, [#"[1,{"type":3}]"#, #"[1,{"type":2}]"#]))
        #expect(try events(#"{"result":[{"type":4}]}"#) == (.single, [#"{"result":[{"type":4}]}"#]))
        #expect(try events("[]") == (.array, []))
        #expect(try events("\u{FEFF}[{\"a\":1}]") == (.array, [#"{"a":1}"#]))
    }

    @Test func jsonLinesRecordLineNumbers() throws {
        var reader = try EventReader(bytes: JSONBytes("{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}"))
        var lines: [Int?] = []
        while let e = try reader.next() { lines.append(e.line) }
        #expect(lines == [1, 3, 4])
    }

    @Test func visitsEveryValueWithItsPointer() throws {
        var reader = try EventReader(bytes: JSONBytes(#"[{"type":3,"data":{"texts":[{"id":7,"value":"a/b~c"}],"x":[],"y":{}},"a/b":true}]"#))
        let event = try #require(try reader.next())
        var seen: [String] = []
        event.forEachValue { v, path in seen.append("\(path.pointer) \(event.kind(v))") }
        #expect(seen == [
            " object", "/type number", "/data object", "/data/texts array", "/data/texts/0 object",
            "/data/texts/0/id number", "/data/texts/0/value string", "/data/x array", "/data/y object", "/a~1b true",
        ])
        let value = try #require(event.value(at: "/data/texts/0/value"))
        #expect(event.string(value) == "a/b~c")
        #expect(event.value(at: "/a~1b").map(event.kind) == .true)
        #expect(event.value(at: "/data/texts/1") == nil)
        #expect(event.value(at: "/data/texts/0/id").flatMap(event.int) == 7)
    }

    @Test func decodesEveryEscape() throws {
        var reader = try EventReader(bytes: JSONBytes(#"{"s":["q\"b\\s\/n\nr\rt\tb\bf\f u\u00e9 \ud83d\ude00 lone\ud800x \udc00"]}"#))
        let event = try #require(try reader.next())
        let s = try #require(event.value(at: "/s/0"))
        #expect(event.string(s) == "q\"b\\s/n\nr\rt\tb\u{08}f\u{0C} u\u{E9} \u{1F600} lone\u{FFFD}x \u{FFFD}")
        #expect(event.token(s.index).hasEscapes)
        // Appended after what `out` holds, and only the text (the body is longer).
        var out = Array("ab".utf8)
        Array(#"x\"\u00e9\ud83d\ude00\\"#.utf8).withUnsafeBytes { JSONString.decodeBody($0, into: &out) }
        #expect(out == Array("abx\"é😀\\".utf8))
    }

    @Test func encodesLikeJSONStringify() throws {
        #expect(JSONString.encode("a\"b\\c\n\u{01}é😀") == Array(#""a\"b\\c\n\u0001é😀""#.utf8))
        #expect(JSONString.encode("\u{08}\u{0C}\r\t\u{1F}\u{7F}/") == Array(#""\b\f\r\t\u001f"#.utf8) + [0x7F, 0x2F, 0x22])
        #expect(JSONString.encode("") == Array(#""""#.utf8))
        // Appended after what `out` holds, and read back to the same text: every ASCII byte.
        let all = String(decoding: (0..<128).map { UInt8($0) } + Array("é😀".utf8), as: UTF8.self)
        var out = Array("[".utf8)
        JSONString.encode(utf8: Array(all.utf8), into: &out)
        out += Array("]".utf8)
        #expect(out.starts(with: Array(#"["\u0000\u0001"#.utf8)))
        var reader = try EventReader(bytes: JSONBytes(out))
        let event = try #require(try reader.next()) // the array's one element
        #expect(event.string(event.root) == all)
    }

    /// The word-at-a-time encoder against the plainest byte-by-byte one, on strings of every
    /// length up to 40 with the bytes to escape anywhere in a word, and after existing bytes.
    @Test func encodesLikeAByteByByteEncoder() {
        func reference(_ text: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for c in text {
                switch c {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x08: out += [0x5C, 0x62]
                case 0x0C: out += [0x5C, 0x66]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                case 0..<0x20: out += Array(String(format: "\\u%04x", c).utf8)
                default: out.append(c)
                }
            }
            return out + [0x22]
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x08, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x2F, 0x5B, 0x7F, 0x41, 0x61, 0xC3, 0xA9]
        for length in 0...40 {
            for _ in 0..<20 {
                let text = (0..<length).map { _ in Bool.random(using: &rng) ? UInt8(ascii: "a") : alphabet.randomElement(using: &rng)! }
                var out: [UInt8] = [1, 2, 3]
                text.withUnsafeBytes { JSONString.encode(utf8: $0, into: &out) }
                #expect(out == [1, 2, 3] + reference(text), "\(text)")
            }
        }
    }

    /// The decoder against a plain one written from the JSON grammar, on bodies of every length
    /// up to 64 made of escapes of every kind (surrogate pairs and lone surrogates too), ASCII
    /// and UTF-8.
    @Test func decodesLikeAByteByByteDecoder() {
        func reference(_ body: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var i = 0
            func hex(_ at: Int) -> UInt32 { UInt32(String(decoding: body[at..<at + 4], as: UTF8.self), radix: 16)! }
            while i < body.count {
                guard body[i] == 0x5C else { out.append(body[i]); i += 1; continue }
                let e = body[i + 1]
                switch e {
                case UInt8(ascii: "b"): out.append(0x08); i += 2
                case UInt8(ascii: "f"): out.append(0x0C); i += 2
                case UInt8(ascii: "n"): out.append(0x0A); i += 2
                case UInt8(ascii: "r"): out.append(0x0D); i += 2
                case UInt8(ascii: "t"): out.append(0x09); i += 2
                case UInt8(ascii: "u"):
                    var v = hex(i + 2); i += 6
                    if (0xD800..<0xDC00).contains(v) {
                        if i + 6 <= body.count, body[i] == 0x5C, body[i + 1] == UInt8(ascii: "u"), (0xDC00..<0xE000).contains(hex(i + 2)) {
                            v = 0x10000 + ((v - 0xD800) << 10) + (hex(i + 2) - 0xDC00); i += 6
                        } else { v = 0xFFFD }
                    } else if (0xDC00..<0xE000).contains(v) { v = 0xFFFD }
                    out += Array(String(Unicode.Scalar(v)!).utf8)
                default: out.append(e); i += 2
                }
            }
            return out
        }
        let pieces = [#"\n"#, #"\""#, #"\\"#, #"\/"#, #"\t"#, #"\b"#, #"\f"#, #"\r"#, #"\u00e9"#, #"\u0000"#, #"\ud83d\ude00"#,
                      #"\ud800"#, #"\udc00x"#, "a", "bcdefgh", "é", "😀", " ", "1234567890"].map { Array($0.utf8) }
        var rng = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<3000 {
            var body: [UInt8] = []
            let length = Int.random(in: 0...64, using: &rng)
            while body.count < length { body += pieces.randomElement(using: &rng)! }
            var out: [UInt8] = [9, 9]
            body.withUnsafeBytes { JSONString.decodeBody($0, into: &out) }
            #expect(out == [9, 9] + reference(body), "\(String(decoding: body, as: UTF8.self))")
            checked += 1
        }
        #expect(checked == 3000)
    }

    /// The encoder's eight-byte escape test (and the decoder's backslash test) is exact for
    /// every byte, whatever its neighbours:
    /// every pair of byte values side by side, at every place in the word.
    @Test func escapeMasksAreExactPerByte() {
        var wrong = 0
        for a in 0..<256 {
            for b in 0..<256 {
                for p in 0..<7 {
                    var bytes = [UInt8](repeating: 0x61, count: 8)
                    bytes[p] = UInt8(a); bytes[p + 1] = UInt8(b)
                    let w = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    var expected: UInt64 = 0, controls: UInt64 = 0, backslashes: UInt64 = 0
                    for (k, c) in bytes.enumerated() {
                        if JSONString.needsEscape(c) { expected |= 0x80 << UInt64(8 * k) }
                        if c < 0x20 { controls |= 0x80 << UInt64(8 * k) }
                        if c == 0x5C { backslashes |= 0x80 << UInt64(8 * k) }
                    }
                    if JSONString.escapeMask(w).littleEndian != expected || JSONString.controlMask(w).littleEndian != controls
                        || JSONString.backslashMask(w).littleEndian != backslashes { wrong += 1 }
                }
            }
        }
        #expect(wrong == 0)
    }

    @Test func numbersAreNeverNormalised() throws {
        let text = #"[{"a":1.50,"b":-0,"c":1E+2,"d":12345678901234567890,"e":0.1e-7}]"#
        #expect(try JSONRewriter.rewrite(JSONBytes(text)) { _, _ in } == Array(text.utf8))
        var reader = try EventReader(bytes: JSONBytes(text))
        let event = try #require(try reader.next())
        #expect(event.rawBytes(try #require(event.value(at: "/a"))) == Array("1.50".utf8))
        #expect(event.int(try #require(event.value(at: "/d"))) == nil) // too large for Int
    }

    @Test(arguments: [("0", 0), ("-0", 0), ("7", 7), ("-12", -12), ("1700000001005", 1_700_000_001_005),
                      ("999999999999999999", 999_999_999_999_999_999), ("-999999999999999999", -999_999_999_999_999_999),
                      ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min), ("9223372036854775808", nil),
                      ("-9223372036854775809", nil), ("1.0", 1), ("1e3", 1000), ("-2E1", -20), ("1.5", nil), ("1e19", nil)] as [(String, Int?)])
    func integers(_ text: String, _ expected: Int?) throws {
        var reader = try EventReader(bytes: JSONBytes("[\(text)]"))
        let event = try #require(try reader.next())
        #expect(event.int(event.root) == expected)
    }

    @Test func rewriteTouchesOnlyTheEditedStrings() throws {
        let text = "[ {\"type\" : 3, \"data\": {\"text\":\"ana@example.org\", \"n\": 1.0}},\n {\"type\":5,\"data\":{\"text\":\"keep\"}} ]\n"
        let out = try JSONRewriter.rewrite(JSONBytes(text)) { event, edits in
            event.forEachValue { v, path in
                if event.kind(v) == .string, event.string(v).contains("@") {
                    edits.replace(v, in: event, withString: "[email \"x\"]")
                }
            }
        }
        #expect(String(decoding: out, as: UTF8.self) ==
            "[ {\"type\" : 3, \"data\": {\"text\":\"[email \\\"x\\\"]\", \"n\": 1.0}},\n {\"type\":5,\"data\":{\"text\":\"keep\"}} ]\n")
    }

    @Test func overlappingEditsKeepTheOuterOne() throws {
        let text = #"[{"data":{"a":"x","b":"y"}}]"#
        let out = try JSONRewriter.rewrite(JSONBytes(text)) { event, edits in
            let a = try #require(event.value(at: "/data/a"))
            let data = try #require(event.value(at: "/data"))
            edits.replace(a, in: event, withString: "inner")
            edits.replace(data, in: event, withRawJSON: Array("null".utf8))
        }
        #expect(String(decoding: out, as: UTF8.self) == #"[{"data":null}]"#)
    }

    @Test func editsInAnyOrderAndOfOneValueTwiceKeepTheFirstRecorded() throws {
        let text = #"[{"a":"1","b":"2","c":"3","d":"4","e":"5"}]"#
        let out = try JSONRewriter.rewrite(JSONBytes(text)) { event, edits in
            // Recorded last to first, with /c and /a edited twice: the first edit of each wins.
            for (key, value) in [("e", "E"), ("c", "C"), ("d", "D"), ("c", "second"), ("a", "A"), ("b", "B"), ("a", "second")] {
                edits.replace(try #require(event.value(at: JSONPointer("/" + key))), in: event, withString: value)
            }
        }
        #expect(String(decoding: out, as: UTF8.self) == #"[{"a":"A","b":"B","c":"C","d":"D","e":"E"}]"#)
    }

    /// The same with many edits (the sort that stays n log n): every string of a long array
    /// edited last to first, the even ones twice.
    @Test func manyEditsInReverseOrderKeepTheFirstRecorded() throws {
        let count = 300
        let text = "[{\"a\":[" + (0..<count).map { "\"v\($0)\"" }.joined(separator: ",") + "]}]"
        let out = try JSONRewriter.rewrite(JSONBytes(text)) { event, edits in
            for i in (0..<count).reversed() {
                let v = try #require(event.value(at: JSONPointer("/a/\(i)")))
                edits.replace(v, in: event, withString: "first\(i)")
                if i % 2 == 0 { edits.replace(v, in: event, withString: "second\(i)") }
            }
        }
        #expect(String(decoding: out, as: UTF8.self) == "[{\"a\":[" + (0..<count).map { "\"first\($0)\"" }.joined(separator: ",") + "]}]")
    }

    @Test func rewriteStreamsThroughASmallBuffer() throws {
        let text = "[" + (0..<2000).map { "{\"i\":\($0),\"s\":\"v\($0)\"}" }.joined(separator: ",") + "]"
        let bytes = JSONBytes(text)
        var chunks = 0
        var out: [UInt8] = []
        var reader = try EventReader(bytes: bytes)
        var rewriter = JSONRewriter(source: bytes, bufferSize: 256) { out.append(contentsOf: $0); chunks += 1 }
        var edits = JSONEdits()
        while let event = try reader.next() {
            edits.removeAll()
            if event.index % 2 == 0, let s = event.value(at: "/s") { edits.replace(s, in: event, withString: "X") }
            try rewriter.apply(&edits)
        }
        try rewriter.finish()
        #expect(chunks > 100)
        let expected = "[" + (0..<2000).map { "{\"i\":\($0),\"s\":\"\($0 % 2 == 0 ? "X" : "v\($0)")\"}" }.joined(separator: ",") + "]"
        #expect(String(decoding: out, as: UTF8.self) == expected)
        #expect(rewriter.bytesWritten == expected.utf8.count)
    }

    @Test func longStringsAcrossWordBoundaries() throws {
        // Every length from 0 to 40, with the special byte at every position, exercises the 8-byte skim.
        for length in 0..<40 {
            let body = String(repeating: "a", count: length)
            var reader = try EventReader(bytes: JSONBytes("{\"s\":[\"\(body)\",\"\(body)\\n\(body)\",\"\(body)é\(body)\"]}"))
            let e = try #require(try reader.next())
            #expect(e.string(try #require(e.value(at: "/s/0"))) == body)
            #expect(e.string(try #require(e.value(at: "/s/1"))) == body + "\n" + body)
            #expect(e.string(try #require(e.value(at: "/s/2"))) == body + "é" + body)
        }
    }
}

@Suite("Fixes from review")
struct ReviewFixTests {
    @Test func removingNeighbouringMembersRemovesBoth() throws {
        for (text, remove, expected) in [
            (#"[{"a":1,"b":2,"c":3}]"#, ["a", "b"], #"[{"c":3}]"#),
            (#"[{"a":1,"b":2}]"#, ["a", "b"], #"[{}]"#),
            (#"[{"a":1, "b":2, "c":3}]"#, ["b"], #"[{"a":1, "c":3}]"#),
            (#"[{"a":1,"b":2,"c":3}]"#, ["c", "a"], #"[{"b":2}]"#),
            (#"[{"only":1}]"#, ["only"], #"[{}]"#),
            (#"[{"a":1, "b":2, "c":3}]"#, ["b", "c"], #"[{"a":1}]"#),
            (#"[{"a":1,"b":2,"c":3,"d":4}]"#, ["a", "c"], #"[{"b":2,"d":4}]"#),
        ] {
            let out = try JSONRewriter.rewrite(JSONBytes(text)) { event, edits in
                for (k, _) in event.members(of: event.root) where remove.contains(event.string(k)) {
                    edits.removeMember(key: k, of: event.root, in: event)
                }
            }
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(text) minus \(remove)")
        }
    }

    @Test func removingArrayElementsKeepsTheArrayValid() throws {
        for (text, remove, expected) in [
            (#"[{"r":[1,2,3]}]"#, [0], #"[{"r":[2,3]}]"#),
            (#"[{"r":[1, 2, 3]}]"#, [2], #"[{"r":[1, 2]}]"#),
            (#"[{"r":[1,{"x":[2]},3]}]"#, [1], #"[{"r":[1,3]}]"#),
            (#"[{"r":[1,2,3]}]"#, [0, 1, 2], #"[{"r":[]}]"#),
            (#"[{"r":[1,2,3,4]}]"#, [2, 0], #"[{"r":[2,4]}]"#),
        ] {
            let out = try JSONRewriter.rewrite(JSONBytes(text)) { event, edits in
                let array = try #require(event.value(at: "/r"))
                for (i, element) in event.children(of: array).enumerated() where remove.contains(i) {
                    edits.removeElement(element, of: array, in: event)
                }
            }
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(text) minus \(remove)")
        }
    }

    @Test func trailingCommaPointsAtTheComma() throws {
        do {
            var r = try EventReader(bytes: JSONBytes("{\"a\":1 ,\n  }"))
            _ = try r.next()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .trailingComma)
            #expect(error.offset == 7)
            #expect(error.line == 1)
        }
    }

    @Test func depthCountsTheTopLevelArray() throws {
        let n = JSONLimits.maxDepth
        let tooDeep = "[" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "]"
        let ok = "[" + String(repeating: "[", count: n - 1) + String(repeating: "]", count: n - 1) + "]"
        #expect(throws: JSONError.self) { var r = try EventReader(bytes: JSONBytes(tooDeep)); while try r.next() != nil {} }
        var r = try EventReader(bytes: JSONBytes(ok))
        while try r.next() != nil {}
    }

    @Test func pointersWithCombiningMarksAndTildes() throws {
        var r = try EventReader(bytes: JSONBytes("{\"a\":{\"\u{301}x\":1,\"~/\":2}}"))
        let e = try #require(try r.next())
        var pointers: [String] = []
        e.forEachValue { v, path in
            pointers.append(path.pointer.description)
            #expect(e.value(at: path.pointer) == v)
        }
        #expect(pointers == ["", "/a", "/a/\u{301}x", "/a/~0~1"])
        #expect(JSONPointer("plain").components == ["plain"])
    }

    /// `pointer(to:)` finds a value among many siblings by a binary search (large containers)
    /// or by passing siblings over (small ones): both give the walk's own path for every value.
    @Test func pointersInLargeAndSmallContainersAreTheWalksPaths() throws {
        let items = (0..<700).map { i in i % 3 == 0 ? "{\"k\(i)\":[\(i),{\"t\":\"x\"}]}" : i % 3 == 1 ? "\"s\(i)\"" : "[\(i)]" }
        let members = (0..<300).map { i in "\"m\(i)\":{\"v\":\(i),\"w\":[\(i)]}" }
        let text = "{\"list\":[" + items.joined(separator: ",") + "],\"map\":{" + members.joined(separator: ",") + "},\"small\":[1,{\"a\":2}]}"
        var r = try EventReader(bytes: JSONBytes(text))
        let e = try #require(try r.next())
        var checked = 0
        e.forEachValue { v, path in
            #expect(e.pointer(to: v) == path.pointer, "\(path.pointer)")
            checked += 1
        }
        #expect(checked > 2000)
    }

    @Test func intMin() throws {
        var r = try EventReader(bytes: JSONBytes(#"{"a":-9223372036854775808,"b":9223372036854775808}"#))
        let e = try #require(try r.next())
        #expect(e.value(at: "/a").flatMap(e.int) == Int.min)
        #expect(e.value(at: "/b").flatMap(e.int) == nil)
    }

    @Test func endOfInputInsideAnEscapeOrUTF8IsTruncation() throws {
        for bytes in [Array(#"{"a":"abc\"#.utf8), Array(#"{"a":"ab"#.utf8) + [0xC3], Array(#"{"a":"ab"#.utf8) + [0xE2, 0x82]] {
            do {
                var r = try EventReader(bytes: JSONBytes(bytes))
                _ = try r.next()
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == .truncated)
                #expect(error.offset == bytes.count)
            }
        }
    }

    @Test func layoutProbeReadsOnlyTheFirstLine() throws {
        // The first line closes like a value but is not one on its own: one document.
        #expect(try events("[{\"a\":1}\n,{\"b\":2}]") == (.array, [#"{"a":1}"#, #"{"b":2}"#]))
    }
}

@Suite("Iterating containers in place")
struct InPlaceIterationTests {
    /// `elements(of:)` and `membersInPlace(of:)` (loops that copy nothing) give exactly what
    /// `children(of:)` and `members(of:)` give, for every value of every recording.
    @Test(arguments: Fixtures.recordings)
    func agreeWithTheArrayBuildingCalls(_ name: String) throws {
        var containers = 0
        try Fixtures.forEachToken(in: name) { e, v in
            guard !e.token(v.index).isKey else { return }
            #expect(Array(e.elements(of: v)) == e.children(of: v))
            let members = e.members(of: v)
            let inPlace = Array(e.membersInPlace(of: v))
            #expect(inPlace.map(\.key) == members.map(\.key) && inPlace.map(\.value) == members.map(\.value))
            if e.kind(v) == .object || e.kind(v) == .array { containers += 1 }
            else { #expect(e.elements(of: v).underestimatedCount == 0 && Array(e.elements(of: v)).isEmpty) }
        }
        #expect(containers > 0)
    }
}

@Suite("Integers read as the text says")
struct IntegerReadingTests {
    /// What `int` should give: Swift's own parser for integer text (exact, however large it
    /// fits), else the value as JavaScript reads it when that is an integer (`5.0`, `2e0`).
    static func expected(_ text: String) -> Int? {
        Int(text) ?? (text.contains(where: { ".eE".contains($0) }) ? Double(text).flatMap { Int(exactly: $0) } : nil)
    }

    /// Every number of every recording: `int` gives what Swift's own parser gives for an
    /// integer, the integer a fraction or exponent spells (`5.0`), and nil for a fraction
    /// that is not one (or a value too large).
    @Test(arguments: Fixtures.recordings)
    func everyNumberOfTheCorpus(_ name: String) throws {
        var numbers = 0
        try Fixtures.forEachToken(in: name) { e, v in
            guard e.kind(v) == .number else { return }
            let text = String(decoding: e.rawBytes(v), as: UTF8.self)
            #expect(e.int(v) == IntegerReadingTests.expected(text), "\(name) event \(e.index): \(text)")
            numbers += 1
        }
        #expect(numbers > 0)
    }

    @Test func oneToEightDigitsAndTheirEdges() throws {
        var texts: [String] = []
        for n in 1...9 {
            texts += [String(repeating: "9", count: n), "1" + String(repeating: "0", count: n - 1), "-" + String(repeating: "7", count: n)]
        }
        texts += ["0", "-0", "12345678", "87654321", "1234567.8", "1.5", "12e3", "1234567e1", "-1.0", "20E-1", "-0.0",
                  "2.50", "1e400", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e19", "0.5e1"]
        for text in texts {
            var reader = try EventReader(bytes: JSONBytes("[\(text),1]"))
            let event = try #require(try reader.next())
            #expect(event.int(event.root) == IntegerReadingTests.expected(text), "\(text)")
        }
        // Integers spelled with a fraction or an exponent, as JavaScript reads them.
        for (text, value) in [("5.0", 5), ("2e0", 2), ("20E-1", 2), ("-1.0", -1), ("12e3", 12000), ("0.5e1", 5)] {
            var reader = try EventReader(bytes: JSONBytes("[\(text),1]"))
            let event = try #require(try reader.next())
            #expect(event.int(event.root) == value, "\(text)")
        }
        for text in ["1.5", "2.25", "1e400", "1e19", "-1e-1"] {
            var reader = try EventReader(bytes: JSONBytes("[\(text),1]"))
            let event = try #require(try reader.next())
            #expect(event.int(event.root) == nil, "\(text)")
        }
    }
}

@Suite("Numbers read as Double")
struct DoubleValueTests {
    /// `double` reads integers of up to 15 characters without parsing text; every number must
    /// come out as `Double(String)` gives it, bit for bit (`-0` too).
    @Test func doublesAreWhatTheTextParsesTo() throws {
        var texts = ["0", "-0", "1", "-1", "7", "1700000001374", "-1700000001374", "999999999999999", "-99999999999999",
                     "1000000000000000", "9007199254740993", "-9007199254740993", "123456789012345678901234567890",
                     "1.5", "-0.0", "0.1", "1e3", "1E-3", "2.5e+10", "-1.7976931348623157e308", "5e-324", "1e400"]
        var state: UInt64 = 99
        for _ in 0..<2000 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let digits = 1 + Int(state % 18)
            var t = String(state % 2 == 0 ? "-" : "") + String(1 + state % 9)
            for k in 1..<digits { t += String((state >> UInt64(k * 3)) % 10) }
            texts.append(t)
        }
        let json = "[" + texts.joined(separator: ",") + "]"
        var reader = try EventReader(bytes: JSONBytes(Array(json.utf8)))
        var checked = 0
        while let e = try reader.next() {
            let v = try #require(e.double(e.root))
            let expected = try #require(Double(texts[e.index]))
            #expect(v.bitPattern == expected.bitPattern, "\(texts[e.index])")
            checked += 1
        }
        #expect(checked == texts.count)
    }
}

@Suite("Latin-1 binary strings")
struct Latin1Tests {
    /// `latin1Bytes` reads the decoded UTF-8; it must agree with reading the string's
    /// Unicode scalars, on every byte value written raw or escaped, and refuse code points
    /// above U+00FF.
    @Test func latin1BytesAreTheScalarValues() throws {
        var state: UInt64 = 0xBEEF
        func next(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        var docs: [(json: String, expected: [UInt8]?)] = []
        for length in 0..<200 {
            var json = "\""
            var expected: [UInt8] = []
            for _ in 0..<length {
                let b = UInt8(next(256))
                expected.append(b)
                switch next(3) {
                case 0: json += String(format: "\\u%04x", b)
                case 1 where b >= 0x20 && b != 0x22 && b != 0x5C: json.unicodeScalars.append(Unicode.Scalar(b))
                default: json += String(format: "\\u%04X", b)
                }
            }
            docs.append((json + "\"", expected))
        }
        docs.append(("\"a\\u0100b\"", nil))            // above U+00FF, escaped
        docs.append(("\"aĀb\"", nil))                   // above U+00FF, raw UTF-8
        docs.append(("\"\\ud83d\\ude00\"", nil))        // a surrogate pair
        docs.append(("\"é\\u00ff\\u0000\"", [0xE9, 0xFF, 0x00]))
        for (json, expected) in docs {
            var reader = try EventReader(bytes: JSONBytes(Array(json.utf8)))
            let e = try #require(try reader.next())
            #expect(e.latin1Bytes(e.root) == expected, "\(json)")
        }
    }
}
