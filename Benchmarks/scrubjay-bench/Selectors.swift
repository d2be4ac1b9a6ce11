// `scrubjay-bench selectors`: the selector engine over pages, for the differential test
// against Chromium and for timing.
//
//   scrubjay-bench selectors --match SELECTORS PAGE...
//       Each PAGE is an rrweb event file (JSON array or JSON Lines) applied in order to one
//       DOMMirror; prints one JSON object per page: {"page", "elements", "results": [[ids]
//       per selector, or {"error": message, "offset": n}]}. Used by
//       Tests/Browser/selectors_in_chromium.py.
//   scrubjay-bench selectors --time SELECTORS PAGE... [--runs N]
//       Times the selectors of SELECTORS (joined into one list, as a rule would hold them, and
//       one by one) against every element of every page; prints ns per element.
//
// SELECTORS: one selector per line; blank lines and lines starting with "# " are comments.
import Foundation
import ScrubjayDOM
import ScrubjayJSON

func readSelectors(_ path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("# ") && $0 != "#" }
}

func loadPage(_ path: String, keeping: Set<String>? = nil) throws -> DOMMirror {
    let dom = DOMMirror(keeping: keeping)
    var reader = try EventReader(bytes: try JSONBytes(contentsOfFile: path))
    while let e = try reader.next() { dom.apply(e) }
    return dom
}

/// Every element of the page (every tree: iframe documents and shadow roots too).
func elements(of dom: DOMMirror) -> [DOMMirror.Slot] {
    var out: [DOMMirror.Slot] = []
    guard dom.document >= 0 else { return out }
    dom.forEachInSubtree(of: dom.document) { s in
        if dom.isElement(s) { out.append(s) }
        return true
    }
    return out
}

func jsonString(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}

func selectorsMain(_ args: [String]) throws -> Never {
    var args = args
    let usage = "usage: scrubjay-bench selectors (--match | --time) SELECTORS PAGE... [--runs N]"
    guard let mode = args.first, mode == "--match" || mode == "--time", args.count >= 3 else { fail(usage) }
    args.removeFirst()
    var runs = 5
    if let k = args.firstIndex(of: "--runs"), k + 1 < args.count, let n = Int(args[k + 1]) {
        runs = n
        args.removeSubrange(k...(k + 1))
    }
    let readable = readSelectors(args.removeFirst())
    let pages = args

    if mode == "--match" {
        let selectors = readable
        let parsed: [Result<SelectorList, SelectorError>] = selectors.map { s in
            do throws(SelectorError) { return .success(try SelectorList(s)) } catch { return .failure(error) }
        }
        for page in pages {
            let dom = try loadPage(page)
            let all = elements(of: dom)
            var results: [String] = []
            for p in parsed {
                switch p {
                case .failure(let e):
                    results.append("{\"error\":\(jsonString(e.message)),\"offset\":\(e.offset)}")
                case .success(let list):
                    let ids = all.filter { list.matches($0, in: dom) }.compactMap { dom.id($0) }.sorted()
                    results.append("[" + ids.map(String.init).joined(separator: ",") + "]")
                }
            }
            print("{\"page\":\(jsonString(page)),\"elements\":\(all.count),\"results\":[\(results.joined(separator: ","))]}")
        }
        exit(0)
    }

    // --time (selectors that do not parse are left out and counted)
    let parsedLists = readable.map { try? SelectorList($0) }
    let skipped = parsedLists.filter { $0 == nil }.count
    let lists = parsedLists.compactMap { $0 }
    let selectors = lists.map { (l: SelectorList) in l.source }
    if skipped > 0 { print("\(skipped) selectors do not parse: left out") }
    let joined: SelectorList
    do { joined = try SelectorList(selectors.joined(separator: ", ")) } catch { fail("joined list: \(error)") }
    var keeping = joined.attributeNames
    for l in lists { keeping.formUnion(l.attributeNames) }
    let doms = try pages.map { try loadPage($0, keeping: keeping) }
    let trees = doms.map { ($0, elements(of: $0)) }
    let count = trees.reduce(0) { $0 + $1.1.count }
    guard count > 0 else { fail("no elements in the pages") }
    var matched = 0
    let joinedTime = best(runs) {
        var m = 0
        for t in trees.indices {
            let dom = trees[t].0
            trees[t].1.withUnsafeBufferPointer { all in for s in all where joined.matches(s, in: dom) { m += 1 } }
        }
        matched = m
    }
    let eachTime = best(runs) {
        var m = 0
        for t in trees.indices {
            let dom = trees[t].0
            trees[t].1.withUnsafeBufferPointer { all in
                for s in all { for l in lists.indices where lists[l].matches(s, in: dom) { m += 1 } }
            }
        }
        if m < 0 { print(m) }
    }
    print("pages: \(pages.count), elements: \(count), selectors: \(selectors.count), elements matched by the list: \(matched); best of \(runs) runs")
    print(String(format: "one list of %d selectors:   %8.1f ns/element  (%.2f ms for all elements)",
                 selectors.count, joinedTime * 1e9 / Double(count), joinedTime * 1000))
    print(String(format: "%d selectors one by one:    %8.1f ns/element  (%.1f ns per selector and element)",
                 selectors.count, eachTime * 1e9 / Double(count), eachTime * 1e9 / Double(count * selectors.count)))
    exit(0)
}
