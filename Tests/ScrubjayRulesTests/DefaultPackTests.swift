import Foundation
import Testing
@testable import ScrubjayRules

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("The default pack")
struct DefaultPackTests {
    @Test func everyExampleOfEveryRulePasses() throws {
        let set = try RuleSet.builtin()
        let rules = set.packs.flatMap(\.rules)
        #expect(rules.count >= 30)
        let failures = RuleTester.run(rules)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
        // Pattern rules: two examples each way; field rules' examples are whole events (their
        // runner, EventRuleTester, is tested in ScrubjayRedactionTests).
        #expect(rules.filter { $0.kind == .pattern }.allSatisfy { $0.examples.match.count >= 2 && $0.examples.noMatch.count >= 2 })
        #expect(rules.filter { $0.kind == .field }.allSatisfy { $0.examples.match.count >= 1 && $0.examples.noMatch.count >= 1 })
        #expect(rules.allSatisfy { $0.pattern.isJITCompiled })
    }

    /// Text assumed valid UTF-8 is matched through JIT's fast path; text that is checked goes
    /// through pcre2_match first. Every pattern of every pack finds the same in both ways, on
    /// every example, alone and joined into one text with line breaks between.
    @Test func theJITFastPathFindsWhatPcre2MatchFinds() throws {
        let rules = try RuleSet.builtin().packs.flatMap(\.rules)
        let examples = rules.flatMap { $0.examples.match.map(\.input) + $0.examples.noMatch.map(\.input) }
        let texts = examples + [examples.joined(separator: "\n"), "", "é ünïcode ✓ 4242 4242 4242 4242"]
        var compared = 0
        for rule in rules {
            for text in texts {
                let fast = try rule.pattern.matches(in: Array(text.utf8), assumeValidUTF8: true)
                let checked = try rule.pattern.matches(in: Array(text.utf8), assumeValidUTF8: false)
                #expect(fast == checked, "\(rule.id) on \(text.prefix(60))")
                compared += fast.count
            }
        }
        #expect(compared > 500)
    }

    /// What the default packs find in a JSON number read alone (docs/RULES.md, "Channels"):
    /// among bare digit runs of every length, decimals, negative numbers and exponents, only
    /// `payment_card` and `fr_nir` find anything, and only a whole run: one that has a card
    /// network's prefix and passes the Luhn check (timestamps start with 1, which no network
    /// uses), or fifteen digits with a NIR's key. The
    /// payload channels' gate reads numbers from two bytes (`bitcoin_address`, the shortest rule
    /// without keywords: two digits), and the `input` channel, whose `typed_input` takes
    /// anything, reads every number.
    @Test func whatTheDefaultPacksFindInNumbers() throws {
        let engine = try RuleSet.defaults().engine
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(next(10))) }) }
        var numbers = ["1700000000102", "1700000000102000", "1700000000102000000", "1700000000.1234", "4111111111111112", "1e21",
                       "4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "-4111111111111111"]
        for length in 1...22 {
            for _ in 0..<400 {
                let run = digits(length)
                numbers += [run, "-" + run, run + "." + digits(1 + next(6)), "0." + run, run + "e+" + digits(2), digits(1) + "." + run + "E-" + digits(1)]
                numbers.append(["4", "51", "22", "34", "37", "36", "35", "6"][next(8)] + digits(length))
            }
        }
        var found: [String: Int] = [:]
        for n in numbers {
            var counters = RuleEngine.Counters()
            let bytes = Array(n.utf8)
            for m in engine.matches(in: bytes, channel: .custom, counters: &counters) {
                let id = engine.rules[m.rule].id
                found[id, default: 0] += 1
                let digitsOnly = n.drop { $0 == "-" }
                let whole = String(decoding: bytes[m.range], as: UTF8.self) == digitsOnly
                let valid = id == "payment_card" ? Validators.luhn(String(digitsOnly))
                    : id == "fr_nir" && digitsOnly.count == 15 && Validators.check(.fr_nir, String(digitsOnly), minEntropy: 0)
                #expect(whole && valid, "\(id) finds \(n)")
            }
        }
        #expect(Set(found.keys) == ["payment_card", "fr_nir"], "\(found)")
        for channel in [Channel.custom, .console, .network] {
            #expect(engine.numberGate(for: channel) == NumberGate(digitsOnly: 2, other: 2))
        }
        #expect(engine.numberGate(for: .input) == NumberGate(digitsOnly: 1, other: 1))
        let gate = engine.numberGate(for: .custom)
        for (n, read) in [("1", false), ("12", true), ("123456", true), ("1.5", true), ("-1", true), ("4111111111111111", true)] {
            #expect(Array(n.utf8).withUnsafeBytes(gate.admits) == read, "\(n)")
        }
    }

    @Test func theCompiledInPacksMatchRulesFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Rules").path)
            .filter { $0.hasSuffix(".yml") }.sorted()
        #expect(BuiltinPacks.all.map(\.name) == files, "run python3 Rules/embed.py")
        for (name, text) in BuiltinPacks.all {
            let onDisk = try String(contentsOf: root.appendingPathComponent("Rules/\(name)"), encoding: .utf8)
            #expect(text == onDisk, "Rules/\(name) changed: run python3 Rules/embed.py")
        }
    }

    @Test func theDefaultsLoadFromDiskToo() throws {
        let fromDisk = try RuleSet.load(RuleSet.defaultPackFiles.map { root.appendingPathComponent("Rules/\($0)").path })
        let builtin = try RuleSet.defaults()
        #expect(builtin.packs.map(\.name) == ["default", "network", "privacy-markers"])
        #expect(fromDisk.packs.flatMap(\.rules).map(\.id) == builtin.packs.flatMap(\.rules).map(\.id))
        #expect(fromDisk.packs.map(\.sha256) == builtin.packs.map(\.sha256))
    }
}

