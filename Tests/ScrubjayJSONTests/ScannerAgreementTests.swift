import Foundation
import Testing
@testable import ScrubjayJSON

/// `JSONScanner.skim` (the fast path, which only says yes or no) and
/// `JSONScanner.scanValueDiagnosing` (which finds what is wrong) must accept exactly the same
/// values and write the same tokens: `scanValue` trusts the first and falls back to the second
/// only on a no. Checked on real recordings and on thousands of damaged copies of them.
@Suite("The fast scanner and the diagnosing scanner agree")
struct ScannerAgreementTests {
    /// Both scanners over `text`, from offset `at` of `prefix + text` (tokens hold offsets
    /// from the value's start): (end or nil, tokens) of each.
    static func both(_ text: [UInt8], maxDepth: Int = JSONLimits.maxDepth, prefix: [UInt8] = []) -> (fast: (Int?, [JSONToken]), exact: (Int?, [JSONToken])) {
        let bytes = JSONBytes(prefix + text, origin: "agreement.json")
        let at = prefix.count
        func run(_ body: (inout JSONScanner) -> Int?) -> (Int?, [JSONToken]) {
            let tape = JSONTape(capacity: 16)
            var scanner = JSONScanner(bytes: bytes, tape: tape, maxDepth: maxDepth)
            let end = body(&scanner)
            scanner.store(into: tape)
            return (end, end == nil ? [] : (0..<tape.count).map { tape[$0] })
        }
        let fast = run { s in let e = s.skim(at: at); return e >= 0 ? e : nil }
        let exact = run { s in try? s.scanValueDiagnosing(at: at) }
        return (fast, exact)
    }

    static func expectAgreement(_ text: [UInt8], _ label: @autoclosure () -> String, maxDepth: Int = JSONLimits.maxDepth,
                                prefix: [UInt8] = []) {
        let (fast, exact) = both(text, maxDepth: maxDepth, prefix: prefix)
        #expect(fast.0 == exact.0, "end differs: \(label())")
        #expect(fast.1 == exact.1, "tokens differ: \(label())")
    }

    @Test func onEveryRealRecording() throws {
        for name in Fixtures.recordings {
            let text = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
            for line in name.hasSuffix(".jsonl") ? text.split(separator: 0x0A).map(Array.init) : [text] {
                let (fast, exact) = ScannerAgreementTests.both(line)
                #expect(fast.0 != nil, "\(name): the fast path rejects a valid recording")
                #expect(fast.0 == exact.0 && fast.1 == exact.1, "\(name)")
            }
        }
    }

