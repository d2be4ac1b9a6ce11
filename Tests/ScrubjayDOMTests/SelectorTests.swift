import Testing
import ScrubjayJSON
@testable import ScrubjayDOM

/// Selectors over a small page; Tests/Browser/selectors_in_chromium.py checks the same engine
/// against Chromium on the corpus.
@Suite struct SelectorTests {
    static func element(_ id: Int, _ tag: String, _ attrs: String = "", svg: Bool = false, _ children: [String] = []) -> String {
        #"{"type":2,"id":\#(id),"tagName":"\#(tag)","attributes":{\#(attrs)}\#(svg ? #","isSVG":true"# : ""),"childNodes":[\#(children.joined(separator: ","))]}"#
    }
    static func text(_ id: Int, _ t: String) -> String { #"{"type":3,"id":\#(id),"textContent":"\#(t)"}"# }
    static func comment(_ id: Int) -> String { #"{"type":5,"id":\#(id),"textContent":"note"}"# }

    /// ids: html 3, head 4, body 5; div#main 6 (p 7 with text, p 9 empty, span 10, comment 11,
    /// p 12); ul 13 with li 14…18; inputs 19, 20; svg 21 (lineargradient 22, rect 23);
    /// sections 24 (whitespace text), 26 (comment only), 28 (empty text).
    static let page: String = {
        let e = element, t = text
        let body = e(5, "body", "", false, [
            e(6, "div", #""id":"main","class":"a B","data-x":"Foo Bar""#, false, [
                e(7, "p", #""class":"x  y""#, false, [t(8, "hi")]),
                e(9, "p", #""class":"x""#, false, []),
                e(10, "span", #""lang":"en-US","type":"TEXT","title":"Hello""#, false, []),
                comment(11),
                e(12, "p", #""title":"hello world","data-v":"a-b""#, false, []),
            ]),
            e(13, "ul", "", false, (14...18).map { e($0, "li", #""class":"item i\#($0)""#, false, []) }),
            e(19, "input", #""type":"text","name":"email","autocomplete":"email""#, false, []),
            e(20, "input", #""type":"password","autocomplete":"cc-number""#, false, []),
            e(21, "svg", #""viewBox":"0 0 1 1","class":"icon""#, true, [
                e(22, "lineargradient", #""gradientUnits":"userSpaceOnUse""#, true, []),
                e(23, "rect", #""type":"Box""#, true, []),
            ]),
            e(24, "section", "", false, [t(25, " ")]),
            e(26, "section", "", false, [comment(27)]),
            e(28, "section", "", false, [t(29, "")]),
        ])
        let html = e(3, "html", #""lang":"en""#, false, [e(4, "head", "", false, []), body])
        return #"[{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":1,"id":2,"name":"html","publicId":"","systemId":""},\#(html)]},"initialOffset":{"top":0,"left":0}},"timestamp":1}]"#
    }()

    let dom = DOMMirror()

    init() throws { try apply(dom, Self.page) }

    func ids(_ selector: String, in other: DOMMirror? = nil) throws -> [Int] { try matchedIds(other ?? dom, selector) }

    func error(_ selector: String) -> SelectorError? {
        do { _ = try SelectorList(selector); return nil } catch { return error }
    }

    @Test(arguments: [
        ("p", [7, 9, 12]), ("P", [7, 9, 12]), ("*", Array(3...24).filter { ![8, 11].contains($0) } + [26, 28]),
        ("#main", [6]), ("#MAIN", []), (".a", [6]), (".b", []), (".B", [6]), (".x", [7, 9]), (".x.y", [7]),
        ("div.a.B#main", [6]), ("li.i15", [15]), ("svg", [21]), ("SVG", [21]), ("linearGradient", [22]), (".icon", [21]),
    ])
    func typeIdClass(_ selector: String, _ expected: [Int]) throws {
        #expect(try ids(selector) == expected)
    }

    @Test(arguments: [
        ("[title]", [10, 12]), ("[TITLE]", [10, 12]), ("[title=Hello]", [10]), ("[title=hello]", []), ("[title=hello i]", [10]),
        ("[title~=world]", [12]), ("[title~=wor]", []), ("[title~='hello world']", []), ("[lang|=en]", [3, 10]),
        ("[lang|=EN]", [3, 10]), ("[lang|=EN s]", []), ("[title^=hel]", [12]), ("[title$=rld]", [12]), ("[title*='o w']", [12]),
        ("[title^='']", []), ("[title$=\"\"]", []), ("[title*='']", []), ("[title='']", []), ("[data-x='foo bar']", []),
        ("[data-x='foo bar' i]", [6]), ("[type=text]", [10, 19]), ("[TYPE=text]", [10, 19]), ("[type=TEXT]", [10, 19]),
        ("[type=TEXT s]", [10]), ("[type=box]", []), ("[type=Box]", [23]), ("rect[type=box i]", [23]), ("[autocomplete^=cc-]", [20]), ("[viewbox]", [21]), ("[viewBox='0 0 1 1']", [21]),
        ("[gradientunits=userspaceonuse]", []), ("[gradientunits=userspaceonuse i]", [22]), ("[data-v|=a]", [12]), ("[data-v|=a-b]", [12]),
        ("[ data-v = \"a-b\" ]", [12]), ("[class~=item][class~=i14]", [14]), ("[class~=X i]", [7, 9]),
    ])
    func attributes(_ selector: String, _ expected: [Int]) throws {
        #expect(try ids(selector) == expected)
    }

    @Test(arguments: [
        ("div p", [7, 9, 12]), ("body p", [7, 9, 12]), ("body > p", []), ("div > p", [7, 9, 12]), ("p + span", [10]),
        ("span + p", [12]), ("p ~ p", [9, 12]), ("html li + li", [15, 16, 17, 18]), ("li ~ li ~ li", [16, 17, 18]),
        ("div > p ~ p", [9, 12]), ("body > * > li:first-child", [14]), ("svg > rect", [23]), ("head + body", [5]),
        ("div\n\tp", [7, 9, 12]), ("div /* c */ > /* d */ p.x", [7, 9]),
    ])
    func combinators(_ selector: String, _ expected: [Int]) throws {
        #expect(try ids(selector) == expected)
    }

    @Test(arguments: [
        ("li:first-child", [14]), ("li:last-child", [18]), ("p:only-child", []), ("lineargradient:first-child", [22]),
        ("li:nth-child(2)", [15]), ("li:nth-child(odd)", [14, 16, 18]), ("li:nth-child(EVEN)", [15, 17]), ("li:nth-child(2n+1)", [14, 16, 18]),
        ("li:nth-child(-n+3)", [14, 15, 16]), ("li:nth-child(n)", [14, 15, 16, 17, 18]), ("li:nth-child(+5)", [18]), ("li:nth-child(0n+0)", []),
        ("li:nth-child(-2n+5)", [14, 16, 18]), ("li:nth-child( 3n - 1 )", [15, 18]), ("li:nth-child(3n-1)", [15, 18]), ("li:nth-child(n- 2)", [14, 15, 16, 17, 18]),
        ("li:nth-child(-n-1)", []), ("li:nth-last-child(2)", [17]), ("li:nth-last-child(-n+2)", [17, 18]),
        ("p:nth-of-type(2)", [9]), ("p:nth-last-of-type(1)", [12]), ("p:first-of-type", [7]), ("p:last-of-type", [12]), ("span:only-of-type", [10]),
        ("input:nth-of-type(2)", [20]), ("div > :nth-child(3)", [10]), ("div > :nth-child(2 of .x)", [9]), ("div > :nth-last-child(1 of [title])", [12]),
        (":nth-child(2 of li.i14, .i16)", [16]), ("section:empty", [26, 28]), ("p:empty", [9, 12]), (":root", [3]), ("html:first-child", [3]),
        (":not(p)", Array(3...24).filter { ![7, 8, 9, 11, 12].contains($0) } + [26, 28]), ("p:not(.x)", [12]), ("p:not(.x, [title])", []),
        ("p:not(div > p:first-child)", [9, 12]), (":is(span, ul)", [10, 13]), (":where(p.x) + :is(p, span)", [9, 10]),
        ("div:has(> span)", [6]), ("body:has(> span)", []), ("body:has(span)", [5]), ("p:has(+ span)", [9]), ("p:has(~ span)", [7, 9]),
        ("li:has(+ li + li)", [14, 15, 16]), (":has(> li.i16)", [13]), ("div:has(p.x, #nothing)", [6]), ("section:has(*)", []),
        (":has(~ ul > li.i18)", [6]), ("body :has(> p) ~ input", [19, 20]), ("li:is(:nth-child(2), :nth-last-child(2)):not(:has(*))", [15, 17]),
        ("svg:has(rect[type])", [21]), ("*:nth-child(2n of :not(li))", [5, 9, 12, 13, 20, 23, 24, 28]),
    ])
    func pseudoClasses(_ selector: String, _ expected: [Int]) throws {
        #expect(try ids(selector) == expected)
    }

    @Test(arguments: [
        ("p, span", [7, 9, 10, 12]), ("#\\6d ain", [6]), ("#m\\61 in", [6]), (".\\42", [6]), ("li.\\69 15", [15]), ("[title=\"Hel\\6co\"]", [10]),
        ("[title='hello\\\n world']", [12]), ("d\\iv", [6]), (":FIRST-CHILD.item", [14]), ("li:Nth-Child(2)", [15]), ("[lang|='en']", [3, 10]),
        (":NOT(p):IS(span)", [10]), ("span[lang=en-us i]", [10]),
    ])
    func escapesAndCase(_ selector: String, _ expected: [Int]) throws {
        #expect(try ids(selector) == expected)
    }

    /// Chromium's limits: a, b or a position beyond half the 32-bit range never match; digits
    /// inside an identifier that do not fit 32 bits are a syntax error.
    @Test func hugeNthValues() throws {
        #expect(try ids("li:nth-child(-1073741824n+5)") == [18])
        #expect(try ids("li:nth-child(-1073741825n+5)").isEmpty)
        #expect(try ids("li:nth-child(1000000000000n+1)").isEmpty)
        #expect(try ids("li:nth-child(n+1073741824)").isEmpty)
        #expect(try ids("li:nth-child(2n-2147483648)").isEmpty)
        #expect(error("li:nth-child(n-2147483649)")?.message == "invalid an+b expression")
    }

    /// On an SVG element `viewbox` and `VIEWBOX` are two attributes; as in Chromium only the
    /// first one whose name matches without case is compared.
    @Test func firstAttributeOfTheNameDecides() throws {
        let dom = DOMMirror()
        try apply(dom, #"""
        [{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"svg","isSVG":true,"attributes":{"viewbox":"lower","VIEWBOX":"upper"},"childNodes":[]}]}},"timestamp":1}]
        """#)
        #expect(try ids("[viewbox=lower]", in: dom) == [2])
        #expect(try ids("[VIEWBOX=upper]", in: dom).isEmpty)
    }

    @Test func escapedDigitsAndColons() throws {
        let dom = DOMMirror()
        try apply(dom, #"""
        [{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"html","attributes":{},"childNodes":[
          {"type":2,"id":3,"tagName":"div","attributes":{"id":"123","class":"a:b md:flex"},"childNodes":[]}]}]}},"timestamp":1}]
        """#)
        #expect(try ids("#\\31 23", in: dom) == [3])
        #expect(try ids("#\\0000312\\33", in: dom) == [3])
        #expect(try ids(".a\\:b", in: dom) == [3])
        #expect(try ids(".md\\3a flex", in: dom) == [3])
        #expect(try ids(".md\\:flex.a\\:b", in: dom) == [3])
    }

    @Test(arguments: [
        ("", "empty selector", 0), ("   ", "empty selector", 3), ("p:hover", "unsupported pseudo-class ':hover'", 1),
        ("p::before", "pseudo-elements are not supported", 1), ("p:before", "pseudo-elements are not supported (':before')", 1),
        ("[a", "unclosed attribute selector, expected ']'", 0), ("[a=b", "unclosed attribute selector, expected ']'", 0),
        ("a)", "unexpected ')'", 1), (":not(a", "expected ')' to close ':not('", 0), ("a,,b", "empty entry in the selector list", 2),
        ("a,", "empty entry in the selector list", 2), (",a", "empty entry in the selector list", 0), (":is()", "empty selector list", 4),
        ("li:nth-child(2n+)", "invalid an+b expression", 13), ("li:nth-child(+ n)", "invalid an+b expression", 13),
        ("li:nth-child(2 n)", "invalid an+b expression", 13), ("li:nth-child(1.5)", "invalid an+b: numbers must be integers", 13),
        ("ns|a", "namespaces ('|') are not supported", 2), ("*|a", "namespaces ('|') are not supported", 1), ("[ns|a]", "namespaces ('|') are not supported", 3),
        ("|a", "namespaces ('|') are not supported", 0), ("a:has(b:has(c))", ":has() cannot be nested inside :has()", 7),
        ("a:has(:is(:has(c)))", ":has() cannot be nested inside :has()", 10), ("a > > b", "expected a selector after the combinator, found '>'", 4),
        ("> a", "a selector cannot start with the combinator '>'", 0), ("a >", "expected a selector after the combinator, found end of input", 3),
        ("#1a", "expected an id after '#', found '1'", 1), (".5", "expected a class name after '.', found '5'", 1),
        ("[a=1]", "expected an attribute value (an identifier or a quoted string), found '1'", 3), ("[a='b]", "unclosed string", 3),
        ("[a=b x]", "unknown attribute selector flag (only 'i' and 's')", 5), ("[a==b]", "expected an attribute value (an identifier or a quoted string), found '='", 3),
        ("[a!=b]", "expected an attribute operator or ']', found '!'", 2), ("p:first-child(2)", "':first-child' takes no argument", 1),
        ("p:not", "':not' needs an argument in parentheses", 1), ("li:nth-of-type(2 of p)", "'of' is only allowed in :nth-child() and :nth-last-child()", 17),
        ("a || b", "the column combinator '||' is not supported", 2), ("a /* open", "unclosed comment", 2), ("div/**/p", "unexpected 'p'", 7), ("a.b#", "expected an id after '#', found end of input", 4),
        ("é:hover", "unsupported pseudo-class ':hover'", 2), (":has(> a, > :has(b))", ":has() cannot be nested inside :has()", 12),
    ])
    func errors(_ selector: String, _ message: String, _ offset: Int) {
        let e = error(selector)
        #expect(e == SelectorError(message: message, offset: offset), "\(selector)")
    }

    @Test func errorDescriptionNamesTheColumn() {
        #expect(error("p:hover")?.description == "unsupported pseudo-class ':hover' at column 2")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: ":not(", count: 40) + "a" + String(repeating: ")", count: 40)
        #expect(error(deep)?.message == "selector nested too deeply")
    }

    @Test func attributeNamesAtEveryDepth() throws {
        let list = try SelectorList("[Data-A], .x:not([b=c]) :is([d]) ~ :where(e[F|=g]) > :has(+ [h]), :nth-child(2 of [i]) [class] [ID]")
        #expect(list.attributeNames == ["data-a", "b", "d", "f", "h", "i"])
        #expect(try SelectorList("div.a#b").attributeNames.isEmpty)
        #expect(list.source.hasPrefix("[Data-A]"))
    }

    /// A mirror that keeps only the attributes a list reads answers as one that keeps all.
    @Test func keepingOnlyWhatTheListReads() throws {
        let list = try SelectorList("[TYPE=password], [autocomplete^=cc-], .x")
        let dom = DOMMirror(keeping: list.attributeNames)
        try apply(dom, Self.page)
        #expect(try ids(list.source, in: dom) == [7, 9, 20])
        let title = try #require(dom.slot(forId: 12))
        #expect(dom.attributes(title).isEmpty)
    }

    /// A page 50,000 elements deep: the ancestor walk is a loop, not a recursion.
    @Test func deepPagesDoNotOverflowTheStack() throws {
        let depth = 50_000
        var json = #"[{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":["#
        for k in 0..<depth { json += #"{"type":2,"id":\#(k + 2),"tagName":"\#(k == 0 ? "section" : "div")","attributes":{},"childNodes":["# }
        json += String(repeating: "]}", count: depth) + #"]}},"timestamp":1}]"#
        let dom = DOMMirror()
        var reader = try EventReader(bytes: JSONBytes(Array(json.utf8)), maxDepth: 4 * depth)
        while let e = try reader.next() { dom.apply(e) }
        let deepest = try #require(dom.slot(forId: depth + 1))
        #expect(try SelectorList("section div").matches(deepest, in: dom))
        #expect(try !SelectorList("p div").matches(deepest, in: dom))
        #expect(try SelectorList("section:has(div:empty)").matches(try #require(dom.slot(forId: 2)), in: dom))
        #expect(try !SelectorList("div div div:has(p)").matches(deepest, in: dom))
    }

    @Test func shadowRootsAndIframeDocumentsAreSeparateTrees() throws {
        let dom = DOMMirror()
        try apply(dom, shadowHostAndIframePage)
        #expect(try ids(":root", in: dom) == [2, 8])
        #expect(try ids("span:first-child", in: dom) == [4, 5, 9])
        #expect(try ids(".host:has(span)", in: dom) == [3])
        #expect(try ids("iframe:empty, iframe:has(span)", in: dom) == [6])
        #expect(try ids("html span", in: dom) == [5, 9])
    }
}
