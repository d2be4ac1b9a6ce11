import ScrubjayJSON
@testable import ScrubjayDOM

/// Applies every event of `json` (one event, a JSON array or JSON Lines) to `dom`.
func apply(_ dom: DOMMirror, _ json: String) throws {
    var reader = try EventReader(bytes: JSONBytes(Array(json.utf8)))
    while let e = try reader.next() { dom.apply(e) }
}

/// The rrweb ids of the elements `selector` matches in `dom`, in tree order (shadow roots and
/// iframe documents included, each matched within its own tree).
func matchedIds(_ dom: DOMMirror, _ selector: String) throws -> [Int] {
    let list = try SelectorList(selector)
    var out: [Int] = []
    dom.forEachInSubtree(of: dom.document) { s in
        if list.matches(s, in: dom), let id = dom.id(s) { out.append(id) }
        return true
    }
    return out
}
