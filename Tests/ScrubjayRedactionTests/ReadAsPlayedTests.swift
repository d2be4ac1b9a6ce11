import Foundation
import Testing
import ScrubjayJSON
import ScrubjayPackage
import ScrubjayRules
@testable import ScrubjayRedaction

/// A recording (JSON array text) audited, redacted with the default packs and audited again:
/// the redacted events (one per line), the first audit and the rescan of the package.
func redactRecording(_ json: String) throws -> (events: String, audit: AuditResult, rescan: AuditResult) {
    let input = temporaryPath("input.json"), output = temporaryPath("redacted.zip")
    defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
    try json.write(toFile: input, atomically: true, encoding: .utf8)
    let audit = try RedactionJob.audit(inputs: [input], rules: defaults)
    try RedactionJob.redact(inputs: [input], output: output, rules: defaults, pseudonymKey: nil, options: PackOptions())
    let package = try ReplayPackage.open(output)
    var lines: [String] = []
    for w in package.manifest.recording.windows {
        for e in try package.events(window: w) { lines.append(String(decoding: e, as: UTF8.self)) }
    }
    return (lines.joined(separator: "\n"), audit, try RedactionJob.audit(inputs: [output], rules: defaults))
}

/// What the redactor reads is what the player replays, wherever a value hides: found by a
/// sweep that planted values in every place the formats allow (each test is one of its
/// reproducers, cut down). Each checks the value is found, gone from the package, and that
/// a rescan of the package is clean.
@Suite("The redactor reads what the player replays")
struct ReadAsPlayedTests {
    static let meta = #"{"type":4,"data":{"href":"https://shop.test/","width":1000,"height":800},"timestamp":1700000000000}"#
    /// A description list's term and definition, each with its text (ids `id` to `id + 3`).
    static func dt(_ label: String, _ value: String, _ id: Int) -> String {
        #"{"type":2,"tagName":"dt","attributes":{},"childNodes":[{"type":3,"textContent":"\#(label)","id":\#(id + 1)}],"id":\#(id)},"#
            + #"{"type":2,"tagName":"dd","attributes":{},"childNodes":[{"type":3,"textContent":"\#(value)","id":\#(id + 3)}],"id":\#(id + 2)}"#
    }

    static func snapshot(_ body: String) -> String {
        #"{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"html","attributes":{},"id":3,"childNodes":[{"type":2,"tagName":"body","attributes":{},"id":5,"childNodes":["#
            + body + #"]}]}]},"initialOffset":{"top":0,"left":0}},"timestamp":1700000000100}"#
    }

