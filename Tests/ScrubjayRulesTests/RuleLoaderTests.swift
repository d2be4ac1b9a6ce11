import Foundation
import Testing
@testable import ScrubjayRules
import ScrubjayTestSupport

func pack(_ rulesYAML: String, file: String = "test.yml") throws -> RulePack {
    try RulePackLoader.parse(text: "version: 1\npack: test\nrules:\n" + rulesYAML, file: file, includeBase: nil).pack
}

let emailRule = """
  - id: email
    description: Email addresses
    category: contact
    severity: medium
    pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}'
    keywords: ['@']
    allow:
      values: [support@posthog.com]
      patterns: ['@example\\.org$']
    action: mask
    examples:
      match:
        - input: 'write to ana@shop.test today'
          output: 'write to ************* today'
      no_match: ['ana at shop dot test', 'support@posthog.com', 'bob@example.org']

"""

@Suite("Loading rule packs")
struct RuleLoaderTests {
    @Test func aGoodPackLoadsAndItsExamplesPass() throws {
        let p = try pack(emailRule)
        #expect(p.rules.map(\.id) == ["email"])
        #expect(p.rules[0].source.line == 4)
        #expect(RuleTester.run(p.rules).isEmpty)
    }

    @Test("bad rules name file, line and rule", arguments: [
        ("  - id: x\n    category: contact\n    severity: low\n    pattern: 'a(b'\n    action: mask\n",
         "test.yml:7: rule x: invalid pattern: "),
        ("  - id: x\n    category: contact\n    severity: low\n    pattern: 'a'\n    action: mask\n    colour: red\n",
         "test.yml:9: rule x: unknown key 'colour'"),
        ("  - id: x\n    category: contact\n    severity: low\n    pattern: 'a'\n    validator: mod11\n    action: mask\n",
         "test.yml:8: rule x: unknown validator 'mod11'"),
        ("  - id: x\n    category: pets\n    severity: low\n    pattern: 'a'\n    action: mask\n",
         "test.yml:5: rule x: 'category' must be one of contact, financial,"),
        ("  - id: x\n    category: contact\n    severity: low\n    pattern: 'a'\n    action: replace\n",
         "test.yml:4: rule x: action 'replace' needs a 'replacement'"),
        ("  - id: x\n    category: contact\n    severity: low\n    pattern: 'a'\n    group: 2\n    action: mask\n",
         "test.yml:8: rule x: group 2 does not exist (the pattern has 0 groups)"),
    ])
    func badRules(_ yaml: String, _ expected: String) {
        do {
            _ = try pack(yaml)
            Issue.record("expected an error for \(yaml)")
        } catch let e as RuleError {
            #expect(e.description.hasPrefix(expected), "\(e.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func invalidPatternCarriesPCRE2MessageAndOffset() throws {
        do {
            _ = try pack("  - id: x\n    category: contact\n    severity: low\n    pattern: 'ab(c'\n    action: mask\n")
            Issue.record("expected an error")
        } catch let e as RuleError {
            #expect(e.message.contains("missing closing parenthesis"))
            #expect(e.message.contains("offset 4"))
        }
    }

    @Test func failingExamplesAreReportedAtTheirLine() throws {
        let p = try pack("""
          - id: digits
            category: identifier
            severity: low
            pattern: '[0-9]+'
            action: mask
            examples:
              match:
                - input: 'a 12 b'
                  output: 'a 12 b'
              no_match: ['x 3 y']

        """)
        let failures = RuleTester.run(p.rules)
        #expect(failures.map(\.description) == [
            "test.yml:11: rule digits: rewrites \"a 12 b\" to \"a ** b\", expected \"a 12 b\"",
            "test.yml:13: rule digits: must not match \"x 3 y\", but finds \"3\"",
        ])
    }

    @Test func unknownVersionAndDuplicateIds() throws {
        #expect(throws: RuleError.self) { try RulePackLoader.parse(text: "version: 2\npack: x\nrules: []\n", file: "v.yml", includeBase: nil) }
        let dir = scratchPath("rules")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ("version: 1\npack: a\nrules:\n" + emailRule).write(toFile: dir + "/a.yml", atomically: true, encoding: .utf8)
        try ("version: 1\npack: b\ninclude: [a.yml]\nrules:\n" + emailRule).write(toFile: dir + "/b.yml", atomically: true, encoding: .utf8)
        do {
            _ = try RulePackLoader.load(paths: [dir + "/b.yml"])
            Issue.record("expected a duplicate id error")
        } catch let e as RuleError {
            #expect(e.description.contains("duplicate rule id (first defined at \(dir)/a.yml:4)"))
        }
    }

    /// Prefilter counts past `Rule.maxPrefilterCount` are refused: the digit table has a row
    /// per count (a count of two billion took 16 GiB, one near Int.max overflowed).
    @Test(arguments: ["min_digits: 10001", "min_digits: 2147483648", "min_digits: 9223372036854775807",
                      "min_keyword_count: 10001"])
    func prefilterCountsAreBounded(_ line: String) throws {
        let rule = "  - id: r\n    category: contact\n    severity: low\n    pattern: 'a'\n    keywords: [a]\n    \(line)\n    action: mask\n"
        let error = try #require(throws: RuleError.self) { try pack(rule) }
        #expect(error.description.contains("must be a whole number from"), "\(error)")
        #expect(try pack(rule.replacingOccurrences(of: line, with: line.hasPrefix("min_digits") ? "min_digits: 10000" : "min_keyword_count: 10000")).rules.count == 1)
    }

    @Test func limitsYieldAConservativeMatch() throws {
        let p = try pack("  - id: slow\n    category: free_text\n    severity: low\n    pattern: '(a+)+$'\n    action: mask\n")
        var counters = RuleEngine.Counters()
        let engine = RuleEngine(packs: [p])
        // The default match limit stops this long before it could hang.
        let text = Array((String(repeating: "a", count: 40) + "!").utf8)
        let found = engine.matches(in: text, channel: .text, counters: &counters)
        #expect(found == [RuleMatch(rule: 0, range: 0..<text.count, limited: true)])
        #expect(engine.apply(found, to: text, pseudonymKey: []) == Array((String(repeating: "*", count: 41)).utf8))
        // Matches found before the limit was hit are dropped: the one conservative match stays.
        let p2 = try pack("  - id: slow2\n    category: free_text\n    severity: low\n    pattern: 'b|(a+)+$'\n    action: mask\n")
        let text2 = Array(("b b " + String(repeating: "a", count: 40) + "!").utf8)
        #expect(RuleEngine(packs: [p2]).matches(in: text2, channel: .text, counters: &counters)
            == [RuleMatch(rule: 0, range: 0..<text2.count, limited: true)])
    }
}

