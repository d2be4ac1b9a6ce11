import Foundation
import Testing
import ScrubjayJSON
import ScrubjayRules
@testable import ScrubjayRedaction

/// The strings the walker hands to rules, as (channel, node id, decoded text).
func sites(_ json: String) throws -> (sites: [(Channel, Int?, String)], unscanned: UnscannedCounts) {
    var reader = try EventReader(bytes: JSONBytes(Array(json.utf8)))
    let e = try #require(try reader.next())
    var walker = EventWalker()
    var out: [(Channel, Int?, String)] = []
    walker.walk(e) { s in out.append((s.channel, s.nodeId, e.string(s.value))) }
    return (out, walker.unscanned)
}

/// A rule pack with one rule, for focused tests.
func pack(_ yaml: String) throws -> RuleSet {
    let path = temporaryPath("pack.yml")
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try RuleSet.load([path])
}

func redact(_ json: String, rules: RuleSet = defaults, key: [UInt8] = Array("a test key of 16+ bytes".utf8)) throws -> (String, Redactor) {
    var r = Redactor(engine: rules.engine, mode: .redact, pseudonymKey: key, collectFindings: true)
    let out = try r.process(json: Array(json.utf8), window: "w", index: 0)
    switch out {
    case .unchanged: return (json, r)
    case .rewritten(let bytes): return (String(decoding: bytes, as: UTF8.self), r)
    case .dropped: return ("", r)
    }
}

