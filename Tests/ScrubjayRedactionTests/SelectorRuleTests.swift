import Foundation
import Testing
import ScrubjayDOM
import ScrubjayJSON
import ScrubjayPackage
import ScrubjayRules
@testable import ScrubjayRedaction

/// Selector and attribute rules: the page as it is at each event decides.
@Suite("Selector rules")
struct SelectorRuleTests {
    /// Redacts `events` (a JSON array) in order with one redactor; returns the kept events
    /// (as text) and the redactor.
    func run(_ events: String, rules: RuleSet = defaults, mode: Redactor.Mode = .redact) throws -> ([String], Redactor) {
        var r = Redactor(engine: rules.engine, mode: mode, pseudonymKey: Array("a test key of 16+ bytes".utf8), collectFindings: true)
        let bytes = JSONBytes(Array(events.utf8))
        var reader = try EventReader(bytes: bytes)
        var out: [String] = []
        var index = 0
        while let e = try reader.next() {
            var edits = JSONEdits()
            let changed = r.process(e, window: "w", index: index, edits: &edits)
            index += 1
            if r.dropsEvent { continue }
            let json = changed && mode == .redact ? JSONRewriter.apply(&edits, to: bytes, range: e.range) : e.raw
            // Every kept event is still valid JSON.
            _ = try JSONSerialization.jsonObject(with: Data(json))
            out.append(String(decoding: json, as: UTF8.self))
        }
        return (out, r)
    }

    static let snapshot = """
    {"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"html","attributes":{},"childNodes":[
      {"type":2,"id":3,"tagName":"body","attributes":{},"childNodes":[
        {"type":2,"id":4,"tagName":"p","attributes":{"class":"greeting"},"childNodes":[{"type":3,"id":5,"textContent":"Hello Ana Lima"}]},
        {"type":2,"id":6,"tagName":"section","attributes":{"class":"account ph-no-capture","rr_width":"320px","rr_height":"40px","title":"Ana Lima"},"childNodes":[
          {"type":2,"id":7,"tagName":"div","attributes":{},"childNodes":[{"type":3,"id":8,"textContent":"IBAN GB33BUKB20201555555555"}]},
          {"type":2,"id":9,"tagName":"input","attributes":{"value":"ana@example.org"},"childNodes":[]}]},
        {"type":2,"id":10,"tagName":"input","attributes":{"type":"password","value":"hunter2"},"childNodes":[]}]}]}]},
      "initialOffset":{"top":0,"left":0}},"timestamp":1}
    """

    @Test func anElementThatMatchesLaterIsMaskedFromThenOn() throws {
        let (out, r) = try run("""
        [\(Self.snapshot),
         {"type":3,"data":{"source":0,"texts":[{"id":5,"value":"Hello Bob"}],"attributes":[],"removes":[],"adds":[]},"timestamp":2},
         {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":4,"attributes":{"class":"greeting rr-mask"}}],"removes":[],"adds":[]},"timestamp":3},
         {"type":3,"data":{"source":0,"texts":[{"id":5,"value":"Hello Carla"}],"attributes":[],"removes":[],"adds":[{"parentId":4,"nextId":null,"node":{"type":3,"id":11,"textContent":"and Dan"}}]},"timestamp":4},
         {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":4,"attributes":{"class":"greeting"}}],"removes":[],"adds":[]},"timestamp":5},
         {"type":3,"data":{"source":0,"texts":[{"id":5,"value":"Hello Eve"}],"attributes":[],"removes":[],"adds":[]},"timestamp":6}]
        """)
        #expect(out.count == 6)
        #expect(out[0].contains("Hello Ana Lima"))  // not marked yet
        #expect(out[1].contains("Hello Bob"))
        #expect(out[3].contains("\"value\":\"***** *****\"") && out[3].contains("\"textContent\":\"*** ***\""))
        #expect(!out[3].contains("Carla") && !out[3].contains("Dan"))
        #expect(out[5].contains("Hello Eve"))       // the marker is gone again
        let masked = r.findings.filter { $0.rule == "privacy.mask_marker" }
        #expect(masked.map(\.eventIndex) == [3, 3] && masked.allSatisfy { $0.channel == .text })
    }

