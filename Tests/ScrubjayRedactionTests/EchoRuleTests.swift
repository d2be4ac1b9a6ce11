import Foundation
import Testing
import ScrubjayJSON
import ScrubjayPackage
@testable import ScrubjayRules
@testable import ScrubjayRedaction
import ScrubjayTestSupport

/// Echo rules (docs/RULES.md, "Echo rules"): what a field's rule masked, shown again by the
/// page where no rule reaches it, is found in a second pass; the built-in one is
/// `privacy.echoed_value` of the privacy-markers pack.
@Suite("Echo rules")
struct EchoRuleTests {
    static let meta = #"{"type":4,"data":{"href":"https://shop.test/checkout","width":1000,"height":800},"timestamp":1700000000000}"#
    /// A page with a name field (privacy.personal_field masks what is typed into it), a
    /// password field, and a paragraph (node 7) that says nothing yet.
    static let page = #"{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"html","attributes":{},"id":2,"childNodes":[{"type":2,"tagName":"body","attributes":{},"id":3,"childNodes":["#
        + #"{"type":2,"tagName":"input","attributes":{"autocomplete":"name"},"id":4,"childNodes":[]},"#
        + #"{"type":2,"tagName":"input","attributes":{"type":"password"},"id":5,"childNodes":[]},"#
        + #"{"type":2,"tagName":"p","attributes":{},"id":6,"childNodes":[{"type":3,"textContent":"Welcome","id":7}]}"#
        + #"]}]}]},"initialOffset":{"top":0,"left":0}},"timestamp":1700000000100}"#
    static func typed(_ text: String, into id: Int, at t: Int) -> String {
        #"{"type":3,"data":{"source":5,"text":"\#(text)","isChecked":false,"id":\#(id)},"timestamp":\#(1700000000000 + t)}"#
    }
    static func shown(_ text: String, at t: Int) -> String {
        #"{"type":3,"data":{"source":0,"texts":[{"id":7,"value":"\#(text)"}],"attributes":[],"removes":[],"adds":[]},"timestamp":\#(1700000000000 + t)}"#
    }
    static func console(_ text: String, at t: Int) -> String {
        #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","payload":["\"\#(text)\""],"trace":[]}},"timestamp":\#(1700000000000 + t)}"#
    }
    static func recording(_ events: [String]) -> String { "[" + ([meta, page] + events).joined(separator: ",\n") + "]" }

    func echoFindings(_ audit: AuditResult) -> [Finding] { audit.findings.filter { $0.rule == "privacy.echoed_value" } }

    /// The leak ../shared/FORMATS.md lists: a typed name shown back ("Thank you, NAME"), in
    /// the page and in the console. Gone from the package, found by audit at the same places
    /// as by redact, and the rescan of the package is clean.
    @Test func aTypedNameShownBackIsMasked() throws {
        let json = Self.recording([
            Self.typed("Ana", into: 4, at: 200), Self.typed("Ana Lima", into: 4, at: 300),
            Self.shown("Thank you, Ana Lima!", at: 400),
            Self.console("order 1234 for ANA LIMA", at: 500),
        ])
        let (events, audit, rescan) = try redactRecording(json)
        #expect(!events.lowercased().contains("ana lima"), "\(events)")
        #expect(events.contains("Thank you, *** ****!"))
        #expect(events.contains("order 1234 for *** ****"))
        let echoes = echoFindings(audit)
        #expect(echoes.map(\.eventIndex) == [4, 5])
        #expect(echoes.map(\.channel) == [.text, .console])
        #expect(echoes.allSatisfy { $0.category == .free_text && $0.severity == .high && $0.preview == "A*** L***" })
        #expect(rescan.findings.isEmpty, "\(rescan.findings)")
    }

