import Foundation
import Testing
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayRules
@testable import ScrubjayRedaction

@Suite("Actions on recordings")
struct ActionTests {
    static let hashPack = """
    version: 1
    pack: hashing
    rules:
      - id: email_pseudonym
        description: emails become stable pseudonyms
        category: contact
        severity: medium
        pattern: '[a-z.]+@[a-z]+\\.test'
        keywords: ['@']
        action: hash
        examples:
          match:
            - input: 'a@b.test'
              output: '[email_pseudonym:a2f5c3a8a58e6b5b]'
      - id: drop_title
        description: titles with ids go
        category: identifier
        severity: low
        channels: [attribute]
        pattern: 'ID-\\d+'
        action: remove
        examples:
          match:
            - input: 'ID-12'
              output: ''
    """

    @Test func hashGivesTheSamePseudonymForTheSameValue() throws {
        let rules = try pack(ActionTests.hashPack)
        let event = #"{"type":3,"data":{"source":0,"texts":[{"id":1,"value":"ana@x.test"},{"id":2,"value":"to ana@x.test and bo@x.test"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1}"#
        let key = Array("0123456789abcdef0123".utf8)
        let (out, _) = try redact(event, rules: rules, key: key)
        let ana = "[email_pseudonym:\(Actions.pseudonym(Array("ana@x.test".utf8), key: key))]"
        let bo = "[email_pseudonym:\(Actions.pseudonym(Array("bo@x.test".utf8), key: key))]"
        #expect(out.contains(#""value":"\#(ana)""#))
        #expect(out.contains(#""value":"to \#(ana) and \#(bo)""#))
        #expect(ana != bo)
        // Another key, another pseudonym.
        let (other, _) = try redact(event, rules: rules, key: Array("another key, 16 bytes+".utf8))
        #expect(!other.contains(ana))
    }

    @Test func removeOfAWholeAttributeDropsIt() throws {
        let rules = try pack(ActionTests.hashPack)
        let event = #"{"type":2,"data":{"node":{"type":2,"tagName":"div","id":4,"attributes":{"title":"ID-42","class":"c","data-x":"see ID-7"},"childNodes":[]}},"timestamp":1}"#
        let (out, r) = try redact(event, rules: rules)
        #expect(out == #"{"type":2,"data":{"node":{"type":2,"tagName":"div","id":4,"attributes":{"class":"c","data-x":"see "},"childNodes":[]}},"timestamp":1}"#)
        #expect(r.tally.findings.byAction["remove"] == 2)
    }

    @Test func aPatternThatHitsItsLimitMasksTheWholeValue() throws {
        let rules = try pack("""
        version: 1
        pack: slow
        rules:
          - id: catastrophic
            description: nested quantifiers
            category: free_text
            severity: high
            pattern: '(a+)+$'
            action: replace
            replacement: '[x]'
            examples:
              match:
                - input: 'aaa'
                  output: '[x]'
        """)
        let event = #"{"type":3,"data":{"source":5,"text":"\#(String(repeating: "a", count: 40))!","isChecked":false,"id":3},"timestamp":1}"#
        let (out, r) = try redact(event, rules: rules)
        #expect(r.findings.first?.kind == "rule.limit")
        #expect(r.findings.first?.action == .mask)
        #expect(out.contains(#""text":"\#(String(repeating: "*", count: 41))""#))
    }

    @Test func randomKeysDifferAndAreNeverWritten() throws {
        let rules = try pack(ActionTests.hashPack)
        let input = temporaryPath("in.json")
        try #"[{"type":4,"data":{"href":"https://x.test/","width":1,"height":1},"timestamp":1},{"type":3,"data":{"source":5,"text":"ana@x.test","isChecked":false,"id":3},"timestamp":2}]"#
            .write(toFile: input, atomically: true, encoding: .utf8)
        let a = temporaryPath("a.zip"), b = temporaryPath("b.zip")
        defer { for p in [input, a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let report = try RedactionJob.redact(inputs: [input], output: a, rules: rules, pseudonymKey: nil, options: PackOptions()).report
        try RedactionJob.redact(inputs: [input], output: b, rules: rules, pseudonymKey: nil, options: PackOptions())
        #expect(report.pseudonymKey == "random")
        let ea = try ReplayPackage.open(a), eb = try ReplayPackage.open(b)
        let wa = try ea.events(window: ea.manifest.recording.windows[0]), wb = try eb.events(window: eb.manifest.recording.windows[0])
        #expect(wa[1] != wb[1], "two runs with random keys must not give linkable pseudonyms")
        for pkg in [ea, eb] {
            for (_, data) in pkg.files { #expect(!String(decoding: data, as: UTF8.self).contains("ana@x.test")) }
        }
    }
}

@Suite("Prefilter")
struct PrefilterTests {
    @Test func keywordsAreFoundCaseInsensitivelyInOnePass() throws {
        let rules = try pack("""
        version: 1
        pack: p
        rules:
          - id: token
            description: t
            category: credential
            severity: high
            pattern: 'tok-\\d+'
            flags: [caseless]
            keywords: ['TOK-', 'bearer']
            action: mask
            examples:
              match:
                - input: 'tok-1'
                  output: '*****'
          - id: digits
            description: d
            category: identifier
            severity: low
            pattern: '\\d{6}'
            min_digits: 6
            action: mask
            examples:
              match:
                - input: '123456'
                  output: '******'
        """)
        var c = RuleEngine.Counters()
        #expect(rules.engine.matches(in: Array("say TOK-12".utf8), channel: .text, counters: &c).map(\.rule) == [0])
        #expect(c.patternRuns == 1 && c.skippedByPrefilter == 1)
        c = RuleEngine.Counters()
        #expect(rules.engine.matches(in: Array("nothing here 12345".utf8), channel: .text, counters: &c).isEmpty)
        #expect(c.patternRuns == 0 && c.stringsSkipped == 1)
        #expect(rules.engine.matches(in: Array("id 123456".utf8), channel: .text, counters: &c).map(\.rule) == [1])
    }
}