    @Test func mutationsInsideABlockedSubtreeAreDropped() throws {
        let (out, r) = try run("""
        [\(Self.snapshot),
         {"type":3,"data":{"source":0,"texts":[{"id":8,"value":"IBAN DE89370400440532013000"},{"id":5,"value":"Hi"}],
           "attributes":[{"id":7,"attributes":{"title":"Ana"}},{"id":6,"attributes":{"title":"Bob Stone","class":"account ph-no-capture open"}}],
           "removes":[{"parentId":7,"id":8}],
           "adds":[{"parentId":7,"nextId":null,"node":{"type":3,"id":12,"textContent":"bob@example.org"}},
                   {"parentId":3,"nextId":null,"node":{"type":2,"id":13,"tagName":"span","attributes":{},"childNodes":[{"type":3,"id":14,"textContent":"ok"}]}}]},"timestamp":2},
         {"type":3,"data":{"source":5,"text":"carla@example.org","isChecked":false,"id":9},"timestamp":3},
         {"type":3,"data":{"source":2,"type":2,"id":9,"x":1,"y":2},"timestamp":4},
         {"type":3,"data":{"source":2,"type":2,"id":6,"x":1,"y":2},"timestamp":5},
         {"type":3,"data":{"source":3,"id":7,"x":0,"y":100},"timestamp":6},
         {"type":3,"data":{"source":5,"text":"hunter22","isChecked":false,"id":10},"timestamp":7}]
        """)
        // The blocked element keeps tag, class and size; its subtree is gone.
        #expect(out[0].contains(#"{"type":2,"id":6,"tagName":"section","attributes":{"class":"account ph-no-capture","rr_width":"320px","rr_height":"40px"},"childNodes":[]}"#))
        #expect(!out[0].contains("GB33") && !out[0].contains("ana@example.org") && !out[0].contains(#""title":"Ana Lima""#))
        #expect(out[0].contains("\"value\":\"*******\"")) // the password field
        // The mutation keeps only what the replay can apply: the text outside, the class of the
        // blocked element, and the span added outside.
        #expect(out[1].replacingOccurrences(of: "\n   ", with: "") == #"{"type":3,"data":{"source":0,"texts":[{"id":5,"value":"Hi"}],"#
                + #""attributes":[{"id":6,"attributes":{"class":"account ph-no-capture open"}}],"removes":[],"#
                + #""adds":[{"parentId":3,"nextId":null,"node":{"type":2,"id":13,"tagName":"span","attributes":{},"childNodes":[{"type":3,"id":14,"textContent":"ok"}]}}]},"timestamp":2}"#)
        // Input and interactions inside it are dropped; a click on the blocked element stays;
        // typing in the password field is masked.
        #expect(out.count == 4)
        #expect(out[2].contains("\"id\":6"))
        #expect(out[3].contains("\"text\":\"********\""))
        #expect(r.tally.eventsDropped == 3)
        let blocked = r.findings.filter { $0.rule == "privacy.block_marker" }
        #expect(blocked.count == 2) // the snapshot's element, the Input event inside it
        #expect(blocked[0].nodeId == 6 && blocked[0].preview == "<section> blocked: 2 child nodes removed")
        #expect(!r.findings.contains { $0.preview.contains("Ana") || $0.preview.contains("carla") })
    }

    @Test func anElementAddedLaterOrBlockedLaterLosesItsContent() throws {
        let (out, _) = try run("""
        [\(Self.snapshot),
         {"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":3,"nextId":null,"node":{"type":2,"id":20,"tagName":"div","attributes":{"data-sentry-block":"","title":"Ana"},"childNodes":[{"type":3,"id":21,"textContent":"Ana Lima"}]}}]},"timestamp":2},
         {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":4,"attributes":{"class":"rr-block"}}],"removes":[],"adds":[]},"timestamp":3},
         {"type":3,"data":{"source":0,"texts":[{"id":5,"value":"Hello again"}],"attributes":[],"removes":[],"adds":[]},"timestamp":4}]
        """)
        #expect(out[1].contains(#"{"type":2,"id":20,"tagName":"div","attributes":{},"childNodes":[]}"#))
        // Blocked from now on: the replay removes its children, and later changes inside go.
        #expect(out[2].contains(#""removes":[{"parentId":4,"id":5}]"#))
        #expect(out[3].contains(#""texts":[]"#))
    }