    /// The value is found before it was typed too (the page showed the account's name, then
    /// the field was filled): a second pass over the whole recording.
    @Test func anEchoBeforeTheTypingIsFoundToo() throws {
        let json = Self.recording([
            Self.shown("Signed in as ana  lima", at: 150),
            Self.typed("Ana Lima", into: 4, at: 300),
        ])
        let (events, audit, _) = try redactRecording(json)
        #expect(events.contains("Signed in as ***  ****"), "\(events)")
        #expect(echoFindings(audit).map(\.eventIndex) == [2])
    }

    /// A value is found as a whole word or words only; passwords are not learned (the
    /// built-in rule's `learn_from`); values under three characters are not learned.
    @Test func onlyWholeValuesOfTheFieldsItLearnsFrom() throws {
        let json = Self.recording([
            Self.typed("Ana Lima", into: 4, at: 200),
            Self.typed("Sunshine", into: 5, at: 300),
            Self.shown("Banana Limas, Ana, Lima and Ana-Lima; Sunshine today", at: 400),
            Self.typed("Al", into: 4, at: 500),
            Self.shown("Al said hi", at: 600),
        ])
        let (events, audit, _) = try redactRecording(json)
        #expect(events.contains("Banana Limas, Ana, Lima and Ana-Lima; Sunshine today"), "\(events)")
        #expect(events.contains("Al said hi"))
        #expect(echoFindings(audit).isEmpty)
    }

    /// What is learned from one field: the keystrokes of a value replace one another; a
    /// value typed after the field was cleared is kept beside the first.
    @Test func keystrokesTeachWhatTheFieldCameToHold() {
        var learned = EchoValues()
        func learn(_ s: String, node: Int? = 4) { Array(s.utf8).withUnsafeBytes { learned.learn($0, window: "w", nodeId: node) } }
        for prefix in ["A", "An", "Ana", "Ana ", "Ana L", "Ana Li", "Ana Lim", "Ana Lima", "Ana Lim", "Ana Lima"] { learn(prefix) }
        #expect(learned.values == [Array("Ana Lima".utf8)])
        learn("B"); learn("Bo"); learn("Bob Stone")
        learn("  ***  ") // masked at record time: nothing to learn
        learn("ana@shop.test", node: nil)
        #expect(learned.values.map { String(decoding: $0, as: UTF8.self) } == ["ana@shop.test", "Bob Stone", "Ana Lima"])
    }

    /// A value the field held and then shrank from (backspaces, or the field cleared and a
    /// value typed again that starts the same) is kept: the page may have shown it back
    /// meanwhile. The values a run of backspaces passes through are not learned.
    @Test func aValueTheFieldShrankFromIsKept() throws {
        var learned = EchoValues()
        func learn(_ s: String) { Array(s.utf8).withUnsafeBytes { learned.learn($0, window: "w", nodeId: 4) } }
        for v in ["Ana", "Ana Lima", "Ana Lim", "Ana Li", "Ana L", "Ana ", "Ana", "Ana S", "Ana Silva"] { learn(v) }
        #expect(learned.values.map { String(decoding: $0, as: UTF8.self) } == ["Ana Silva", "Ana Lima"])
        let json = Self.recording([
            Self.typed("Ana Lima", into: 4, at: 200), Self.shown("Thank you, Ana Lima!", at: 300),
            Self.typed("", into: 4, at: 400), Self.typed("An", into: 4, at: 500), Self.typed("Ana", into: 4, at: 600),
        ])
        let (events, audit, _) = try redactRecording(json)
        #expect(events.contains("Thank you, *** ****!"), "\(events)")
        #expect(echoFindings(audit).map(\.eventIndex) == [3])
    }

