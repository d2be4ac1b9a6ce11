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

/// A page with a shadow host (one shadow child, one light child) and an iframe whose document
/// arrives by a later mutation (`isAttachIframe`): ids 1-9.
let shadowHostAndIframePage = """
[{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"html","attributes":{},"childNodes":[
  {"type":2,"id":3,"tagName":"div","attributes":{"class":"host"},"isShadowHost":true,"childNodes":[
    {"type":2,"id":4,"tagName":"span","attributes":{},"isShadow":true,"childNodes":[]},
    {"type":2,"id":5,"tagName":"span","attributes":{},"childNodes":[]}]},
  {"type":2,"id":6,"tagName":"iframe","attributes":{},"childNodes":[]}]}]}},"timestamp":1},
 {"type":3,"data":{"source":0,"isAttachIframe":true,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":6,"nextId":null,
  "node":{"type":0,"id":7,"childNodes":[{"type":2,"id":8,"tagName":"html","attributes":{},"childNodes":[{"type":2,"id":9,"tagName":"span","attributes":{},"childNodes":[]}]}]}}]},"timestamp":2}]
"""