@Suite("Validators")
struct ValidatorTests {
    @Test func luhn() {
        #expect(Validators.luhn("4242 4242 4242 4242"))
        #expect(!Validators.luhn("4242 4242 4242 4241"))
        #expect(Validators.luhn("490154203237518")) // an IMEI
    }
    @Test func iban() {
        #expect(Validators.iban("DE89 3704 0044 0532 0130 00"))
        #expect(Validators.iban("GB82WEST12345698765432"))
        #expect(!Validators.iban("DE89 3704 0044 0532 0130 01"))
        #expect(!Validators.iban("DE89 3704 0044 0532 0130")) // wrong length for DE
        #expect(!Validators.iban("XX89370400440532013000"))
        #expect(Validators.iban("gb82-west-1234-5698-7654-32")) // either case, hyphens
        #expect(!Validators.iban("GB82WEST1234569876543é"))
        #expect(!Validators.iban(String(repeating: "GB82WEST12345698765432", count: 2)))
    }
    /// The byte-level checks agree with the textbook ones (reference implementations below)
    /// on every change of one character of valid numbers.
    @Test func validatorsAgreeWithReferenceImplementations() {
        func luhnReference(_ v: String) -> Bool {
            let d = v.compactMap(\.wholeNumberValue)
            guard d.count >= 2 else { return false }
            return d.reversed().enumerated().map { $0.offset % 2 == 1 ? ($0.element * 2 > 9 ? $0.element * 2 - 9 : $0.element * 2) : $0.element }.reduce(0, +) % 10 == 0
        }
        func ibanReference(_ v: String) -> Bool {
            let s = v.uppercased().filter { $0 != " " && $0 != "-" }
            guard s.count >= 15, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }),
                  Validators.ibanLengths[String(s.prefix(2))] == s.count,
                  s.dropFirst(2).prefix(2).allSatisfy(\.isNumber) else { return false }
            let moved = s.dropFirst(4) + s.prefix(4)
            var r = 0
            for c in moved { r = c.isNumber ? (r * 10 + c.wholeNumberValue!) % 97 : (r * 100 + Int(c.asciiValue! - 55)) % 97 }
            return r == 1
        }
        var checked = 0
        for valid in ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR1420041010050500013M02606", "4242 4242 4242 4242", "490154203237518"] {
            var variants = [valid, valid.lowercased()]
            let chars = Array(valid)
            for i in chars.indices { for r in ["0", "7", "A", "z", " ", "-", ""] { var c = chars; c.replaceSubrange(i...i, with: Array(r)); variants.append(String(c)) } }
            for v in variants {
                #expect(Validators.luhn(v) == luhnReference(v), "\(v)")
                #expect(Validators.iban(v) == ibanReference(v), "\(v)")
                checked += 1
            }
        }
        #expect(checked > 500)
    }
    /// National identity numbers: published valid numbers pass, in their written forms, and
    /// every change of one digit to another fails (each scheme catches all single-digit errors).
    @Test func nationalIDs() {
        let valid: [(ValidatorKind, [String])] = [
            (.es_dni, ["12345678Z", "12345678-Z", "X1234567L", "Y0000000Z"]),
            (.it_fiscal_code, ["RSSMRA85T10A562S", "MRTMTT25D09F205Z", "rssmra85t10a562s"]),
            (.fr_nir, ["1 85 05 78 006 084 91", "185057800608491", "2 69 02 99 341 732 85", "1 85 05 2A 006 084 35"]),
            (.nl_bsn, ["111222333", "123456782", "1112.22.333"]),
            (.pl_pesel, ["44051401359", "02070803628"]),
            (.br_cpf, ["529.982.247-25", "11144477735"]),
            (.verhoeff, ["2345 6789 0124", "498712345679"]),
        ]
        var checked = 0
        for (kind, numbers) in valid {
            for number in numbers {
                #expect(Validators.check(kind, number, minEntropy: 0), "\(kind) \(number)")
                let chars = Array(number)
                for i in chars.indices where chars[i].isNumber {
                    for d in "0123456789" where d != chars[i] {
                        var c = chars
                        c[i] = d
                        #expect(!Validators.check(kind, String(c), minEntropy: 0), "\(kind) \(String(c))")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 1000)
        // Shapes the checks refuse, whatever the check digit.
        let invalid: [(ValidatorKind, String)] = [
            (.es_dni, "1234567Z"), (.es_dni, "A1234567L"), (.it_fiscal_code, "RSSMRA85T10A562"),
            (.fr_nir, "1 85 05 2C 006 084 35"), (.br_cpf, "111.111.111-11"), (.br_cpf, "000.000.000-00"),
            (.verhoeff, "1345 6789 0124"), (.pl_pesel, "44131401350"), (.nl_bsn, "000000000"),
        ]
        for (kind, v) in invalid { #expect(!Validators.check(kind, v, minEntropy: 0), "\(kind) \(v)") }
    }
    @Test func ssn() {
        #expect(Validators.usSSN("123-45-6789"))
        for bad in ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "123-45-67890", "12-345-678", ""] { #expect(!Validators.usSSN(bad), "\(bad)") }
        #expect(Validators.usSSN("078 05 1120") && Validators.usSSN("899451234"))
    }
    @Test func ip() {
        for ok in ["203.0.113.7", "::1", "2001:db8::8a2e:370:7334", "fe80::1%eth0", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "ABCD::EF01", "1::", "0.0.0.0", "255.255.255.255"] { #expect(Validators.ipAddress(ok), "\(ok)") }
        for bad in ["256.1.1.1", "1.2.3", "01.2.3.4", "1:2:3:4:5:6:7:8:9", "2001::db8::1", "g::1", "1.2.3.4.5", "1..2.3", "1.2.3.", "::ffff:1.2.3.256", ":1", "1:2:3:4:5:6:7", "12345::1", "1.2.3.04", "1:::2"] { #expect(!Validators.ipAddress(bad), "\(bad)") }
    }
    @Test func jwt() {
        #expect(Validators.jwt("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"))
        #expect(!Validators.jwt("eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxIn0.abc")) // header without alg
        #expect(!Validators.jwt("a.b.c"))
    }
    @Test func entropy() {
        #expect(Validators.shannonEntropy("aaaaaaaa") == 0)
        #expect(abs(Validators.shannonEntropy("abcd") - 2) < 1e-9)
        #expect(Validators.shannonEntropy("sk_live_4eC39HqLyjWDarjtT1zdp7dc") > 3.5)
    }
}

@Suite("Actions")
struct ActionTests {
    @Test func maskKeepsWhitespaceAndLength() {
        #expect(Actions.mask(Array("ana b\té".utf8)) == Array("*** *\t*".utf8))
    }
    /// A mask appended after other bytes: a `*` a character, Unicode's White_Space kept, the
    /// bytes before untouched (ASCII values are masked in place after a block copy).
    @Test func maskAppendedAfterOtherBytesIsScalarByScalar() {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "7", " ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\u{08}", "\u{0E}", "\u{1F}", "*",
                                          "é", "\u{A0}", "\u{2003}", "\u{3000}", "東", "😀"]
        var state: UInt64 = 12345
        for length in 0..<40 {
            for asciiOnly in [true, false] {
                let scalars = (0..<length).map { _ -> Unicode.Scalar in
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    return alphabet[Int(state % UInt64(asciiOnly ? 13 : alphabet.count))]
                }
                var text = ""
                text.unicodeScalars.append(contentsOf: scalars)
                var expected = Array("prefix".utf8)
                for s in scalars { expected += s.properties.isWhitespace ? Array(String(s).utf8) : [UInt8(ascii: "*")] }
                var out = Array("prefix".utf8)
                Array(text.utf8).withUnsafeBytes { Actions.appendMask($0, to: &out) }
                #expect(out == expected, "\(scalars)")
            }
        }
    }
    @Test func keepLastFour() {
        #expect(Actions.keepLast(Array("4242 4242 4242 4242".utf8)) == Array("**** **** **** 4242".utf8))
    }
    @Test func pseudonymsAreKeyedAndStable() {
        let a = Actions.pseudonym(Array("ana@x.test".utf8), key: [1, 2, 3])
        #expect(a == Actions.pseudonym(Array("ana@x.test".utf8), key: [1, 2, 3]))
        #expect(a != Actions.pseudonym(Array("ana@x.test".utf8), key: [1, 2, 4]))
        #expect(a.count == 16)
    }
    @Test func redactedOutputIsRecognised() throws {
        let rule = try pack(emailRule.replacingOccurrences(of: "action: mask", with: "action: hash")
                                     .replacingOccurrences(of: "output: 'write to ************* today'", with: "output: 'write to [email:bd2b4ac1b74b7fd7] today'")).rules[0]
        func redacted(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { Actions.isRedacted($0, by: rule) } }
        let pseudonym = "[email:\(Actions.pseudonym(Array("ana@x.test".utf8), key: [9]))]"
        #expect(redacted(pseudonym))
        #expect(redacted("** *** \t*"))
        #expect(!redacted("[email:0123456789abcdeg]"))  // not hex
        #expect(!redacted("[email:0123456789abcdef0]")) // one digit too many
        #expect(!redacted("[phone:0123456789abcdef]"))  // another rule's
        #expect(!redacted("(email:0123456789abcdef]"))
        #expect(!redacted("ana@x.test"))
    }
}
