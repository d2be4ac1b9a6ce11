import Testing
import ScrubjayJSON
@testable import ScrubjayDOM

/// The mirror follows full snapshots and mutations as rrweb's replayer applies them.
@Suite struct DOMMirrorTests {
    func ids(_ dom: DOMMirror, _ selector: String) throws -> [Int] { try matchedIds(dom, selector) }

    static let page = """
    [{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":1,"id":2,"name":"html","publicId":"","systemId":""},
     {"type":2,"id":3,"tagName":"html","attributes":{},"childNodes":[{"type":2,"id":4,"tagName":"body","attributes":{},"childNodes":[
       {"type":2,"id":5,"tagName":"form","attributes":{"class":"pay"},"childNodes":[
         {"type":2,"id":6,"tagName":"input","attributes":{"autocomplete":"cc-number","value":"4111"},"childNodes":[]}]},
       {"type":2,"id":7,"tagName":"p","attributes":{},"childNodes":[{"type":3,"id":8,"textContent":"Hi Ana"}]}]}]}]},"initialOffset":{"top":0,"left":0}},"timestamp":1}]
    """

    @Test func snapshotThenMutations() throws {
        let dom = DOMMirror()
        try apply(dom, Self.page)
        #expect(dom.count == 8)
        #expect(try ids(dom, "[autocomplete^=cc-]") == [6])
        #expect(try ids(dom, "form.pay > input") == [6])
        // A class added later; a node added before an existing sibling (nextId) and one whose
        // parent arrives later in the same list; a removal frees the subtree.
        try apply(dom, """
        [{"type":3,"data":{"source":0,"texts":[],"removes":[{"parentId":4,"id":5}],
          "attributes":[{"id":7,"attributes":{"class":"rr-mask"}}],
          "adds":[{"parentId":10,"nextId":null,"node":{"type":3,"id":11,"textContent":"x"}},
                  {"parentId":4,"nextId":7,"node":{"type":2,"id":10,"tagName":"div","attributes":{},"childNodes":[]}}]},"timestamp":2}]
        """)
        #expect(dom.slot(forId: 5) == nil && dom.slot(forId: 6) == nil)
        #expect(try ids(dom, ".rr-mask") == [7])
        #expect(try ids(dom, "body > *") == [10, 7])
        #expect(dom.count == 8) // 1,2,3,4,7,8,10,11
        try apply(dom, """
        [{"type":3,"data":{"source":0,"texts":[],"removes":[],"attributes":[{"id":7,"attributes":{"class":null}}],"adds":[]},"timestamp":3}]
        """)
        #expect(try ids(dom, ".rr-mask").isEmpty)
    }

    @Test func shadowRootsAndIframesAreTheirOwnTrees() throws {
        let dom = DOMMirror()
        try apply(dom, shadowHostAndIframePage)
        // Selectors stay inside a tree: `.host span` is the light child only, but the subtree
        // walk (what masking inherits) reaches the shadow child and the iframe's document.
        #expect(try ids(dom, ".host span") == [5])
        #expect(try ids(dom, "span").sorted() == [4, 5, 9])
        let host = try #require(dom.slot(forId: 3))
        var below: [Int] = []
        dom.forEachInSubtree(of: host) { s in if let id = dom.id(s) { below.append(id) }; return true }
        #expect(below.sorted() == [3, 4, 5])
        let iframe = try #require(dom.slot(forId: 6))
        let shadowChild = try #require(dom.slot(forId: 4))
        #expect(dom.parentElement(shadowChild) == nil)
        #expect(dom.parent(dom.parent(shadowChild)!) == host)
        dom.remove(iframe)
        #expect(dom.slot(forId: 9) == nil && dom.count == 5)
    }
}