    /// Blocking reads the nodes the mirror built when the adds come in order, and reads the
    /// event again when an add had to wait for its parent: both give the same output.
    @Test func blockedAddsInOrderAndOutOfOrder() throws {
        let div = #"{"type":2,"id":40,"tagName":"div","attributes":{"class":"ph-no-capture","title":"Bo"},"childNodes":[{"type":3,"id":41,"textContent":"Bo Chen"}]}"#
        let span = #"{"type":2,"id":43,"tagName":"span","attributes":{"title":"ok"},"childNodes":[{"type":3,"id":44,"textContent":"kept"}]}"#
        let child = #"{"parentId":40,"nextId":null,"node":{"type":3,"id":42,"textContent":"Bo again"}}"#
        let inOrder = #"[{"parentId":3,"nextId":null,"node":\#(div)},{"parentId":3,"nextId":null,"node":\#(span)},\#(child)]"#
        let childFirst = #"[\#(child),{"parentId":3,"nextId":null,"node":\#(div)},{"parentId":3,"nextId":null,"node":\#(span)}]"#
        var outputs: [String] = []
        for adds in [inOrder, childFirst] {
            let (out, r) = try run("""
            [\(Self.snapshot),
             {"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":\(adds)},"timestamp":2}]
            """)
            #expect(out[1].contains(#"{"type":2,"id":40,"tagName":"div","attributes":{"class":"ph-no-capture"},"childNodes":[]}"#), "\(out[1])")
            #expect(!out[1].contains("Bo") && out[1].contains(span))
            #expect(r.findings.filter { $0.rule == "privacy.block_marker" }.map(\.nodeId) == [6, 40])
            outputs.append(out[1])
        }
        // The same entries are kept, whatever their order.
        #expect(outputs[0].count == outputs[1].count)
    }

    @Test func attributeRulesByNameGlobAndSelector() throws {
        let rules = try pack("""
        version: 1
        pack: t
        rules:
          - id: user_attrs
            category: identifier
            severity: medium
            kind: attribute
            attributes: ['data-user-*', title]
            selector: '.profile, .profile *'
            action: replace
            replacement: '[user]'
            examples: {match: [{input: '{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"b","attributes":{"class":"profile","title":"x"},"childNodes":[]}]}},"timestamp":1}', output: '{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"b","attributes":{"class":"profile","title":"[user]"},"childNodes":[]}]}},"timestamp":1}'}]}
          - id: link_query
            category: identifier
            severity: low
            kind: attribute
            attributes: [href]
            pattern: '\\?[^#]*'
            action: remove
            examples: {match: [{input: '{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"a","attributes":{"href":"/u?id=7#top"},"childNodes":[]}]}},"timestamp":1}', output: '{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"a","attributes":{"href":"/u#top"},"childNodes":[]}]}},"timestamp":1}'}]}
        """)
        #expect(EventRuleTester.run(rules.packs.flatMap(\.rules)).isEmpty)
        let (out, r) = try run("""
        [{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"div","attributes":{"class":"profile","data-user-id":"u-1","data-User-Email":"a@b.test","data-role":"admin"},"childNodes":[
           {"type":2,"id":3,"tagName":"a","attributes":{"href":"https://shop.test/orders?customer=ana#list","title":"Ana's orders"},"childNodes":[]}]},
           {"type":2,"id":4,"tagName":"span","attributes":{"title":"Help","data-user-id":"u-2"},"childNodes":[]}]}},"timestamp":1},
         {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":2,"attributes":{"data-user-name":"Ana"}},{"id":4,"attributes":{"data-user-name":"Bob"}}],"removes":[],"adds":[]},"timestamp":2}]
        """, rules: rules)
        #expect(out[0].contains(#""data-user-id":"[user]","data-User-Email":"[user]","data-role":"admin""#))
        #expect(out[0].contains(#""href":"https://shop.test/orders#list","title":"[user]""#))
        #expect(out[0].contains(#""title":"Help","data-user-id":"u-2""#)) // outside .profile
        #expect(out[1].contains(#"{"id":2,"attributes":{"data-user-name":"[user]"}}"#) && out[1].contains(#""Bob""#))
        #expect(r.findings.filter { $0.rule == "user_attrs" }.count == 4)
        #expect(r.findings.allSatisfy { $0.channel == .attribute || $0.channel == .url })
    }

