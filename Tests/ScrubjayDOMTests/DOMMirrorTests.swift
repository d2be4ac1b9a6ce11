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

    /// The tree under `s` as text: each node's id, its children in brackets.
    func shape(_ dom: DOMMirror, _ s: DOMMirror.Slot) -> String {
        var out = dom.id(s).map(String.init) ?? "?"
        var c = dom.firstChild(s)
        if c != nil { out += "[" }
        while let child = c {
            out += shape(dom, child) + " "
            c = dom.nextSibling(child)
        }
        if dom.firstChild(s) != nil { out += "]" }
        return out
    }

    /// Adds whose parent or next sibling come later in the list are retried as the
    /// replayer's queue does: pass after pass over the waiting adds, in list order. The
    /// mirror retries only those whose missing node has come; on random lists (chains,
    /// subtrees out of order, ids that never come, cycles) it builds the same tree as passes
    /// that retry every waiting add.
    @Test func addsWaitingForLaterAddsResolveAsInPasses() throws {
        var seed: UInt64 = 0x5EED_ADD5
        func next(_ n: Int) -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(seed % UInt64(n))
        }
        for round in 0..<300 {
            let count = 1 + next(40)
            var adds: [String] = []
            for k in 0..<count {
                let id = 100 + k
                // A parent: the body, another added node (earlier or later), or one that never comes.
                let parent = [4, 7, 100 + next(count), 100 + next(count), 999][next(5)]
                let nextId = [nil, 100 + next(count), 8, 100 + next(count), 998][next(5)]
                let node = next(3) == 0 ? #"{"type":3,"id":\#(id),"textContent":"t"}"#
                    : #"{"type":2,"id":\#(id),"tagName":"div","attributes":{},"childNodes":[]}"#
                adds.append(#"{"parentId":\#(parent),"nextId":\#(nextId.map(String.init) ?? "null"),"node":\#(node)}"#)
            }
            if round % 2 == 0 { adds.reverse() }
            let mutation = #"{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":["# + adds.joined(separator: ",") + "]},\"timestamp\":2}"
            let fast = DOMMirror(), passes = DOMMirror()
            try apply(fast, Self.page)
            try apply(passes, Self.page)
            try apply(fast, mutation)
            // The reference: every waiting add retried in each pass.
            var reader = try EventReader(bytes: JSONBytes(Array(mutation.utf8)))
            let e = try #require(try reader.next())
            let data = try #require(e.member("data", of: e.root)), list = try #require(e.member("adds", of: data))
            var queue: [JSONValueRef] = []
            for a in e.elements(of: list) { if case .waiting = passes.add(e, a) { queue.append(a) } }
            while !queue.isEmpty {
                let before = queue.count
                queue = queue.filter { if case .waiting = passes.add(e, $0) { return true } else { return false } }
                if queue.count == before { break }
            }
            #expect(shape(fast, fast.document) == shape(passes, passes.document), "round \(round)")
        }
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
