#if canImport(Glibc)
import Glibc
#endif

/// Several selector lists matched against one element together: the keys their subjects need
/// (classes, ids, attribute names, element names; `SelectorList.Prefilter`) are looked for in
/// one pass over the element's name and attributes, and only the lists whose key is there
/// are matched in full. For a page rule set such as the privacy markers (a dozen lists, each
/// a handful of classes and attributes), an element that carries none of them costs one read
/// of its `class` value instead of one per list.
///
/// `@unchecked Sendable` as `SelectorList`: written once in `init`, only read after.
public final class SelectorListSet: @unchecked Sendable {
    public let lists: [SelectorList]
    /// Per key, the lists (bit k: `lists[k]`) whose subjects may need it.
    let classKeys: Keys
    let idKeys: Keys
    let attributeKeys: Keys
    let tagKeys: Keys
    /// Lists matched whatever the element holds: no prefilter, or beyond the 64th.
    let always: UInt64
    /// Lists beyond the 64th, matched one by one (`matchesBeyond`).
    let beyond: [SelectorList]

    public init(_ lists: [SelectorList]) {
        self.lists = lists
        var classes: [[UInt8]: UInt64] = [:], ids: [[UInt8]: UInt64] = [:]
        var attributes: [[UInt8]: UInt64] = [:], tags: [[UInt8]: UInt64] = [:]
        var always: UInt64 = 0
        for (k, list) in lists.prefix(64).enumerated() {
            let bit: UInt64 = 1 << UInt64(k)
            guard let p = list.prefilter else { always |= bit; continue }
            for c in p.classes { classes[c, default: 0] |= bit }
            for i in p.ids { ids[i, default: 0] |= bit }
            for a in p.attributes { attributes[a, default: 0] |= bit }
            for t in p.tags { tags[t, default: 0] |= bit }
        }
        classKeys = Keys(classes); idKeys = Keys(ids); attributeKeys = Keys(attributes); tagKeys = Keys(tags)
        self.always = always
        beyond = Array(lists.dropFirst(64))
    }

    /// The lists among the first 64 that match element `s` (bit k: `lists[k]`); 0 for a node
    /// that is not an element.
    public func matching(_ s: DOMMirror.Slot, in dom: DOMMirror) -> UInt64 {
        guard s >= 0, Int(s) < dom.nodes.count, dom.nodes[Int(s)].kind == .element, !lists.isEmpty else { return 0 }
        let tree = MatchTree(dom, lists[0].program)
        var admitted = always
        if !tagKeys.isEmpty { admitted |= tagKeys.lists(of: tree.lowerName(s)) }
        var a = tree.n[Int(s)].attributes
        while a >= 0 {
            let r = tree.records[Int(a)]
            if r.lowerName == DOMMirror.classAtom {
                if !classKeys.isEmpty { admitted |= SelectorListSet.tokens(tree.value(r), classKeys) }
            } else if r.lowerName == DOMMirror.idAtom {
                admitted |= idKeys.lists(of: tree.value(r))
            }
            if !attributeKeys.isEmpty { admitted |= attributeKeys.lists(of: tree.names.bytes(r.lowerName)) }
            a = r.next
        }
        var matched: UInt64 = 0
        var candidates = admitted
        while candidates != 0 {
            let k = candidates.trailingZeroBitCount
            candidates &= candidates &- 1
            let program = lists[k].program
            if MatchTree(dom, program).matches(program.top, s) { matched |= 1 << UInt64(k) }
        }
        return matched
    }

    /// Whether list `k` (any index, the 65th and later included) matches `s`.
    public func matches(_ k: Int, _ s: DOMMirror.Slot, in dom: DOMMirror, matching: UInt64) -> Bool {
        k < 64 ? matching & (1 << UInt64(k)) != 0 : lists[k].matches(s, in: dom)
    }

    /// The lists of the keys among the whitespace-separated tokens of `value`.
    static func tokens(_ value: UnsafeBufferPointer<UInt8>, _ keys: Keys) -> UInt64 {
        var found: UInt64 = 0
        _ = MatchTree.firstToken(in: value) { token in
            found |= keys.lists(of: token)
            return false
        }
        return found
    }

    /// Keys (names, classes, ids) with the lists that need each, looked up by length first:
    /// an element's class tokens and attribute names are mostly of lengths no key has, and
    /// those cost one bit test.
    struct Keys {
        /// The keys' bytes one after another, and per key its start, length and lists.
        let bytes: [UInt8]
        let entries: [(start: Int, count: Int, lists: UInt64)]
        /// Bit `min(length, 63)` set for the length of every key.
        let lengths: UInt64

        init(_ keys: [[UInt8]: UInt64]) {
            var bytes: [UInt8] = [], entries: [(start: Int, count: Int, lists: UInt64)] = [], lengths: UInt64 = 0
            for (key, lists) in keys.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                entries.append((bytes.count, key.count, lists))
                bytes += key
                lengths |= 1 << UInt64(min(key.count, 63))
            }
            self.bytes = bytes
            self.entries = entries
            self.lengths = lengths
        }

        var isEmpty: Bool { entries.isEmpty }

        /// The lists of the key that equals `text` (0 when none does).
        @inline(__always) func lists(of text: UnsafeBufferPointer<UInt8>) -> UInt64 {
            guard lengths & (1 << UInt64(min(text.count, 63))) != 0 else { return 0 }
            return bytes.withUnsafeBufferPointer { b in
                var found: UInt64 = 0
                for e in entries where e.count == text.count
                    && (e.count == 0 || memcmp(b.baseAddress! + e.start, text.baseAddress!, e.count) == 0) {
                    found |= e.lists
                }
                return found
            }
        }
    }
}