    /// What a user types into an editable element (a chat composer, a comment box, a rich-text
    /// editor: `contenteditable`) is typed input, but rrweb records it as text nodes and text
    /// mutations, which `maskAllInputs` leaves: "Hi, this is Ana Lima" was kept, typed or
    /// changed. The default packs mask it, now and as it changes, and from the moment an
    /// element becomes editable; `contenteditable="false"` text and other text stay.
    @Test func editableTextIsMasked() throws {
        let (out, r) = try run("""
        [{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"body","attributes":{},"childNodes":[
           {"type":2,"id":3,"tagName":"div","attributes":{"class":"composer","contenteditable":"true"},"childNodes":[{"type":2,"id":4,"tagName":"p","attributes":{},"childNodes":[{"type":3,"id":5,"textContent":"Hi, this is Ana Lima"}]}]},
           {"type":2,"id":6,"tagName":"div","attributes":{"contenteditable":"false"},"childNodes":[{"type":3,"id":7,"textContent":"Support team"}]},
           {"type":2,"id":8,"tagName":"p","attributes":{"class":"note"},"childNodes":[{"type":3,"id":9,"textContent":"Draft by Bo Berg"}]}]}]},"initialOffset":{"top":0,"left":0}},"timestamp":1},
         {"type":3,"data":{"source":0,"texts":[{"id":5,"value":"Hi, this is Ana\\u00a0Lima from\u{A0}Porto"}],"attributes":[],"removes":[],"adds":[{"parentId":4,"nextId":null,"node":{"type":3,"id":10,"textContent":" and my son Cy"}}]},"timestamp":2},
         {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":8,"attributes":{"contenteditable":""}}],"removes":[],"adds":[]},"timestamp":3},
         {"type":3,"data":{"source":0,"texts":[{"id":9,"value":"Draft by Bo Berg, edited"}],"attributes":[],"removes":[],"adds":[]},"timestamp":4}]
        """)
        #expect(out.count == 4)
        #expect(out[0].contains(#""textContent":"*** **** ** *** ****""#))
        #expect(out[0].contains(#""textContent":"Support team""#) && out[0].contains(#""textContent":"Draft by Bo Berg""#))
        #expect(out[1].contains("\"value\":\"*** **** ** ***\u{A0}**** ****\u{A0}*****\"") && out[1].contains(#""textContent":" *** ** *** **""#))
        #expect(out[3].contains(#""value":"***** ** ** ***** ******""#))
        for name in ["Ana", "Lima", "Porto", "Cy\""] { #expect(!out.joined().contains(name), "\(name) left") }
        #expect(r.findings.filter { $0.rule == "privacy.editable_text" }.map(\.eventIndex) == [0, 1, 1, 3])
        // Masked text, its no-break spaces kept, is no finding again.
        let (_, again) = try run("[" + out.joined(separator: ",") + "]", mode: .audit)
        #expect(again.findings.isEmpty)
    }

    @Test func ruleFileErrorsNameTheRuleAndPlace() throws {
        func error(_ rule: String) throws -> String {
            do { _ = try pack("version: 1\npack: t\nrules:\n" + rule); return "" } catch { return "\(error)" }
        }
        let bad = try error("""
          - id: broken
            category: free_text
            severity: low
            kind: selector
            selector: '.a > > .b'
            action: block
        """)
        #expect(bad.contains(":8: rule broken: invalid selector '.a > > .b'") && bad.contains("at column 6"))
        #expect(try error("""
          - id: p
            category: free_text
            severity: low
            kind: selector
            selector: '.a'
            pattern: 'x'
            action: block
        """).contains("rule p: a selector rule acts on whole elements: no 'pattern'"))
        #expect(try error("""
          - id: q
            category: free_text
            severity: low
            kind: selector
            selector: '.a'
            action: mask
        """).contains("rule q: a selector rule's action is mask_text, mask_input, block or ignore_input"))
        #expect(try error("""
          - id: a
            category: free_text
            severity: low
            kind: attribute
            action: mask
        """).contains("rule a: missing 'attributes'"))
        #expect(try error("""
          - id: b
            category: free_text
            severity: low
            pattern: x
            action: block
        """).contains("rule b: block is an action of selector rules"))
    }

    /// rrweb's own record-time markers in its test recordings: what the recorder left, the
    /// redaction keeps as it is (a rescan finds nothing new to block or mask).
    @Test func recordTimeBlockingLooksAlreadyBlocked() throws {
        for name in ["integration--record-integration-tests-should-not-record-blocked-elements-and-its-child-nodes-.json",
                     "integration--record-integration-tests-should-mask-texts-1.json"] {
            let text = try String(contentsOfFile: fixtures + "/rrweb/" + name, encoding: .utf8)
            let (_, r) = try run(text, mode: .audit)
            #expect(!r.findings.contains { $0.rule == "privacy.block_marker" || $0.rule == "privacy.mask_marker" }, "\(name)")
        }
    }

    /// Every real recording redacted with the default packs, then replayed into a fresh DOM
    /// mirror: at every event, no element the block rule matches has anything below it, no
    /// Input event names a blocked or ignored field (or one inside them), and every value typed
    /// into a password field is masked.
    @Test(arguments: recordings)
    func selectorRulesOnTheCorpus(_ name: String) throws {
        let redacted = temporaryPath("selectors.zip")
        defer { try? FileManager.default.removeItem(atPath: redacted) }
        try RedactionJob.redact(inputs: [fixtures + "/" + name], output: redacted, rules: defaults, pseudonymKey: nil, options: PackOptions())
        let package = try ReplayPackage.open(redacted)
        let block = try #require(defaults.rule("privacy.block_marker")?.0.selector)
        let ignore = try #require(defaults.rule("privacy.ignore_marker")?.0.selector)
        let password = try SelectorList("input[type=password]")
        for window in package.manifest.recording.windows {
            let dom = DOMMirror()
            func inside(_ id: Int, _ list: SelectorList) -> Bool {
                var s = dom.slot(forId: id)
                while let x = s { if dom.isElement(x) && list.matches(x, in: dom) { return true }; s = dom.parent(x) }
                return false
            }
            for (i, json) in try package.events(window: window).enumerated() {
                var reader = try EventReader(bytes: JSONBytes(json))
                let e = try #require(try reader.next())
                guard dom.apply(e) else {
                    let data = e.member("data", of: e.root)
                    guard let data, e.member("source", of: data).flatMap(e.int) == 5, let id = e.member("id", of: data).flatMap(e.int) else { continue }
                    #expect(!inside(id, block) && !inside(id, ignore), "\(name) event \(i): input of a blocked or ignored field")
                    if let s = dom.slot(forId: id), password.matches(s, in: dom), let text = e.member("text", of: data) {
                        #expect(e.string(text).allSatisfy { $0 == "*" || $0.isWhitespace }, "\(name) event \(i): a password typed in clear")
                    }
                    continue
                }
                guard dom.document >= 0 else { continue }
                dom.forEachInSubtree(of: dom.document) { s in
                    if dom.isElement(s) && block.matches(s, in: dom) {
                        #expect(dom.firstChild(s) == nil && dom.shadowRoot(s) == nil, "\(name) event \(i): blocked element \(dom.id(s) ?? -1) has content")
                        return false
                    }
                    return true
                }
            }
        }
    }
}