    /// A string that starts with "data:" but is no data URL is text: typed input, a text
    /// node, a server-sent events body. A real data URL is still skipped as binary.
    @Test func textStartingWithDataIsScanned() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"input","attributes":{"type":"text"},"childNodes":[],"id":6},{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"Data: ana.lima@shop.test","id":8}],"id":7},{"type":2,"tagName":"img","attributes":{"src":"data:image/png;base64,iVBORw0KGgo="},"childNodes":[],"id":9}"#),
            #"{"type":3,"data":{"source":5,"text":"data:hunter2pass","isChecked":false,"id":6},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/stream","method":"GET","responseBody":"data: {\"email\":\"bo.berg@shop.test\"}\n\n"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(Set(audit.findings.map(\.rule)).isSuperset(of: ["email", "typed_input"]))
        for value in ["ana.lima", "hunter2pass", "bo.berg"] { #expect(!events.contains(value), "\(value) left") }
        #expect(audit.notScanned.first { $0.kind == "images" }?.values == 1)
        #expect(audit.notScanned.allSatisfy { $0.kind != "media" })
        #expect(rescan.findings.isEmpty)
        #expect(DataURLKind.classify(mediaTypePrefix: "image/png;base64,AAAA") == .images)
        #expect(DataURLKind.classify(mediaTypePrefix: "application/octet-stream,x") == .media)
        #expect(DataURLKind.classify(mediaTypePrefix: "hunter2pass") == nil)
        #expect(DataURLKind.classify(mediaTypePrefix: " {\"a\":1}") == nil)
        #expect(DataURLKind.classify(mediaTypePrefix: "image/png") == nil) // no ';' or ',': not a data URL
    }

    /// JavaScript reads `5.0` as 5: an Input event whose source is written `5.0`, or a node
    /// whose type is `2.0`, replays as any other, and is scanned as one.
    @Test func integersWrittenWithAFractionAreRead() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2.0,"tagName":"div","attributes":{"title":"ana.lima@shop.test"},"childNodes":[{"type":3,"textContent":"call +44 20 7946 0958","id":8}],"id":6e0}"#),
            #"{"type":3,"data":{"source":5.0,"text":"hunter2pass","isChecked":false,"id":6},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(Set(audit.findings.map(\.rule)).isSuperset(of: ["email", "typed_input", "phone_e164"]))
        #expect(audit.findings.contains { $0.nodeId == 6 })
        for value in ["ana.lima", "hunter2pass", "7946"] { #expect(!events.contains(value), "\(value) left") }
        #expect(rescan.findings.isEmpty)
    }

    /// An object that repeats a key: the player reads the last member. That one is scanned,
    /// the earlier ones are counted as not scanned and removed by redact, in the event's
    /// head, in what the walker looks up, and in a node.
    @Test func repeatedKeysReadTheLastAndRemoveTheRest() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"https://shop.test/","href":"https://shop.test/reset?token=abc123secretXYZ","width":1000,"height":800},"timestamp":1700000000000}"#,
            Self.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"ok","textContent":"mail bo.berg@shop.test","id":8}],"id":7}"#),
            #"{"type":3,"data":{"source":5,"text":"ok","text":"hunter2pass","isChecked":false,"id":6},"timestamp":1700000000200}"#,
            #"{"type":3,"data":{"source":1,"positions":[]},"data":{"source":5,"text":"s3cretpass","isChecked":false,"id":6},"timestamp":1700000000300}"#,
            #"{"type":3,"data":{"source":0,"texts":[{"id":7,"value":"x","value":"Thanks ana.lima@shop.test"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000400}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        for value in ["abc123secret", "bo.berg", "hunter2pass", "s3cretpass", "ana.lima"] { #expect(!events.contains(value), "\(value) left") }
        #expect(audit.notScanned.first { $0.kind == "repeated_keys" }?.values == 5)
        // Each repeated key is gone: the events parse to what they held, less the earlier members.
        for line in events.split(separator: "\n") {
            var reader = try EventReader(bytes: JSONBytes(Array(line.utf8)))
            let e = try #require(try reader.next())
            #expect(e.shadowedKeys().isEmpty, "\(line)")
        }
        #expect(rescan.findings.isEmpty)
        #expect(rescan.notScanned.allSatisfy { $0.kind != "repeated_keys" })
    }

    /// `shadowedKeys` compares keys as they decode, in every object of an event.
    @Test func shadowedKeysCompareDecodedKeys() throws {
        var reader = try EventReader(bytes: JSONBytes(Array(#"{"a":{"text":1,"te\u0078t":2,"b":3},"c":[{"x":1,"y":2,"x":3,"x":4}]}"#.utf8)))
        let e = try #require(try reader.next())
        #expect(e.shadowedKeys().map { e.string($0.key) } == ["text", "x", "x"])
        let a = try #require(e.member("a", of: e.root))
        #expect(e.int(try #require(e.member("text", of: a))) == 2)
        #expect(e.sawRepeatedKey)
    }

    /// Text that a mutation adds to or changes in a textarea is typed input, as the textarea's
    /// text in a snapshot is; in a style element, CSS.
    @Test func textareaTextByMutationIsTypedInput() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"textarea","attributes":{},"childNodes":[{"type":3,"textContent":"","id":9}],"id":6},{"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":"p{}","id":11}],"id":10}"#),
            #"{"type":3,"data":{"source":0,"texts":[{"id":9,"value":"my private diary note"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000200}"#,
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":6,"nextId":null,"node":{"type":3,"textContent":"another private note","id":12}}]},"timestamp":1700000000300}"#,
            #"{"type":3,"data":{"source":0,"texts":[{"id":11,"value":"p{background:url(\"https://x.test/?email=ana.lima@shop.test\")}"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000400}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "typed_input" }.map(\.nodeId) == [9, 12])
        #expect(audit.findings.contains { $0.rule == "email" && $0.channel == .css })
        for value in ["private diary", "private note", "ana.lima"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("p{background:url(")) // the stylesheet keeps its shape
        #expect(rescan.findings.isEmpty)
        // The textarea added by the same mutation that sets its text, listed after the add of
        // its text (the replayer applies adds, queued until their parent comes, before texts).
        let same = try redactRecording("[" + [
            Self.meta, Self.snapshot(#"{"type":2,"tagName":"div","attributes":{},"childNodes":[],"id":6}"#),
            #"{"type":3,"data":{"source":0,"texts":[{"id":21,"value":"my private diary note"}],"attributes":[],"removes":[],"adds":[{"parentId":20,"nextId":null,"node":{"type":3,"textContent":"another private note","id":22}},{"parentId":6,"nextId":null,"node":{"type":2,"tagName":"textarea","attributes":{},"childNodes":[{"type":3,"textContent":"","id":21}],"id":20}}]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]")
        #expect(same.audit.findings.filter { $0.rule == "typed_input" }.compactMap(\.nodeId).sorted() == [21, 22])
        #expect(!same.events.contains("private") && same.rescan.findings.isEmpty)
    }

    /// A mobile input wireframe's value is typed input (a checkbox's is not); a web view's
    /// URL is a URL.
    @Test func mobileInputsAndWebViews() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"app://main","width":400,"height":800},"timestamp":1700000000000}"#,
            #"{"type":2,"data":{"wireframes":[{"id":1,"x":0,"y":0,"width":400,"height":800,"type":"div","childWireframes":[{"id":2,"x":0,"y":0,"width":100,"height":30,"type":"input","inputType":"password","value":"hunter2pass"},{"id":3,"x":0,"y":40,"width":100,"height":30,"type":"input","inputType":"text","value":"Zanzibar Quokkafeld"},{"id":4,"x":0,"y":80,"width":100,"height":30,"type":"input","inputType":"checkbox","value":"Subscribe","checked":true},{"id":5,"x":0,"y":120,"width":400,"height":400,"type":"web_view","url":"https://shop.test/welcome?email=ana.lima@shop.test"}]}],"initialOffset":{"top":0,"left":0}},"timestamp":1700000000100}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "typed_input" }.map(\.nodeId) == [2, 3])
        #expect(audit.findings.contains { $0.channel == .url && $0.nodeId == 5 })
        for value in ["hunter2pass", "Zanzibar", "ana.lima"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("Subscribe"))
        #expect(rescan.findings.isEmpty)
    }

    /// A wireframe's members this release does not know (an SDK's `accessibilityLabel`, a
    /// nested object), in a snapshot and in a mutation's update, are read as text, as a DOM
    /// node's are; its structure (type, geometry, flags, style) is as it was.
    @Test func unknownWireframeMembersAreRead() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"app://main","width":400,"height":800},"timestamp":1700000000000}"#,
            #"{"type":2,"data":{"wireframes":[{"id":1,"x":0,"y":0,"width":400,"height":800,"type":"div","childWireframes":[{"id":2,"x":0,"y":0,"width":100,"height":30,"type":"text","text":"Hello","accessibilityLabel":"Signed in as ana.lima@shop.test","extra":{"user":["bo.berg@shop.test"]},"disabled":false,"style":{"color":"black"}}]}],"initialOffset":{"top":0,"left":0}},"timestamp":1700000000100}"#,
            #"{"type":3,"data":{"source":0,"updates":[{"parentId":1,"wireframe":{"id":2,"x":0,"y":0,"width":100,"height":30,"type":"text","text":"Hi","name":"cy.diaz@shop.test"}}]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" && $0.channel == .custom && $0.nodeId == 2 }.count == 3)
        for value in ["ana.lima", "bo.berg", "cy.diaz"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""type":"text","text":"Hello","accessibilityLabel":"Signed in as ******************","#))
        #expect(events.contains(#""disabled":false,"style":{"color":"black"}"#))
        #expect(rescan.findings.isEmpty)
    }

    /// Query values are read percent-decoded, in a page URL, a DOM link and a network
    /// request, and written percent-encoded again.
    @Test func percentEncodedQueryValuesAreDecoded() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"https://shop.test/welcome?u=ana.lima%40shop.test&lang=en","width":1000,"height":800},"timestamp":1700000000000}"#,
            Self.snapshot(#"{"type":2,"tagName":"a","attributes":{"href":"/profile?contact=bo.berg%40shop.test"},"childNodes":[],"id":6}"#),
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/track?tel=%2B44%2020%207946%200958&page=2","method":"GET"}]}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.channel == .url }.map(\.rule).sorted() == ["email", "email", "phone_e164"])
        for value in ["ana.lima", "bo.berg", "7946"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("&lang=en") && events.contains("&page=2"))
        #expect(rescan.findings.isEmpty)
        // A match of the raw URL inside a value does not keep it from being read decoded; a
        // `srcset` holds several URLs, each query ending at white space.
        let more = try redactRecording("[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"a","attributes":{"href":"/p?q=4111111111111111+ana.lima%40shop.test"},"childNodes":[],"id":6},{"type":2,"tagName":"img","attributes":{"srcset":"a.png?v=1 1x, b.png?u=bo.berg%40shop.test 2x"},"childNodes":[],"id":7}"#),
        ].joined(separator: ",") + "]")
        #expect(!more.events.contains("4111111111111111") && !more.events.contains("ana.lima") && !more.events.contains("bo.berg"))
        #expect(more.events.contains(#"a.png?v=1 1x, b.png?u="#) && more.events.contains(" 2x"))
        #expect(more.rescan.findings.isEmpty)
        // A stray escape (not UTF-8) is U+FFFD, a `%` without two hex digits stays a `%`, as in
        // a browser's URLSearchParams (the strict decoder, which tells form-encoded text, refuses both).
        #expect(FormEncoded.decode(Array("%FF%FE".utf8)) == nil)
        #expect(FormEncoded.decodeLeniently(Array("a%FFb".utf8)) == Array("a\u{FFFD}b".utf8))
        #expect(FormEncoded.decode(Array("caf%C3%A9".utf8)) == Array("café".utf8))
        #expect(FormEncoded.decodeLeniently(Array("100%+sure%2C%ZZ%4".utf8)) == Array("100% sure,%ZZ%4".utf8))
        let stray = try redactRecording("[" + Self.meta + "," + #"{"type":4,"data":{"href":"https://shop.test/?ref=%ZZ&u=100%+ana.lima%40shop.test","width":1,"height":1},"timestamp":1700000000300}"# + "]")
        #expect(!stray.events.contains("ana.lima") && stray.rescan.findings.isEmpty)
    }

    /// A real page: PostHog's own recording embeds a chat widget whose iframe `src` carries
    /// the visitor's metadata as percent-encoded JSON in a query value, an email inside
    /// (found by no earlier release).
    @Test func theEmailInAnEmbeddedWidgetsQuery() throws {
        let input = fixtures + "/posthog/wide-layout.json"
        let audit = try RedactionJob.audit(inputs: [input], rules: defaults)
        // In the first snapshot, and again when a mutation adds the iframe anew.
        let inQuery = audit.findings.filter { $0.rule == "email" && $0.pointer.hasSuffix("/attributes/src") }
        #expect(inQuery.map(\.eventIndex) == [1, 365] && inQuery.allSatisfy { $0.channel == .url })
        let output = temporaryPath("wide.zip")
        defer { try? FileManager.default.removeItem(atPath: output) }
        try RedactionJob.redact(inputs: [input], output: output, rules: defaults, pseudonymKey: nil, options: PackOptions())
        let package = try ReplayPackage.open(output)
        let events = try package.manifest.recording.windows.flatMap { try package.events(window: $0) }
        let text = events.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        #expect(!text.contains("test%40posthog.com") && !text.contains("test@posthog.com"))
        #expect(text.contains("%22email%22%3A%22****************%22%2C%22name%22"))
    }

    /// A form-encoded body with a stray `%` is still form-encoded (as a browser reads it); an
    /// input whose `type` attribute repeats is typed by its last one.
    @Test func strayPercentsAndRepeatedTypes() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"input","attributes":{"type":"submit","type":"text","value":"Zanzibar Quokkafeld"},"childNodes":[],"id":6}"#),
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/order","method":"POST","requestBody":"email=ana.lima%40shop.test&discount=100%"}]}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.contains { $0.rule == "typed_input" && $0.nodeId == 6 })
        for value in ["Zanzibar", "ana.lima"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("&discount=100%"))
        #expect(rescan.findings.isEmpty)
    }

    /// A text change that names an element (the player makes it the element's text, its
    /// children replaced) is judged as that element's text: dropped for a blocked element,
    /// masked for a masked one or a password field. It was judged as a text node's, and kept.
    @Test func aTextChangeNamingAnElementIsItsText() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"div","attributes":{"class":"rr-block"},"childNodes":[],"id":7},"#
                + #"{"type":2,"tagName":"div","attributes":{"class":"rr-mask"},"childNodes":[],"id":8},"#
                + #"{"type":2,"tagName":"input","attributes":{"type":"password"},"childNodes":[],"id":9},"#
                + #"{"type":2,"tagName":"p","attributes":{},"childNodes":[],"id":10}"#),
            #"{"type":3,"data":{"source":0,"texts":[{"id":7,"value":"Ana Lima"},{"id":8,"value":"Bo Chen"},{"id":9,"value":"hunter2xyz"},{"id":10,"value":"Hello"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, _, rescan) = try redactRecording(json)
        #expect(!events.contains("Ana Lima") && !events.contains("Bo Chen") && !events.contains("hunter2xyz"), "\(events)")
        #expect(events.contains(#""texts":[{"id":8,"value":"** ****"},{"id":9,"value":"**********"},{"id":10,"value":"Hello"}]"#), "\(events)")
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map(\.rule))")
    }

    /// A text change naming a `<textarea>` is typed input, as the text inside one is; and a
    /// text that starts as a URL and goes on as text is read as text: a password in it is not
    /// cut at its `#` or `&` as a query value would be (both found by review).
    @Test func aTextareasTextAndTextAfterAURL() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"textarea","attributes":{},"childNodes":[{"type":3,"textContent":"","id":8}],"id":7},"#
                + #"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"https://shop.test/reset?step=2 new password: \"x7#Kq&92\"","id":10}],"id":9}"#),
            #"{"type":3,"data":{"source":0,"texts":[{"id":7,"value":"Ana Smith lives at 12 Rose Lane"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, _, rescan) = try redactRecording(json)
        #expect(events.contains(#""texts":[{"id":7,"value":"*** ***** ***** ** ** **** ****"}]"#), "\(events)")
        #expect(events.contains(#"new password: \"[password]\""#) && !events.contains("Kq&92"), "\(events)")
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map(\.rule))")
    }

    /// What redaction writes is not found again: a password pair's replacement, and an
    /// element blocked by a later class change, whose children the added removes took.
    @Test func rescansOfRedactedOutputAreClean() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"div","attributes":{},"childNodes":[{"type":3,"textContent":"login: password=hunter2pass","id":8}],"id":6}"#),
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":6,"attributes":{"class":"ph-no-capture"}}],"removes":[],"adds":[]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(Set(audit.findings.map(\.rule)).isSuperset(of: ["password_pair"]))
        #expect(!events.contains("hunter2pass"))
        #expect(events.contains(#""removes":[{"parentId":6,"id":8}]"#))
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map(\.rule))")
    }

    /// rrweb's asset capture moves stylesheets, fetched ones and inline `<style>` elements
    /// (`#rr_style_el:<id>`), into Asset events as `{rr_type: "CssText", cssTexts: [...]}`: the
    /// player applies that CSS, so it is read as any stylesheet (it was skipped whole as image
    /// data). A `Blob` payload (an image) is still skipped.
    @Test func stylesheetAssetsAreRead() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[],"id":7}"#),
            #"{"type":7,"data":{"url":"https://shop.test/#rr_style_el:4","payload":{"rr_type":"CssText","cssTexts":[".who::after{content:\"ana@shop.test\"} .bg{background:url(/a.png?u=bob%40shop.test)}"]}},"timestamp":1700000000200}"#,
            #"{"type":7,"data":{"url":"https://shop.test/a.css","payload":{"rr_type":"CssText","cssText":".x::before{content:\"cy@shop.test\"}"}},"timestamp":1700000000300}"#,
            #"{"type":7,"data":{"url":"https://shop.test/a.png","payload":{"rr_type":"Blob","type":"image/png","data":[{"rr_type":"ArrayBuffer","base64":"iVBORw0KGgo="}]}},"timestamp":1700000000400}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.map(\.pointer) == ["/data/payload/cssTexts/0", "/data/payload/cssTexts/0", "/data/payload/cssText"])
        for value in ["ana@", "bob%40", "cy@"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#".who::after{content:\"*************\"} .bg{background:url(/a.png?u=*************)}"#))
        #expect(events.contains(#""base64":"iVBORw0KGgo=""#))
        #expect(audit.notScanned.map(\.kind) == ["images"])
        #expect(rescan.findings.isEmpty)
    }

    /// Members this release does not read for what they are (a recorder's extra field on an
    /// event, a note in an event's `data`, a string where a node belongs, a string in a
    /// pointer event, an unknown member of a serialized node): their strings are read as
    /// text, so nothing unread reaches the package. Events without them are left as they are.
    @Test func unknownMembersAreRead() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"https://shop.test/","width":1000,"height":800},"timestamp":1700000000000,"userEmail":"ana.lima@shop.test"}"#,
            #"{"type":0,"data":{"note":"bo.berg@shop.test"},"timestamp":1700000000050}"#,
            Self.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[],"id":7,"debugLabel":"cy.diaz@shop.test"}"#),
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[],"debug":"di.eze@shop.test"},"timestamp":1700000000200}"#,
            #"{"type":3,"data":{"source":2,"type":2,"id":7,"x":1,"y":2,"label":"ed.fox@shop.test"},"timestamp":1700000000300}"#,
            #"{"type":3,"data":{"source":1,"positions":[{"x":1,"y":2,"id":7,"timeOffset":0,"who":"fa.gil@shop.test"}]},"timestamp":1700000000400}"#,
            #"{"type":2,"data":{"node":"gu.ham@shop.test","initialOffset":{"top":0,"left":0}},"timestamp":1700000000500}"#,
            #"{"type":3,"data":{"source":1,"positions":[{"x":3,"y":4,"id":7,"timeOffset":0}]},"timestamp":1700000000600}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        let planted = ["ana.lima", "bo.berg", "cy.diaz", "di.eze", "ed.fox", "fa.gil", "gu.ham"]
        #expect(audit.findings.filter { $0.rule == "email" }.count == planted.count)
        for value in planted { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#"{"type":3,"data":{"source":1,"positions":[{"x":3,"y":4,"id":7,"timeOffset":0}]},"timestamp":1700000000600}"#))
        #expect(rescan.findings.isEmpty)
    }

    /// Events nothing else reads (no numeric source, a `data` that is a string) are
    /// read whole as text, and an event of an unknown type, which the walker reads whole, is
    /// read once: one finding per value.
    @Test func eventsWithoutShapeAreReadOnce() throws {
        let json = "[" + [
            Self.meta,
            #"{"type":99,"data":"ana.lima@shop.test","timestamp":1700000000100}"#,
            #"{"type":99,"data":{"note":"bo.berg@shop.test"},"timestamp":1700000000150}"#,
            #"{"type":3,"data":{"text":"cy.diaz@shop.test"},"timestamp":1700000000200}"#,
            #"{"type":3,"data":{"source":"5","text":"di.eze@shop.test"},"timestamp":1700000000300}"#,
            #"{"type":5,"data":"ed.fox@shop.test","timestamp":1700000000400}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        let planted = ["ana.lima", "bo.berg", "cy.diaz", "di.eze", "ed.fox"]
        #expect(audit.findings.filter { $0.rule == "email" }.count == planted.count)
        for value in planted { #expect(!events.contains(value), "\(value) left") }
        #expect(rescan.findings.isEmpty)
    }

    /// A Sentry `ui.click` breadcrumb (a custom event) about node `id`, carrying `node` (JSON).
    static func breadcrumbClick(_ id: Int, _ node: String, message: String) -> String {
        #"{"type":5,"data":{"tag":"breadcrumb","payload":{"timestamp":1700000000.2,"type":"default","category":"ui.click","message":""# + message
            + #"","data":{"nodeId":"# + String(id) + #","node":"# + node + #"}}},"timestamp":1700000000200}"#
    }

    /// A Sentry click breadcrumb carries the clicked node (`data.nodeId`, `data.node` with its
    /// `textContent` and some attributes): it is judged as the node is on the page at that
    /// moment. A masked button's text and `title`, and a field inside a blocked element, are
    /// masked in the breadcrumb too; a breadcrumb of an unmarked node is left as it was.
    @Test func sentryBreadcrumbsOfMarkedNodes() throws {
        func click(_ id: Int, _ node: String) -> String { Self.breadcrumbClick(id, node, message: "body > button") }
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"button","attributes":{"class":"sentry-mask","title":"Ana Lima"},"childNodes":[{"type":3,"textContent":"Pay as Ana Lima","id":7}],"id":6},{"type":2,"tagName":"div","attributes":{"class":"ph-no-capture"},"childNodes":[{"type":2,"tagName":"input","attributes":{"name":"memo"},"childNodes":[],"id":9}],"id":8},{"type":2,"tagName":"a","attributes":{"title":"Help"},"childNodes":[{"type":3,"textContent":"Help","id":11}],"id":10}"#),
            click(6, #"{"id":6,"tagName":"button","textContent":"Pay as Bo Berg","attributes":{"class":"sentry-mask","title":"Bo Berg"}}"#),
            click(9, #"{"id":9,"tagName":"input","textContent":"","attributes":{"name":"memo","value":"Cy Diaz owes me"}}"#),
            click(10, #"{"id":10,"tagName":"a","textContent":"Help","attributes":{"title":"Help"}}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        for value in ["Ana Lima", "Bo Berg", "Cy Diaz", "memo\"}"] { #expect(!events.contains(value), "\(value) left") }
        #expect(audit.findings.contains { $0.pointer == "/data/payload/data/node/textContent" && $0.nodeId == 6 && $0.rule == "privacy.mask_marker" })
        #expect(audit.findings.contains { $0.pointer == "/data/payload/data/node/attributes/value" && $0.nodeId == 9 && $0.rule == "privacy.block_marker" })
        #expect(events.contains(#""textContent":"*** ** ** ****","attributes":{"class":"sentry-mask","title":"** ****"}"#))
        #expect(events.contains(#""node":{"id":10,"tagName":"a","textContent":"Help","attributes":{"title":"Help"}}"#))
        #expect(rescan.findings.isEmpty)
    }

    /// A breadcrumb of a click on a `<textarea>` carries its text, which on the page is typed
    /// input (masked by `typed_input`, and whole by a `mask_input` rule): it is masked in the
    /// breadcrumb too.
    @Test func sentryBreadcrumbsOfTextareas() throws {
        func click(_ id: Int, _ node: String) -> String { Self.breadcrumbClick(id, node, message: "body > textarea") }
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"textarea","attributes":{"name":"note"},"childNodes":[{"type":3,"textContent":"Dear support, Ana Lima here","id":7}],"id":6},{"type":2,"tagName":"textarea","attributes":{"autocomplete":"shipping street-address"},"childNodes":[{"type":3,"textContent":"1 Main Street","id":9}],"id":8}"#),
            click(6, #"{"id":6,"tagName":"textarea","textContent":"Dear support, Bo Berg here","attributes":{"name":"note"}}"#),
            click(8, #"{"id":8,"tagName":"textarea","textContent":"2 Elm Road","attributes":{}}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        for value in ["Ana Lima", "Bo Berg", "Main", "Elm Road", "support"] { #expect(!events.contains(value), "\(value) left") }
        #expect(audit.findings.contains { $0.pointer == "/data/payload/data/node/textContent" && $0.nodeId == 6 && $0.channel == .input })
        #expect(audit.findings.contains { $0.pointer == "/data/payload/data/node/textContent" && $0.nodeId == 8 && $0.rule == "privacy.personal_field" })
        #expect(rescan.findings.isEmpty)
    }

    /// An iframe's `srcdoc` inside masked text is a document whose text is masked as the
    /// iframe's own document's is: the text between tags goes, the markup, comments, styles
    /// and scripts stay; an unmarked iframe's `srcdoc` is as it was.
    @Test func srcdocOfAMaskedIframe() throws {
        let srcdoc = #"<style>p{color:red}</style><p class=\"x\">Ana Lima &amp; co</p><!-- note --><script>var a = \"<b>\"</script>"#
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"div","attributes":{"data-private":""},"childNodes":[{"type":2,"tagName":"iframe","attributes":{"srcdoc":""# + srcdoc + #""},"childNodes":[],"id":7}],"id":6},{"type":2,"tagName":"iframe","attributes":{"srcdoc":"<p>Help</p>"},"childNodes":[],"id":8}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["privacy.mask_marker"])
        #expect(audit.findings.first?.nodeId == 7)
        #expect(!events.contains("Ana Lima"))
        #expect(events.contains(#"<style>p{color:red}</style><p class=\"x\">*** **** ***** **</p><!-- note --><script>var a = \"<b>\"</script>""#))
        #expect(events.contains(#""srcdoc":"<p>Help</p>""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A `<select>` whose input is masked (`autocomplete="bday-month"`): which option is selected is what its masked value
    /// hides, so options lose their `selected` attribute (in the snapshot, in added nodes, in
    /// attribute mutations), as rrweb's own select masking records none; their texts and
    /// values, the choices every visitor sees, stay. An unmarked select is as it was.
    @Test func selectedOptionOfAMaskedSelect() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"select","attributes":{"autocomplete":"bday-month","value":"**"},"childNodes":[{"type":2,"tagName":"option","attributes":{"value":"3"},"childNodes":[{"type":3,"textContent":"March","id":9}],"id":8},{"type":2,"tagName":"option","attributes":{"value":"4","selected":true},"childNodes":[{"type":3,"textContent":"April","id":11}],"id":10}],"id":7},{"type":2,"tagName":"select","attributes":{},"childNodes":[{"type":2,"tagName":"option","attributes":{"value":"xl","selected":""},"childNodes":[{"type":3,"textContent":"Size XL","id":21}],"id":20}],"id":19}"#),
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":8,"attributes":{"selected":""}},{"id":10,"attributes":{"selected":null}}],"removes":[],"adds":[{"parentId":7,"nextId":null,"node":{"type":2,"tagName":"option","attributes":{"value":"5","selected":"selected"},"childNodes":[],"id":12}}]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        let unselected = audit.findings.filter { $0.rule == "privacy.personal_field" && $0.channel == .input && $0.preview == "<option> selected" }
        #expect(unselected.compactMap(\.nodeId).sorted() == [8, 10, 12])
        #expect(!events.contains(#""value":"4","selected""#))
        #expect(!events.contains(#""value":"5","selected""#))
        #expect(!events.contains(#"{"id":8,"attributes":{"selected""#))
        #expect(events.contains(#"{"id":10,"attributes":{"selected":null}}"#))
        #expect(events.contains(#""textContent":"April""#) && events.contains(#""value":"3""#))
        #expect(events.contains(#""value":"xl","selected":"""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A page shows a label and its value in two elements (`<dt>Phone</dt><dd>4155550134</dd>`,
    /// a table's cells, `<span>Mobile:</span> <b>...</b>`): a short text is read after the text
    /// before it in the page, blank text between them passed over, as a payload member's value
    /// is read with its key. A phone number, an SSN and a date of birth on a profile page, in
    /// the snapshot and in a subtree a mutation adds, were left and a rescan called them clean.
    /// A number after a label that names no personal field stays.
    @Test func textIsReadAfterTheLabelBeforeIt() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"dl","attributes":{},"childNodes":[{"type":2,"tagName":"dt","attributes":{},"childNodes":[{"type":3,"textContent":"Phone","id":8}],"id":7},{"type":3,"textContent":"\n  ","id":9},{"type":2,"tagName":"dd","attributes":{},"childNodes":[{"type":3,"textContent":"4155550134","id":11}],"id":10},{"type":2,"tagName":"dt","attributes":{},"childNodes":[{"type":3,"textContent":"SSN","id":13}],"id":12},{"type":2,"tagName":"dd","attributes":{},"childNodes":[{"type":3,"textContent":"123456789","id":15}],"id":14},{"type":2,"tagName":"dt","attributes":{},"childNodes":[{"type":3,"textContent":"Date of birth","id":17}],"id":16},{"type":2,"tagName":"dd","attributes":{},"childNodes":[{"type":3,"textContent":"14/03/1985","id":19}],"id":18},{"type":2,"tagName":"dt","attributes":{},"childNodes":[{"type":3,"textContent":"Orders","id":21}],"id":20},{"type":2,"tagName":"dd","attributes":{},"childNodes":[{"type":3,"textContent":"1234567","id":23}],"id":22}],"id":6}"#),
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":5,"nextId":null,"node":{"type":2,"tagName":"div","attributes":{"class":"card"},"childNodes":[{"type":2,"tagName":"span","attributes":{},"childNodes":[{"type":3,"textContent":"Mobile:","id":32}],"id":31},{"type":3,"textContent":" ","id":33},{"type":2,"tagName":"b","attributes":{},"childNodes":[{"type":3,"textContent":"07700900123","id":35}],"id":34}],"id":30}}]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["date_of_birth", "phone_after_word", "phone_after_word", "us_ssn_after_word"])
        #expect(audit.findings.compactMap(\.nodeId).sorted() == [11, 15, 19, 35])
        for value in ["4155550134", "123456789", "14/03/1985", "07700900123"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""textContent":"Phone""#) && events.contains(#""textContent":"**********""#))
        #expect(events.contains(#""textContent":"1234567""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A page's label that ends in a colon reads the short text after it with the rules that
    /// read a value after a word, digits or not: an order confirmation's `<b>Name:</b> Ana
    /// Lima` and an account page's `<dt>Password:</dt><dd>hunter2</dd>` were left (only a
    /// value with a digit was read after its label). A label without a colon, or a value no
    /// rule reads after its label, stays.
    @Test func aValueAfterALabelWithAColonIsRead() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":2,"tagName":"b","attributes":{},"childNodes":[{"type":3,"textContent":"Name:","id":8}],"id":7},{"type":3,"textContent":" Ana Lima","id":9}],"id":6},"#
                + #"{"type":2,"tagName":"dl","attributes":{},"childNodes":["# + [Self.dt("Password:", "hunter2", 10), Self.dt("Status:", "Shipped", 20), Self.dt("Name", "Bea Costa", 30)].joined(separator: ",") + #"],"id":40}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.compactMap(\.nodeId).sorted() == [9, 13], "\(audit.findings)")
        #expect(events.contains(#""textContent":" *** ****""#), "\(events)")
        #expect(!events.contains("Ana Lima") && !events.contains("hunter2"))
        #expect(events.contains(#""textContent":"Name:""#) && events.contains(#""textContent":"Password:""#))
        #expect(events.contains(#""textContent":"Shipped""#) && events.contains(#""textContent":"Bea Costa""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A secret shown after its label is masked whole: every word of a passphrase, not only
    /// the first, which is where password_pair's bare value stops in running text. A label's
    /// text that holds more than the secret (`password: ... was reset`) is not the case here.
    @Test func aSecretAfterItsLabelIsMaskedWhole() throws {
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"dl","attributes":{},"childNodes":["# + [
                Self.dt("Password:", " correct horse battery staple ", 10), Self.dt("Secret:", "hunter2", 20), Self.dt("Status:", "Shipped today", 30),
            ].joined(separator: ",") + #"],"id":40}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.compactMap(\.nodeId).sorted() == [13, 23], "\(audit.findings)")
        for word in ["correct", "horse", "battery", "staple", "hunter2"] { #expect(!events.contains(word), "\(word): \(events)") }
        #expect(events.contains(#""textContent":" [password] ""#), "\(events)")
        #expect(events.contains(#""textContent":"Shipped today""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A value is read with its label or its key whether or not it finds something alone: an
    /// address beside a password left the password (and the rescan of the output found it,
    /// the masked address no longer hiding it). A console argument after a label is a message,
    /// not a value: what follows the secret in it is kept.
    @Test func aLabelIsReadWhateverTheValueFindsAlone() throws {
        let console = #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["\"Password:\"","\"Temp123 expired; the login then failed with status 500 at /api/login, retrying in 30 s\""]}},"timestamp":1700000000300}"#
        let json = "[" + [
            Self.meta,
            Self.snapshot(#"{"type":2,"tagName":"dl","attributes":{},"childNodes":["# + Self.dt("Password:", "hunter2 (sent to ana@shop.test)", 10) + #"],"id":40}"#),
            #"{"type":5,"data":{"tag":"signup","payload":{"password":"s3cret ana@shop.test"}},"timestamp":1700000000200}"#,
            console,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        for value in ["hunter2", "ana@shop.test", "s3cret", "Temp123"] { #expect(!events.contains(value), "\(value): \(events)") }
        #expect(events.contains("failed with status 500 at /api/login"), "\(events)")
        #expect(audit.findings.filter { $0.rule.hasSuffix("password_pair") }.count == 3, "\(audit.findings)")
        #expect(rescan.findings.isEmpty, "\(rescan.findings)")
    }

    /// A form's label names its field, not the text after the field: `Password:`, the field,
    /// then the next field's `Confirm password:` or the `Create account` button; `Name:`, the
    /// field, then `Continue`. Read after the label, password_pair and name_after_label took
    /// them (`[password] account`) on a page with no personal data, and audit failed it.
    @Test func aTextAfterAFormControlIsNotTheLabelsValue() throws {
        func el(_ tag: String, _ attributes: String, _ children: String, _ id: Int) -> String {
            #"{"type":2,"tagName":"\#(tag)","attributes":{\#(attributes)},"childNodes":[\#(children)],"id":\#(id)}"#
        }
        func text(_ t: String, _ id: Int) -> String { #"{"type":3,"textContent":"\#(t)","id":\#(id)}"# }
        let json = "[" + [
            Self.meta,
            Self.snapshot(el("form", "", [
                el("label", "", text("Password:", 11), 10), el("input", #""type":"password""#, "", 12),
                el("label", "", text("Confirm password:", 14), 13), el("input", #""type":"password""#, "", 15),
                el("button", "", text("Create account", 17), 16),
                el("label", "", text("Name:", 21), 20), el("input", "", "", 22), el("a", "", text("Continue", 24), 23),
                el("label", "", text("Full name:", 31), 30), el("select", "", el("option", "", text("Premium Plan", 33), 32), 34),
            ].joined(separator: ","), 6)),
        ].joined(separator: ",") + "]"
        let (events, audit, _) = try redactRecording(json)
        #expect(audit.findings.isEmpty, "\(audit.findings)")
        for t in ["Confirm password:", "Create account", "Continue", "Premium Plan"] { #expect(events.contains(#""textContent":"\#(t)""#), "\(events)") }
    }

    /// A console shows its arguments joined by spaces: `console.log("customer phone:", phone)`
    /// reads `customer phone: 4155550134`, and an argument is read with the one before it, as
    /// a payload member's value is read with its key. A phone number, an SSN stored as a number
    /// and a date of birth, each logged after its label, were left and a rescan called them
    /// clean. An argument after a label it is not what the label names stays.
    @Test func consoleArgumentsAreReadAfterTheOneBeforeThem() throws {
        let json = "[" + [
            Self.meta,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["\"customer phone:\"","\"4155550134\"","\"ssn\"","123456789","\"dob -\"","\"1985-03-14\""]}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"info","trace":[],"payload":["\"phone lookups:\"","42","\"order\"","\"4155550134\""]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["date_of_birth", "phone_after_word", "us_ssn_after_word"])
        for value in ["4155550134\\\"\",\"\\\"ssn", "123456789", "1985-03-14"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""\"**********\"""#) && events.contains(#""\"customer phone:\"""#))
        // A count after a phone word, and a number after a word that names no phone, stay.
        #expect(events.contains(#""\"phone lookups:\"","42","\"order\"","\"4155550134\"""#))
        #expect(rescan.findings.isEmpty)
    }
}
