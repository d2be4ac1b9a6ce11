import Foundation
import Testing
import ScrubjayJSON
@testable import ScrubjayDOM

/// `SelectorListSet` (every list's prefilter keys looked for in one pass, then the admitted
/// lists matched) must say exactly what each `SelectorList` says alone, for the first 64 lists
/// and beyond them.
@Suite struct SelectorListSetTests {
    /// The selectors of the Chromium differential test (several hundred, so lists beyond the
    /// 64th are covered too), and a few without a prefilter.
    static let lists: [SelectorList] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/selectors.txt").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let sources = ["*", ":not(.x)", "p:first-child", ".a, span", "[title]"] + text.split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty && !$0.hasPrefix("# ") }
        return sources.compactMap { try? SelectorList($0) }
    }()

    static func pages() throws -> [DOMMirror] {
        var out: [DOMMirror] = []
        let page = DOMMirror()
        try apply(page, SelectorTests.page)
        out.append(page)
        let shadow = DOMMirror()
        try apply(shadow, shadowHostAndIframePage)
        out.append(shadow)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        for name in ["synthetic/synthetic-seed7.json",
                     "rrweb/integration--record-integration-tests-can-record-attribute-mutation-1.json"] {
            let dom = DOMMirror()
            var reader = try EventReader(bytes: JSONBytes(contentsOfFile: fixtures.appendingPathComponent(name).path))
            while let e = try reader.next() { dom.apply(e) }
            out.append(dom)
        }
        return out
    }

    @Test func agreesWithEachListAlone() throws {
        let lists = SelectorListSetTests.lists
        #expect(lists.count > 100)
        let set = SelectorListSet(lists)
        var elements = 0, matches = 0
        for dom in try SelectorListSetTests.pages() {
            #expect(dom.document >= 0)
            dom.forEachInSubtree(of: dom.document) { s in
                let matching = set.matching(s, in: dom)
                for (k, list) in lists.enumerated() {
                    let alone = list.matches(s, in: dom)
                    #expect(set.matches(k, s, in: dom, matching: matching) == alone, "\(list.source) at slot \(s)")
                    if alone { matches += 1 }
                }
                if dom.isElement(s) { elements += 1 }
                return true
            }
        }
        #expect(elements > 100 && matches > 100)
    }
}