@Suite("Channels")
struct ChannelTests {
    @Test func fullSnapshotNodes() throws {
        let event = """
        {"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[
          {"type":1,"name":"html","publicId":"","systemId":"","id":2},
          {"type":2,"tagName":"html","id":3,"attributes":{"lang":"en"},"childNodes":[
            {"type":2,"tagName":"style","id":4,"attributes":{"_cssText":".a{color:red}"},"childNodes":[{"type":3,"textContent":"p{}","id":5}]},
            {"type":5,"textContent":"a comment","id":6},
            {"type":2,"tagName":"a","id":7,"attributes":{"href":"/x?email=a@b.co","title":"hover","style":"color:blue"},"childNodes":[{"type":3,"textContent":"hello","id":8}]},
            {"type":2,"tagName":"input","id":9,"attributes":{"type":"text","value":"typed"},"childNodes":[]},
            {"type":2,"tagName":"input","id":10,"attributes":{"type":"submit","value":"Send"},"childNodes":[]},
            {"type":2,"tagName":"textarea","id":11,"attributes":{},"childNodes":[{"type":3,"textContent":"long text","id":12}]},
            {"type":2,"tagName":"img","id":13,"attributes":{"src":"data:image/png;base64,AAAA","alt":"me"},"childNodes":[]},
            {"type":2,"tagName":"canvas","id":14,"attributes":{"rr_dataURL":"data:image/png;base64,BBBB"},"childNodes":[]}
          ]}]},"initialOffset":{"top":0,"left":0}},"timestamp":1}
        """
        let (s, unscanned) = try sites(event)
        let got = s.map { "\($0.0.rawValue) \($0.1.map(String.init) ?? "-") \($0.2)" }
        #expect(got == [
            "custom - html", // a DocumentType's name: a member the walker reads as text
            "attribute 3 en",
            "css 4 .a{color:red}",
            "css 5 p{}",
            "comment 6 a comment",
            "url 7 /x?email=a@b.co",
            "attribute 7 hover",
            "css 7 color:blue",
            "text 8 hello",
            "attribute 9 text",
            "input 9 typed",
            "attribute 10 submit",
            "attribute 10 Send",
            "input 12 long text",
            "attribute 13 me",
        ])
        #expect(unscanned[.images]?.values == 1)
        #expect(unscanned[.canvas]?.values == 1)
    }

    @Test func incrementalSources() throws {
        let mutation = """
        {"type":3,"data":{"source":0,"texts":[{"id":5,"value":"new text"},{"id":6,"value":null}],
          "attributes":[{"id":7,"attributes":{"title":"t","value":"v","class":null,"style":{"color":"red","background":["url(x.png)","important"],"margin":false}}}],
          "removes":[{"parentId":1,"id":9}],"adds":[{"parentId":1,"nextId":null,"node":{"type":3,"textContent":"added","id":10}}]},"timestamp":2}
        """
        #expect(try sites(mutation).sites.map { "\($0.0.rawValue) \($0.1!) \($0.2)" } == [
            "text 5 new text", "attribute 7 t", "input 7 v", "css 7 red", "css 7 url(x.png)", "text 10 added",
        ])
        let input = #"{"type":3,"data":{"source":5,"text":"secret typing","isChecked":false,"id":42},"timestamp":3}"#
        #expect(try sites(input).sites.map { "\($0.0.rawValue) \($0.1!) \($0.2)" } == ["input 42 secret typing"])
        let styleRule = #"{"type":3,"data":{"source":8,"id":4,"adds":[{"rule":"a{b:c}","index":0}]},"timestamp":4}"#
        #expect(try sites(styleRule).sites.map(\.0) == [.css])
        let declaration = #"{"type":3,"data":{"source":13,"id":4,"index":[0],"set":{"property":"color","value":"red"}},"timestamp":5}"#
        #expect(try sites(declaration).sites.map { "\($0.0.rawValue) \($0.2)" } == ["css red"])
        let mouse = #"{"type":3,"data":{"source":1,"positions":[{"x":1,"y":2,"id":3,"timeOffset":0}]},"timestamp":6}"#
        #expect(try sites(mouse).sites.isEmpty)
        let canvas = #"{"type":3,"data":{"source":9,"id":3,"type":0,"commands":[{"property":"fillText","args":["Hello Ana",1,2]}]},"timestamp":7}"#
        let c = try sites(canvas)
        #expect(c.sites.isEmpty && c.unscanned[.canvas]?.values == 1)
        let font = #"{"type":3,"data":{"source":10,"family":"X","fontSource":"url(x.woff)","buffer":false},"timestamp":8}"#
        #expect(try sites(font).unscanned[.fonts]?.values == 1)
    }

    @Test func metaCustomPluginsAndMobile() throws {
        #expect(try sites(#"{"type":4,"data":{"href":"https://x.test/?token=abc","width":1,"height":2},"timestamp":1}"#).sites.map(\.0) == [.url])
        let custom = #"{"type":5,"data":{"tag":"$pageview","payload":{"href":"https://x.test/a","list":["one",{"deep":"two"}],"n":3}},"timestamp":1}"#
        #expect(try sites(custom).sites.map { "\($0.0.rawValue) \($0.2)" } == ["custom https://x.test/a", "custom one", "custom two"])
        let console = #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":["at a.js:1:2"],"payload":["\"hi\""]}},"timestamp":1}"#
        #expect(Set(try sites(console).sites.map(\.0)) == [.console])
        let network = #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.test/u","requestHeaders":{"authorization":"Bearer x"},"requestBody":"{}"}]}},"timestamp":1}"#
        #expect(Set(try sites(network).sites.map(\.0)) == [.network])
        let mobile = """
        {"type":2,"data":{"wireframes":[{"id":1,"type":"div","x":0,"y":0,"width":1,"height":1,"style":{"color":"#fff"},"childWireframes":[
          {"id":2,"type":"text","text":"Hello Ana","x":0,"y":0,"width":1,"height":1},
          {"id":3,"type":"input","inputType":"text","value":"typed","label":"Name","x":0,"y":0,"width":1,"height":1},
          {"id":4,"type":"input","inputType":"select","options":["a","b"],"x":0,"y":0,"width":1,"height":1},
          {"id":5,"type":"image","base64":"data:image/png;base64,AAAA","x":0,"y":0,"width":1,"height":1}]}],"initialOffset":{"top":0,"left":0}},"timestamp":1}
        """
        let m = try sites(mobile)
        #expect(m.sites.map { "\($0.0.rawValue) \($0.1!) \($0.2)" } == ["mobile 2 Hello Ana", "input 3 typed", "mobile 3 Name", "mobile 4 a", "mobile 4 b"])
        #expect(m.unscanned[.images]?.values == 1)
    }

    @Test func dataURLsAreToldApartByTheirMediaType() throws {
        let cases: [(String, UnscannedKind?)] = [
            ("data:image/png;base64,AAAA", .images), ("DATA:Image/SVG+xml,<svg/>", nil), ("data:image/svg+xml;base64,PHN2Zy8+", nil),
            ("data:application/xhtml+xml,<p/>", nil), ("data:application/ld+json,{}", nil), ("data:application/octet-stream;base64,AA", .media), ("data:font/woff2;base64,d09G", .fonts),
            ("data:application/x-font-ttf;base64,AA", .fonts), ("data:video/mp4;base64,AAAA", .media), ("data:text/plain,ana@x.test", nil),
            ("data:,hello", nil), ("data:application/json,{}", nil), ("data:", nil), ("datum:image/png", nil), ("image/png", nil), ("", nil),
        ]
        for (text, kind) in cases {
            var reader = try EventReader(bytes: JSONBytes(Array(JSONString.encode(text))))
            let e = try #require(try reader.next())
            #expect(EventWalker.binaryKind(e, e.root) == kind, "\(text)")
        }
    }

    @Test func escapedStringsAreSeenDecoded() throws {
        // A JSON escape does not hide an email: \u0040 is '@'.
        let (out, r) = try redact(#"{"type":3,"data":{"source":0,"texts":[{"id":5,"value":"mail ana\u0040shop.test \"now\""}],"attributes":[],"removes":[],"adds":[]},"timestamp":2}"#)
        #expect(r.tally.findings.byRule["email"] == 1)
        #expect(out.contains(#""value":"mail ************* \"now\"""#))
    }
}