    /// Every byte that matters to JSON's grammar, dropped into real events at random places:
    /// quotes, escapes, brackets, separators, digits, signs, control and non-ASCII bytes
    /// (valid and broken UTF-8 alike), and truncations.
    @Test func onDamagedCopies() throws {
        var rng = SplitMix(seed: 0x5C_0B_1A_7) // BadInputTests.swift
        let alphabet: [[UInt8]] = [[0x22], [0x5C], [0x5C, 0x75], [0x5C, 0x75, 0x30, 0x30, 0x34, 0x31], [0x7B], [0x7D], [0x5B], [0x5D],
                                   [0x2C], [0x3A], [0x20], [0x0A], [0x01], [0x00], [0x30], [0x31], [0x2D], [0x2B], [0x2E], [0x65],
                                   [0x74, 0x72, 0x75, 0x65], [0x66, 0x61, 0x6C], [0x6E], [0xC3, 0xA9], [0xE2, 0x82, 0xAC],
                                   [0xF0, 0x9F, 0x98, 0x80], [0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                   [0x80], [0xFF], [0x22, 0x22], [0x5C, 0x22]]
        var samples: [[UInt8]] = []
        for name in Fixtures.recordings.prefix(12) {
            let text = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
            // Short stretches that are whole values are the most telling: take lines and slices.
            for line in text.split(separator: 0x0A).prefix(40) where line.count < 20_000 { samples.append(Array(line)) }
        }
        samples.append(Array(#"{"a":[1,-2.5e+3,true,false,null,"x\n\u0041é"],"b":{}}"#.utf8))
        var checked = 0
        for (k, sample) in samples.enumerated() {
            for round in 0..<40 {
                var text = sample
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = Int(rng.next() % UInt64(text.count + 1))
                    switch rng.next() % 4 {
                    case 0: text.insert(contentsOf: alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    case 1: if at < text.count { text[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))][0] }
                    case 2: if at < text.count { text.remove(at: at) }
                    default: text = Array(text.prefix(at))
                    }
                }
                // Every other copy after some bytes of another value: offsets are from the start.
                ScannerAgreementTests.expectAgreement(text, "sample \(k), round \(round)", prefix: round % 2 == 0 ? [] : Array("[1,".utf8))
                checked += 1
            }
        }
        #expect(checked > 2_000)
    }

    /// Strings that end on every side of the 16-byte steps and the 64-byte blocks, from values
    /// that start at every offset of a block, with escapes and non-ASCII bytes before and after
    /// a block's end, several strings in one block, and strings cut off at the input's end
    /// (where the padding ends the run).
    @Test func atStepAndBlockBoundaries() {
        let checked = ScannerAgreementTests.agreeAtEveryPlacement(of: UInt8(ascii: "a")) { body, _, _ in
            var texts: [[UInt8]] = [
                Array(#"{"k":""#.utf8) + body + Array(#"","b":"x","c":["y","z"]}"#.utf8),
                Array(#"[""#.utf8) + body + Array(#"\"x","é"]"#.utf8),
                Array(#"[""#.utf8) + body + Array(#"\u0041","#.utf8) + body + Array(#""]"#.utf8),
                Array(#"["a","b",""#.utf8) + body + Array(#"",1]"#.utf8),
                Array(#"[""#.utf8) + body, // cut off: no closing quote
                Array(#"[""#.utf8) + body + Array(#"""#.utf8), // cut off after the string
                Array(#"""#.utf8) + body + Array(#"""#.utf8),
            ]
            if !body.isEmpty { texts.append(Array(#"[""#.utf8) + body.dropLast() + [0x01] + Array(#""]"#.utf8)) }
            return texts
        }
        #expect(checked > 60_000)
    }

    /// Keys on every side of the 64-byte blocks: a key that runs from the block the scanner
    /// holds into the next one or further (`blockRunEnd` goes on to the next block without
    /// making the held one again), a key that starts past it, keys whose quote and ':' are
    /// apart (the 16-bit test for '":' fails), with escapes and non-ASCII bytes, and objects
    /// cut off inside a key or before its ':'.
    @Test func keysAtBlockBoundaries() {
        let checked = ScannerAgreementTests.agreeAtEveryPlacement(of: UInt8(ascii: "k")) { body, offset, prefix in
            let valid: [[UInt8]] = [
                Array(#"{"a":1,""#.utf8) + body + Array(#"":2,"b":{""#.utf8) + body + Array(#"":"x"},"c":3}"#.utf8),
                Array(#"{"a":[1,2],""#.utf8) + body + Array(#"" :true,""#.utf8) + body + Array("x\"\t:null}".utf8),
                Array(#"{""#.utf8) + body + Array(#"\"":1,"é"#.utf8) + body + Array(#"":2}"#.utf8),
                Array(#"[{"a":1},{""#.utf8) + body + Array(#"\u0041":[]}]"#.utf8),
            ]
            for text in valid {
                let (fast, _) = ScannerAgreementTests.both(text, prefix: prefix)
                #expect(fast.0 == offset + text.count, "rejected: offset \(offset), length \(body.count)")
            }
            var texts = valid + [
                Array(#"{"a":1,""#.utf8) + body, // cut off inside the key
                Array(#"{"a":1,""#.utf8) + body + Array(#"""#.utf8), // cut off before the ':'
                Array(#"{"a":1,""#.utf8) + body + Array(#"":"#.utf8), // cut off before the value
            ]
            if !body.isEmpty { texts.append(Array(#"{"a":1,""#.utf8) + body.dropLast() + [0x0A] + Array(#"":2}"#.utf8)) }
            return texts
        }
        #expect(checked > 60_000)
    }

    /// For a run of `byte` of every length from 0 to 139 (`body`), a value starting at every
    /// offset of a 64-byte block and the two after it (`prefix`, `offset` spaces before it):
    /// each text `texts` makes of it is scanned alike by both scanners. Returns how many texts
    /// were checked.
    static func agreeAtEveryPlacement(of byte: UInt8, _ texts: (_ body: [UInt8], _ offset: Int, _ prefix: [UInt8]) -> [[UInt8]]) -> Int {
        var checked = 0
        for offset in 0..<66 {
            let prefix = [UInt8](repeating: 0x20, count: offset)
            for length in 0..<140 {
                for text in texts([UInt8](repeating: byte, count: length), offset, prefix) {
                    expectAgreement(text, "offset \(offset), length \(length): \(String(decoding: text, as: UTF8.self))", prefix: prefix)
                    checked += 1
                }
            }
        }
        return checked
    }

    /// Both scanners write through the same `TapeWriter`, so agreement alone would not catch
    /// a token written wrong: the tokens of a small document, against values built field by
    /// field (and `JSONToken`'s layout, which a writer that packs fields would rely on).
    @Test func tokensHoldTheirFields() {
        #expect(MemoryLayout<JSONToken>.stride == 16)
        #expect(MemoryLayout<JSONToken>.offset(of: \JSONToken.start) == 0)
        #expect(MemoryLayout<JSONToken>.offset(of: \JSONToken.end) == 4)
        #expect(MemoryLayout<JSONToken>.offset(of: \JSONToken.next) == 8)
        #expect(MemoryLayout<JSONToken>.offset(of: \JSONToken.kind) == 12)
        #expect(MemoryLayout<JSONToken>.offset(of: \JSONToken.flags) == 13)
        let text = Array(#"{"a\n":[1,"é",true,false,null,{}],"b":-2.5}"#.utf8)
        let expected: [JSONToken] = [
            JSONToken(start: 0, end: 44, next: 11, kind: .object, flags: 0),
            JSONToken(start: 1, end: 6, next: 2, kind: .string, flags: JSONToken.Flags.isKey | JSONToken.Flags.hasEscapes),
            JSONToken(start: 7, end: 34, next: 9, kind: .array, flags: 0),
            JSONToken(start: 8, end: 9, next: 4, kind: .number, flags: 0),
            JSONToken(start: 10, end: 14, next: 5, kind: .string, flags: JSONToken.Flags.hasNonASCII),
            JSONToken(start: 15, end: 19, next: 6, kind: .true, flags: 0),
            JSONToken(start: 20, end: 25, next: 7, kind: .false, flags: 0),
            JSONToken(start: 26, end: 30, next: 8, kind: .null, flags: 0),
            JSONToken(start: 31, end: 33, next: 9, kind: .object, flags: 0),
            JSONToken(start: 35, end: 38, next: 10, kind: .string, flags: JSONToken.Flags.isKey),
            JSONToken(start: 39, end: 43, next: 11, kind: .number, flags: 0),
        ]
        for prefix in [[], Array("[1,".utf8)] {
            let (fast, exact) = ScannerAgreementTests.both(text, prefix: prefix)
            #expect(fast.0 == prefix.count + text.count)
            #expect(fast.1 == expected)
            #expect(exact.1 == expected)
        }
    }

    @Test func atTheDepthLimit() {
        for depth in [3, 4, 5] {
            for text in ["[[[1]]]", "[[[]]]", #"{"a":{"b":{}}}"#, #"{"a":[{"b":1}]}"#] {
                ScannerAgreementTests.expectAgreement(Array(text.utf8), "\(text) at depth \(depth)", maxDepth: depth)
            }
        }
    }
}