/// Sentry Relay's built-in PII rule cases (Tests/Fixtures/accuracy/relay_cases.jsonl) for the
/// detectors we share. Deliberate differences (docs/RULES.md, "Differences from Relay"):
/// IBANs and card numbers must pass their checksum (Relay matches the shape only), and a
/// bare IMEI needs the word "imei" near it.
@Suite("Relay's PII cases")
struct RelayCaseTests {
    struct Case: Decodable {
        let rule_type: String
        let input: String
        let matched: String?
        let input_span: [Int]?
        let test: String
    }

    static let ours: [String: Set<String>] = [
        "@ip": ["ipv4", "ipv6"], "@mac": ["mac_address"], "@email": ["email"], "@creditcard": ["payment_card"],
        "@iban": ["iban"], "@usssn": ["us_ssn"], "@imei": ["imei"], "@pemkey": ["pem_private_key"], "@urlauth": ["url_credentials"],
    ]

    static let cases: [Case] = {
        let path = root.appendingPathComponent("Tests/Fixtures/accuracy/relay_cases.jsonl").path
        return try! String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try! JSONDecoder().decode(Case.self, from: Data($0.utf8))
        }.filter { ours[$0.rule_type] != nil && $0.matched != nil }
    }()

    /// Whether we deliberately leave this Relay match alone, and why.
    static func deliberateDifference(_ c: Case) -> String? {
        let value = c.matched ?? ""
        switch c.rule_type {
        case "@iban" where !Validators.iban(value): return "fails the IBAN mod-97 check"
        case "@creditcard" where !Validators.luhn(value): return "fails the Luhn check"
        case "@imei" where !c.input.lowercased().contains("imei"): return "no 'imei' keyword"
        default: return nil
        }
    }

    @Test func sharedDetectorsAgree() throws {
        let set = try RuleSet.defaults()
        let engine = set.engine
        #expect(Self.cases.count > 90)
        var agreed = 0, different = 0
        for c in Self.cases {
            let bytes = Array(c.input.utf8)
            var counters = RuleEngine.Counters()
            let found = engine.matches(in: bytes, channel: .text, counters: &counters)
            let hits = found.filter { Self.ours[c.rule_type]!.contains(engine.rules[$0.rule].id) }
                .map { String(decoding: bytes[$0.range], as: UTF8.self) }
            if let why = Self.deliberateDifference(c) {
                #expect(hits.isEmpty, "\(c.test): \(c.matched!) is left alone on purpose (\(why)), but we found \(hits)")
                different += 1
            } else {
                #expect(hits.contains { $0.contains(c.matched!) || c.matched!.contains($0) && $0.count * 2 >= c.matched!.count },
                        "\(c.test) \(c.rule_type): Relay finds \(c.matched!) in \(c.input), we find \(hits)")
                agreed += 1
            }
        }
        #expect(agreed >= 15)
        #expect(different > 0)
    }
}