@Suite("CSS")
struct CSSTests {
    func segments(_ css: String) -> [String] {
        let bytes = Array(css.utf8)
        return bytes.withUnsafeBytes { raw in
            CSSText.segments(raw).map { String(decoding: bytes[$0.range], as: UTF8.self) }
        }
    }

    @Test func onlyStringsURLArgumentsAndCommentsAreEditable() {
        // A comment's text is one segment: quotes in it open no string.
        #expect(segments(#"input[name="password"]{background:url(/u?e=a@b.co) no-repeat;content:'it\'s'} /* "not" */ a{b:URL( "q" )}"#)
                == ["password", "/u?e=a@b.co", #"it\'s"#, #" "not" "#, "q"])
        #expect(segments("a{}/**/b{}/*open") == ["open"]) // an empty comment holds nothing; one never closed runs to the end
        #expect(segments("/*data:image/png;base64,AA*/") == ["data:image/png;base64,AA"]) // text, whatever it starts with
        #expect(segments("@font-face{src:url(data:font/woff2;base64,AAAA)} .x{background:url(\"data:image/png;base64,AA\")}").isEmpty)
        #expect(segments("a{color:red;margin:0 1px}").isEmpty)
    }

    /// A custom property's plain value is a segment: the page ships it, and a script may show
    /// it. Not a selector's `--` (`.a--b`), and a value with strings, `url()`, comments,
    /// escapes or blocks is read as its parts.
    @Test func customPropertyValuesAreEditableWhenPlain() {
        #expect(segments("--user-email: ana@shop.test; color: red") == ["ana@shop.test"])
        #expect(segments(":root{ --a:4111 1111 1111 1111 !important} .a--b{--c : x y}") == ["4111 1111 1111 1111", "x y"])
        #expect(segments(#"--q: "ana@shop.test"; --u: url(/a?e=b@c.de); --k: a /* c */ b; --e: a\40 b; --b: {x}"#)
                == ["ana@shop.test", "/a?e=b@c.de", " c "])
        #expect(segments(".x--y{color:red}").isEmpty)
        // After a comment too (found by review).
        #expect(segments("color:red;/* theme */ --user-email: ana@shop.test") == [" theme ", "ana@shop.test"])
        #expect(segments(":root{/* a */ /* b */--owner: ana@shop.test}") == [" a ", " b ", "ana@shop.test"])
        // A rewrite never opens a comment after a `/`.
        #expect(CSSText.escape(Array("a/*****".utf8), for: .customProperty) == Array("a/ *****".utf8))
    }