    /// A no-break space (or another Unicode space) stands for white space on either side: in
    /// the value typed, at its ends, and where the page shows it.
    @Test func noBreakSpacesAreWhiteSpace() throws {
        let json = Self.recording([
            Self.typed("Ana Lima", into: 4, at: 200), Self.shown(#"Thank you, Ana\u00a0Lima and Ana\u2009Lima!"#, at: 300),
            Self.typed(#"Bob\u00a0Stone\u00a0"#, into: 4, at: 400), Self.shown("Bye Bob Stone.", at: 500),
        ])
        let (events, audit, _) = try redactRecording(json)
        #expect(!events.contains("Lima") && !events.contains("Stone"), "\(events)")
        #expect(events.contains("Bye *** *****."), "\(events)")
        #expect(echoFindings(audit).map(\.eventIndex) == [3, 3, 5])
    }

    /// Values are matched as text, not as patterns: regular-expression characters, quotes
    /// and a `\E` stand for themselves.
    @Test func valuesAreMatchedLiterally() throws {
        let echo = try Self.echoRule()
        let values = [#"O'Brien (Ana) + 1.5"#, #"back\Eslash"#, "Zoë Ærø"].map { Array($0.utf8) }
        let engine = RuleEngine(rules: [echo.echoing(values)])
        var counters = RuleEngine.Counters()
        func found(_ s: String) -> [String] {
            let b = Array(s.utf8)
            return engine.matches(in: b, channel: .text, counters: &counters).map { String(decoding: b[$0.range], as: UTF8.self) }
        }
        #expect(found(#"hi O'Brien (Ana) + 1.5!"#) == [#"O'Brien (Ana) + 1.5"#])
        #expect(found(#"O'Brien (Ana) + 155"#).isEmpty)
        #expect(found(#"see back\Eslash now"#) == [#"back\Eslash"#])
        #expect(found("dear zoë ærø,") == ["zoë ærø"])
        #expect(found("Zoë Ærøy").isEmpty)
    }

    /// Many values (a long session): the patterns are cut so PCRE2 compiles each, and every
    /// value is still found.
    @Test func manyValuesAreAllFound() throws {
        let echo = try Self.echoRule()
        let values = (0..<3000).map { Array("Customer \($0) of Lisbon".utf8) }.sorted { $0.count > $1.count }
        let armed = echo.echoing(values)
        #expect(!armed.morePatterns.isEmpty)
        let engine = RuleEngine(rules: [armed])
        var counters = RuleEngine.Counters()
        for i in [0, 1, 999, 1500, 2999] {
            let text = Array("note: customer \(i) of lisbon called".utf8)
            #expect(engine.matches(in: text, channel: .text, counters: &counters).map(\.range) == [6..<(text.count - 7)], "value \(i)")
        }
    }

    /// An echo rule in a pack of its own: what it may name and hold.
    @Test func rulePacksAreChecked() throws {
        let field = Self.customerName + """
          - id: email
            category: contact
            severity: high
            pattern: '\\S+@\\S+'
            action: mask

        """
        func echo(_ extra: String) -> String {
            "  - id: echo\n    category: contact\n    severity: high\n    kind: echo\n    action: mask\n" + extra
        }
        func loadError(_ yaml: String) throws -> String {
            let dir = scratchPath("echo-pack")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try ("version: 1\npack: p\nrules:\n" + yaml).write(toFile: dir + "/p.yml", atomically: true, encoding: .utf8)
            do { _ = try RulePackLoader.load(paths: [dir + "/p.yml"]); return "" } catch { return "\(error)" }
        }
        #expect(try loadError(field + echo("    learn_from: [customer_name]\n")) == "")
        #expect(try loadError(field + echo("    learn_from: [customer_nam]\n")).contains("rule echo: learn_from names 'customer_nam', which is not a rule of the packs in use"))
        #expect(try loadError(field + echo("    learn_from: [email]\n")).contains("learn_from names 'email', which rewrites no value an echo rule can learn"))
        #expect(try loadError(field + echo("    pattern: 'x'\n")).contains("an echo rule finds the values other rules rewrote: no 'pattern'"))
        #expect(try loadError(field + echo("").replacingOccurrences(of: "action: mask", with: "action: mask_text")).contains("an echo rule's action is mask, replace, remove, hash or keep_last"))
        #expect(try loadError(field.replacingOccurrences(of: "action: mask\n  - id: email", with: "action: mask\n    learn_from: [email]\n  - id: email")).contains("'learn_from' belongs to echo rules"))
        // Unarmed, an echo rule reads no channel: a first pass runs nothing for it.
        let p = try RulePackLoader.parse(text: "version: 1\npack: p\nrules:\n" + field + echo(""), file: "p.yml", includeBase: nil).pack
        #expect(p.rules[2].channels.isEmpty && p.rules[2].echoChannels == Set(Channel.allCases))
    }

    /// `rules test` runs an echo rule's examples with the rules its `learn_from` names, in
    /// another pack too (an included one): not only with the rules of its own file.
    @Test func examplesRunWithTheRulesLearnedFromInOtherPacks() throws {
        let dir = scratchPath("echo-include")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ("version: 1\npack: a\nrules:\n" + Self.customerName).write(toFile: dir + "/a.yml", atomically: true, encoding: .utf8)
        let input = #"[{"type":5,"data":{"tag":"$identify","payload":{"properties":{"name":"Ana Lima"}}},"timestamp":1},{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","payload":["\"hi Ana Lima\""],"trace":[]}},"timestamp":2}]"#
        let output = input.replacingOccurrences(of: "Ana Lima", with: "*** ****")
        try """
        version: 1
        pack: b
        include: [a.yml]
        rules:
          - id: echo
            category: contact
            severity: high
            kind: echo
            learn_from: [customer_name]
            action: mask
            examples:
              match:
                - input: '\(input)'
                  output: '\(output)'

        """.write(toFile: dir + "/b.yml", atomically: true, encoding: .utf8)
        let rules = try RulePackLoader.load(paths: [dir + "/b.yml"]).flatMap(\.rules)
        #expect(rules.map(\.id) == ["customer_name", "echo"])
        #expect(EventRuleTester.run(rules).filter { $0.rule == "echo" }.map(\.message) == [])
    }

    /// The report says how many values were learned and whether a second pass ran (a count:
    /// never a value; a second pass whenever something was learned); without an echo rule it
    /// says nothing of echoes.
    @Test func theReportCountsWhatWasLearned() throws {
        func report(_ events: [String], rules: RuleSet) throws -> RedactionReport {
            let input = try Self.writeScratch(Self.recording(events), "echo-report"), output = scratchPath("echo-report") + ".zip"
            return try RedactionJob.redact(inputs: [input], output: output, rules: rules, pseudonymKey: nil, options: PackOptions()).report
        }
        let typed = [Self.typed("Ana", into: 4, at: 200), Self.typed("Ana Lima", into: 4, at: 300), Self.typed("Bob Stone", into: 4, at: 400)]
        let echoed = try report(typed + [Self.shown("Bye Bob Stone", at: 500)], rules: defaults)
        #expect(echoed.echoes == .init(valuesLearned: 2, secondPass: true))
        #expect(echoed.findings.byRule["privacy.echoed_value"] == 1)
        let quiet = try report(typed, rules: defaults)
        #expect(quiet.echoes == .init(valuesLearned: 2, secondPass: true))
        let nothing = try report([Self.shown("Bye Bob Stone", at: 500)], rules: defaults)
        #expect(nothing.echoes == .init(valuesLearned: 0, secondPass: false))
        let withoutEcho = RuleSet(packs: defaults.packs.map { p in
            RulePack(name: p.name, description: p.description, file: p.file, sha256: p.sha256, rules: p.rules.filter { $0.kind != .echo })
        })
        #expect(try report(typed + [Self.shown("Bye Bob Stone", at: 500)], rules: withoutEcho).echoes == nil)
        let json = String(decoding: try echoed.encoded(), as: UTF8.self)
        #expect(json.contains(#""secondPass" : true"#) && json.contains(#""valuesLearned" : 2"#), "\(json)")
        #expect(!json.contains("Bob") && !json.contains("Ana") && !json.contains("Stone"))
    }

    /// An echo the page shows only encoded (a JSON escape, a base64 data URL, percent-encoding
    /// in a URL) is read decoded, as every rule reads it: redact finds it as audit does. The
    /// second pass was once decided by a test of the first pass's bytes, which missed these.
    @Test func anEncodedEchoIsFound() throws {
        let json = Self.recording([
            Self.typed("Ana Lima", into: 4, at: 200),
            #"{"type":3,"data":{"source":0,"texts":[{"id":7,"value":"Thank you, Ana Lim\u0061!"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000300}"#,
            #"{"type":5,"data":{"tag":"note","payload":{"blob":"data:text/plain;base64,VGhhbmsgeW91IEFuYSBMaW1h"}},"timestamp":1700000000400}"#,
            #"{"type":4,"data":{"href":"https://shop.test/thanks?who=Ana%20Lim%61","width":1000,"height":800},"timestamp":1700000000500}"#,
        ])
        let (events, audit, rescan) = try redactRecording(json)
        #expect(echoFindings(audit).map(\.eventIndex) == [3, 4, 5], "\(audit.findings)")
        #expect(!events.contains("Lim\\u0061") && !events.contains("VGhhbmsgeW91IEFuYSBMaW1h") && !events.contains("Lim%61"), "\(events)")
        #expect(rescan.findings.isEmpty, "\(rescan.findings)")
    }

    /// Each echo rule learns from its own `learn_from` rules only, and finds on its own
    /// channels with its own action: two echo rules in one pack do not share what they learned.
    @Test func eachEchoRuleLearnsFromItsOwnRules() throws {
        let rules = try Self.packWithCustomerName("""
          - id: card_name
            category: financial
            severity: high
            kind: selector
            selector: '[autocomplete~=cc-name i]'
            action: mask_input
          - id: echo_card
            category: financial
            severity: high
            kind: echo
            learn_from: [card_name]
            action: replace
            replacement: '[card name]'
          - id: echo_customer
            category: contact
            severity: high
            kind: echo
            learn_from: [customer_name]
            channels: [console]
            action: replace
            replacement: '[customer]'

        """)
        let json = Self.recording([
            Self.identify,
            Self.shown("Hello Ana Lima", at: 300),
            Self.console("customer Ana Lima", at: 400),
        ])
        let input = try Self.writeScratch(json, "echo-two")
        let audit = try RedactionJob.audit(inputs: [input], rules: rules)
        #expect(audit.findings.map(\.rule) == ["customer_name", "echo_customer"], "\(audit.findings)")
        #expect(audit.findings.last?.channel == .console)
    }

    /// The choices a page offers are its own words, not what a visitor typed: a radio button's
    /// or a checkbox's value, a select's option, are not learned (a personal field's `sex`
    /// radio "Female", a marked form's checkbox "yes", a `bday-month` select "March" masked
    /// those words everywhere). What is typed into a text field of the same kind still is.
    @Test func theChoicesAPageOffersAreNotLearned() throws {
        let page = #"{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"html","attributes":{},"id":2,"childNodes":[{"type":2,"tagName":"body","attributes":{},"id":3,"childNodes":["#
            + #"{"type":2,"tagName":"input","attributes":{"type":"radio","autocomplete":"sex","value":"Female"},"id":4,"childNodes":[]},"#
            + #"{"type":2,"tagName":"form","attributes":{"class":"rr-mask"},"id":5,"childNodes":[{"type":2,"tagName":"input","attributes":{"type":"checkbox","value":"yes"},"id":6,"childNodes":[]}]},"#
            + #"{"type":2,"tagName":"select","attributes":{"autocomplete":"bday-month"},"id":8,"childNodes":[{"type":2,"tagName":"option","attributes":{"value":"March"},"id":9,"childNodes":[{"type":3,"textContent":"March","id":10}]}]},"#
            + #"{"type":2,"tagName":"input","attributes":{"autocomplete":"address-level2"},"id":11,"childNodes":[]},"#
            + #"{"type":2,"tagName":"p","attributes":{},"id":12,"childNodes":[{"type":3,"textContent":"Welcome","id":7}]}"#
            + #"]}]}]},"initialOffset":{"top":0,"left":0}},"timestamp":1700000000100}"#
        let json = "[" + [Self.meta, page,
            Self.typed("Female", into: 4, at: 200), Self.typed("yes", into: 6, at: 300), Self.typed("March", into: 8, at: 400),
            Self.typed("Springfield", into: 11, at: 500),
            Self.shown("Female and Male sizes; yes, March sales in Springfield", at: 600),
        ].joined(separator: ",\n") + "]"
        let (events, audit, _) = try redactRecording(json)
        #expect(events.contains("Female and Male sizes; yes, March sales in ***********"), "\(events)")
        #expect(echoFindings(audit).count == 1)
    }

    /// A value in a script written without spaces between words (Chinese, Japanese, Thai) is
    /// found inside the sentence that shows it back; CSS text is read too.
    @Test func unspacedScriptsAndCSS() throws {
        let json = Self.recording([
            Self.typed("王小明", into: 4, at: 200),
            Self.shown("谢谢王小明先生", at: 300),
            Self.typed("Ana Lima", into: 4, at: 400),
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":6,"attributes":{"style":"--who: 'Ana Lima'"}}],"removes":[],"adds":[]},"timestamp":1700000000500}"#,
        ])
        let (events, audit, _) = try redactRecording(json)
        #expect(events.contains("谢谢*********先生") || events.contains("谢谢***先生"), "\(events)")
        #expect(!events.contains("王小明") && !events.contains("Ana Lima"), "\(events)")
        #expect(echoFindings(audit).map(\.channel) == [.text, .css])
    }

    /// A field rule teaches the echo rule too (a payload's name field, then the page).
    @Test func aFieldRuleTeachesAValue() throws {
        let rules = try Self.packWithCustomerName("""
          - id: echo
            category: contact
            severity: high
            kind: echo
            learn_from: [customer_name]
            action: replace
            replacement: '[name]'

        """)
        let json = Self.recording([
            Self.identify,
            Self.shown("Hello Ana Lima", at: 300),
        ])
        let input = try Self.writeScratch(json, "echo-field"), output = scratchPath("echo-field") + ".zip"
        let audit = try RedactionJob.audit(inputs: [input], rules: rules)
        #expect(audit.findings.map(\.rule) == ["customer_name", "echo"])
        try RedactionJob.redact(inputs: [input], output: output, rules: rules, pseudonymKey: nil, options: PackOptions())
        let package = try ReplayPackage.open(output)
        let events = try package.events(window: package.manifest.recording.windows[0]).map { String(decoding: $0, as: UTF8.self) }
        #expect(events.joined().contains("Hello [name]") && !events.joined().contains("Ana Lima"))
    }

    /// A field rule masking the name of PostHog's `$identify` event.
    static let customerName = """
      - id: customer_name
        category: contact
        severity: high
        kind: field
        paths: ['custom.$identify.payload.properties.name']
        action: mask

    """

    /// A pack of `customerName` and the rules of `yaml`.
    static func packWithCustomerName(_ yaml: String) throws -> RuleSet {
        RuleSet(packs: [try RulePackLoader.parse(text: "version: 1\npack: p\nrules:\n" + customerName + yaml, file: "p.yml", includeBase: nil).pack])
    }

    /// The path of a new scratch file `name`.json holding `json`.
    static func writeScratch(_ json: String, _ name: String) throws -> String {
        let path = scratchPath(name) + ".json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// PostHog's `$identify` event naming the person Ana Lima.
    static let identify = #"{"type":5,"data":{"tag":"$identify","payload":{"properties":{"name":"Ana Lima"}}},"timestamp":1700000000200}"#

    static func echoRule() throws -> Rule {
        try #require(try RuleSet.defaults().rule("privacy.echoed_value")?.0)
    }
}