    /// A custom property's value with an email, in a `style` attribute and a stylesheet: masked,
    /// and the stylesheet stays valid (nothing opens a comment).
    @Test func customPropertyValuesAreRedacted() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{"style":"--user-email: ana.lima@example.com; color: red"},"childNodes":[],"id":7},"#
                + #"{"type":2,"tagName":"style","attributes":{"_cssText":":root{--path: a/bo.chen@example.com} p{color:blue}"},"childNodes":[],"id":8}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.count == 2)
        #expect(events.contains(#""style":"--user-email: ********************; color: red""#), "\(events)")
        #expect(events.contains(#"":root{--path: a/ *******************} p{color:blue}""#), "\(events)")
        #expect(rescan.findings.isEmpty)
    }

    @Test func redactionKeepsTheStylesheetValid() throws {
        let css = #"input[name=\"password\"]:focus{color:#123456}.u::after{content:\"ana@shop.test\"}.b{background:url(/avatar?email=ana@shop.test)}"#
        let event = #"{"type":2,"data":{"node":{"type":2,"tagName":"style","id":4,"attributes":{"_cssText":"\#(css)"},"childNodes":[]}},"timestamp":1}"#
        let (out, r) = try redact(event)
        #expect(r.tally.findings.byChannel["css"] == 2)
        #expect(out.contains(#"input[name=\"password\"]:focus{color:#123456}.u::after{content:\"*************\"}.b{background:url(/avatar?email=*************)}"#))
    }

    @Test func replacementsAreEscapedForTheirSegment() {
        #expect(CSSText.escape(Array(#"a"b\c"#.utf8), for: .string(quote: 0x22)) == Array(#"a\"b\\c"#.utf8))
        #expect(CSSText.escape(Array("[x] (y)".utf8), for: .url) == Array(#"[x]\ \(y\)"#.utf8))
    }

    /// The positions the tokenizer acts on, by the definition `CSSText.nextCandidate` skips to.
    static func actsOn(_ b: [UInt8], _ i: Int) -> Bool {
        let c = b[i]
        if c == 0x22 || c == 0x27 || c == 0x5C { return true }
        if i + 1 < b.count && ((c == 0x2F && b[i + 1] == 0x2A) || (c == 0x2D && b[i + 1] == 0x2D)) { return true }
        return i + 3 < b.count && b[i + 3] == 0x28
    }

    /// `nextCandidate` (sixteen bytes at a time) lands on every position the tokenizer acts
    /// on and on no other, from every start: on the stylesheets of a real recording, and on
    /// short texts of the bytes that matter at every length and offset (the loads near the end).
    @Test func theSkipToTheNextCandidateMissesNothing() throws {
        func check(_ b: [UInt8], starts: some Sequence<Int>) {
            let expected = (0..<b.count).filter { CSSTests.actsOn(b, $0) }
            b.withUnsafeBytes { raw in
                // Every candidate in turn, as the tokenizer meets them.
                var i = 0, k = 0
                while true {
                    let next = CSSText.nextCandidate(raw, from: i)
                    #expect(next == (k < expected.count ? expected[k] : b.count))
                    if next >= b.count || k >= expected.count { break }
                    i = next + 1; k += 1
                }
                for start in starts {
                    let want = expected.first { $0 >= start } ?? b.count
                    #expect(CSSText.nextCandidate(raw, from: start) == want, "from \(start) of \(b.count)")
                }
            }
        }
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/posthog/docs.json").path
        var sheets: [[UInt8]] = []
        func walk(_ v: Any) {
            if let s = v as? String, s.count > 2000, s.contains("{"), sheets.count < 8 { sheets.append(Array(s.utf8)) }
            else if let a = v as? [Any] { a.forEach(walk) }
            else if let d = v as? [String: Any] { d.values.forEach(walk) }
        }
        walk(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(!sheets.isEmpty)
        for sheet in sheets { check(sheet, starts: stride(from: 0, through: sheet.count, by: 997)) }
        let alphabet = Array("/*-\"'\\(uUrl {};:ab".utf8)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for n in 0...80 {
            for _ in 0..<6 {
                let b = (0..<n).map { _ -> UInt8 in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return alphabet[Int(state >> 33) % alphabet.count]
                }
                check(b, starts: 0...n)
            }
        }
    }
}

@Suite("Masked previews")
struct MaskedPreviewTests {
    @Test func previewsHideValues() {
        #expect(MaskedPreview.make(Array("john@example.org".utf8), category: .contact) == "j***@e***.org")
        #expect(MaskedPreview.make(Array("4242 4242 4242 4242".utf8), category: .financial) == "4*** 4*** 4*** 4***")
        #expect(MaskedPreview.make(Array("sk_live_abcdef123456".utf8), category: .credential) == "***")
        #expect(MaskedPreview.make(Array("Al".utf8), category: .free_text) == "*")
        #expect(MaskedPreview.make(Array("x@ab.co".utf8), category: .contact) == "*@*.co")
        #expect(MaskedPreview.make(Array(String(repeating: "word ", count: 40).utf8), category: .free_text).count <= MaskedPreview.maximumLength + 1)
        #expect(MaskedPreview.make(Array("Zoë Ünal".utf8), category: .contact) == "Z*** Ü***") // by scalars
    }

    /// ASCII values are previewed by bytes; the preview must be the one the scalar reading
    /// gives, on every ASCII byte and on the shapes findings have.
    @Test func asciiPreviewsAreTheScalarReadingsPreviews() {
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        let pieces = ["a", "Z", "9", "0", "@", ".", ".org", ".co.uk", "-", " ", "\t", "\r\n", "\u{0B}", "\u{1F}", "\u{7F}", "+",
                      "_", "ab", "abc", "john", "4242", "example", "=", "/"]
        var checked = 0
        for length in 0..<60 {
            for _ in 0..<60 {
                let text = Array((0..<length).map { _ in next(4) == 0 ? String(UnicodeScalar(UInt8(next(128)))) : pieces[next(pieces.count)] }.joined().utf8)
                #expect(MaskedPreview.makeASCII(text) == MaskedPreview.makeScalars(text), "\(String(decoding: text, as: UTF8.self).debugDescription)")
                checked += 1
            }
        }
        #expect(checked == 3600)
    }
}
