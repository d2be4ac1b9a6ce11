/// Right-to-left matching of a compiled `SelectorProgram` over the mirror's node storage, both
/// read through plain pointers (no allocation, no reference counting, no exclusivity check
/// per node); byte strings are compared in place.
///
/// Walks follow Chromium's `SelectorChecker`: a failed compound fails locally; running out of
/// ancestors fails completely (no higher start can succeed) and running out of previous
/// siblings fails for all siblings, so backtracking stays linear for the usual selectors.
/// Recursion goes one level per compound of the selector (and per nesting of `:is()`,
/// `:not()`, `:has()`), never per level of the page.
struct MatchTree {
    typealias Slot = DOMMirror.Slot
    typealias Bytes = UnsafeBufferPointer<UInt8>
    let n: UnsafeMutablePointer<DOMMirror.Node>
    let records: UnsafeMutablePointer<DOMMirror.AttributeRecord>
    let values: UnsafeMutablePointer<UInt8>
    let names: NameTable
    let p: FrozenProgram

    /// The mirror's storage as it is now (nothing may change it while the tree is in use).
    init(_ dom: DOMMirror, _ p: FrozenProgram) {
        n = dom.nodes.base
        records = dom.attributeRecords.base
        values = dom.values.base
        names = dom.names
        self.p = p
    }

    @inline(__always) func value(_ r: DOMMirror.AttributeRecord) -> Bytes {
        Bytes(start: values + r.valueStart, count: r.valueCount)
    }

    /// The element's lower-case name (empty for other nodes).
    @inline(__always) func lowerName(_ s: Slot) -> Bytes {
        let a = n[Int(s)].lowerName
        return a >= 0 ? names.bytes(a) : Bytes(start: nil, count: 0)
    }

    enum Status { case matches, failsLocally, failsAllSiblings, failsCompletely }

    // MARK: tree links (elements of the same tree only)

    @inline(__always) func isElement(_ s: Slot) -> Bool { n[Int(s)].kind == .element }

    /// The parent when it is an element (not a document or shadow root); -1 otherwise.
    @inline(__always) func parentElement(_ s: Slot) -> Slot {
        let p = n[Int(s)].parent
        return p >= 0 && n[Int(p)].kind == .element ? p : -1
    }

    @inline(__always) func previousElement(_ s: Slot) -> Slot {
        var x = n[Int(s)].prev
        while x >= 0 && n[Int(x)].kind != .element { x = n[Int(x)].prev }
        return x
    }

    @inline(__always) func nextElement(_ s: Slot) -> Slot {
        var x = n[Int(s)].next
        while x >= 0 && n[Int(x)].kind != .element { x = n[Int(x)].next }
        return x
    }

    @inline(__always) func firstElementChild(_ s: Slot) -> Slot {
        var x = n[Int(s)].first
        while x >= 0 && n[Int(x)].kind != .element { x = n[Int(x)].next }
        return x
    }

    /// The element after `x` in document order below `root` (element children only: a
    /// document under an iframe and a host's shadow root are other trees); -1 at the end.
    @inline(__always) func nextInSubtree(_ x: Slot, below root: Slot) -> Slot {
        let f = firstElementChild(x)
        if f >= 0 { return f }
        var c = x
        while c != root {
            let s = nextElement(c)
            if s >= 0 { return s }
            c = n[Int(c)].parent
            if c < 0 { return -1 }
        }
        return -1
    }

    // MARK: lists and complex selectors

    @inline(__always) func bytes(_ b: SelectorProgram.Bytes) -> Bytes {
        Bytes(start: p.pool.baseAddress.map { $0 + Int(b.start) }, count: Int(max(b.count, 0)))
    }

    /// Whether `s` matches one of the complexes in `list`.
    func matches(_ list: SelectorProgram.Range, _ s: Slot) -> Bool {
        var k = Int(list.start)
        let end = k + Int(list.count)
        while k < end {
            if match(k, Int(p.complexes[k].compounds.start), s, anchor: -1) == .matches { return true }
            k += 1
        }
        return false
    }

    /// Matches compound `k` (an index in `p.compounds`) of complex `c` at `s`, then the rest to
    /// the left. With an `anchor` (a `:has()` element), the leftmost compound must stand where
    /// the complex's leading combinator says from it.
    func match(_ c: Int, _ k: Int, _ s: Slot, anchor: Slot) -> Status {
        guard matches(compound: k, s) else { return .failsLocally }
        let complex = p.complexes[c]
        if k + 1 == Int(complex.compounds.start + complex.compounds.count) {
            if anchor < 0 { return .matches }
            return anchored(s, anchor, complex.leading) ? .matches : .failsLocally
        }
        switch p.compounds[k].combinator {
        case .child:
            let q = parentElement(s)
            return q < 0 ? .failsCompletely : match(c, k + 1, q, anchor: anchor)
        case .descendant:
            var q = parentElement(s)
            while q >= 0 {
                let r = match(c, k + 1, q, anchor: anchor)
                if r == .matches || r == .failsCompletely { return r }
                q = parentElement(q)
            }
            return .failsCompletely
        case .nextSibling:
            let q = previousElement(s)
            return q < 0 ? .failsAllSiblings : match(c, k + 1, q, anchor: anchor)
        case .subsequentSibling:
            var q = previousElement(s)
            while q >= 0 {
                let r = match(c, k + 1, q, anchor: anchor)
                if r != .failsLocally { return r }
                q = previousElement(q)
            }
            return .failsAllSiblings
        }
    }

    /// Whether `s` stands in relation `leading` to the `:has()` element `anchor`.
    func anchored(_ s: Slot, _ anchor: Slot, _ leading: Combinator) -> Bool {
        switch leading {
        case .child: return parentElement(s) == anchor
        case .descendant:
            var q = parentElement(s)
            while q >= 0 { if q == anchor { return true }; q = parentElement(q) }
            return false
        case .nextSibling: return previousElement(s) == anchor
        case .subsequentSibling:
            var q = previousElement(s)
            while q >= 0 { if q == anchor { return true }; q = previousElement(q) }
            return false
        }
    }

    // MARK: compounds

    func matches(compound k: Int, _ s: Slot) -> Bool {
        let c = p.compounds[k]
        if c.tag.count >= 0 {
            let tag = bytes(c.tag)
            let name = lowerName(s)
            guard name.count == tag.count && MatchTree.equal(name, 0, tag, false) else { return false }
        }
        if c.ids.count > 0 || c.classes.count > 0 {
            guard idsAndClasses(c, s) else { return false }
        }
        var a = Int(c.attributes.start)
        let attributesEnd = a + Int(c.attributes.count)
        while a < attributesEnd {
            guard matches(attribute: a, s) else { return false }
            a += 1
        }
        var q = Int(c.pseudos.start)
        let pseudosEnd = q + Int(c.pseudos.count)
        while q < pseudosEnd {
            guard matches(pseudo: q, s) else { return false }
            q += 1
        }
        return true
    }

    /// `#id` and `.class`: the `id` and `class` attributes by lower-case name on HTML elements,
    /// by exact name on SVG ones; ids compared whole, classes as whitespace-separated tokens.
    func idsAndClasses(_ c: SelectorProgram.Compound, _ s: Slot) -> Bool {
        let svg = n[Int(s)].flags & DOMMirror.Node.svg != 0
        // The first `id` and `class` attributes (names are atoms: a comparison of integers).
        var idRecord: Int32 = -1, classRecord: Int32 = -1
        var a = n[Int(s)].attributes
        while a >= 0 {
            let r = records[Int(a)]
            let name = svg ? r.name : r.lowerName
            if name == DOMMirror.idAtom && idRecord < 0 { idRecord = a }
            if name == DOMMirror.classAtom && classRecord < 0 { classRecord = a }
            a = r.next
        }
        if c.ids.count > 0 {
            guard idRecord >= 0 else { return false }
            let v = value(records[Int(idRecord)])
            for k in Int(c.ids.start) ..< Int(c.ids.start + c.ids.count) {
                let want = bytes(p.strings[k])
                if v.count != want.count || !MatchTree.equal(v, 0, want, false) { return false }
            }
        }
        if c.classes.count > 0 {
            guard classRecord >= 0 else { return false }
            let v = value(records[Int(classRecord)])
            for k in Int(c.classes.start) ..< Int(c.classes.start + c.classes.count) {
                if !MatchTree.containsToken(v, bytes(p.strings[k]), ignoreCase: false) { return false }
            }
        }
        return true
    }

    /// Chromium in an HTML document: the name is compared without case on every element
    /// (HTML attribute names are stored in lower case; on SVG elements a case-insensitive
    /// match is accepted, so `[viewbox]` finds `viewBox`), and only the first attribute so
    /// named, in attribute order, is compared (an SVG element can hold `viewbox` and
    /// `VIEWBOX`). Values of the legacy attributes (`type`, `lang`, …) are compared without
    /// case on HTML elements only.
    func matches(attribute a: Int, _ s: Slot) -> Bool {
        let sel = p.attributes[a]
        let ignoreCase: Bool
        switch sel.flag {
        case .insensitive: ignoreCase = true
        case .sensitive: ignoreCase = false
        case .none: ignoreCase = sel.legacyCaseInsensitive && n[Int(s)].flags & DOMMirror.Node.svg == 0
        }
        let name = bytes(sel.name)
        let want = bytes(ignoreCase ? sel.lowerValue : sel.value)
        var a = n[Int(s)].attributes
        while a >= 0 {
            let r = records[Int(a)]
            let recorded = names.bytes(r.lowerName)
            if recorded.count == name.count && MatchTree.equal(recorded, 0, name, false) {
                return MatchTree.value(value(r), sel.op, want, ignoreCase: ignoreCase)
            }
            a = r.next
        }
        return false
    }

    static func value(_ v: Bytes, _ op: AttributeSelector.Operator, _ want: Bytes, ignoreCase: Bool) -> Bool {
        switch op {
        case .exists: return true
        case .equals: return v.count == want.count && equal(v, 0, want, ignoreCase)
        case .includes: return containsToken(v, want, ignoreCase: ignoreCase)
        case .dashMatch:
            guard v.count >= want.count, equal(v, 0, want, ignoreCase) else { return false }
            return v.count == want.count || v[want.count] == 0x2D
        case .prefix: return !want.isEmpty && v.count >= want.count && equal(v, 0, want, ignoreCase)
        case .suffix: return !want.isEmpty && v.count >= want.count && equal(v, v.count - want.count, want, ignoreCase)
        case .substring:
            guard !want.isEmpty, v.count >= want.count else { return false }
            for start in 0...(v.count - want.count) where equal(v, start, want, ignoreCase) { return true }
            return false
        }
    }

    /// Whether `v[at...]` starts with `want` (already in lower case when `ignoreCase`).
    @inline(__always) static func equal(_ v: Bytes, _ at: Int, _ want: Bytes, _ ignoreCase: Bool) -> Bool {
        var k = 0
        if ignoreCase {
            while k < want.count {
                var c = v[at + k]
                if c >= 0x41 && c <= 0x5A { c |= 0x20 }
                if c != want[k] { return false }
                k += 1
            }
        } else {
            while k < want.count { if v[at + k] != want[k] { return false }; k += 1 }
        }
        return true
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D }

    /// Whether whitespace-separated `v` holds the token `want` (`~=` and classes; a `want`
    /// that is empty or holds whitespace never matches).
    static func containsToken(_ v: Bytes, _ want: Bytes, ignoreCase: Bool) -> Bool {
        if want.isEmpty || v.count < want.count { return false }
        for c in want where isSpace(c) { return false }
        return firstToken(in: v) { $0.count == want.count && equal($0, 0, want, ignoreCase) }
    }

    /// Whether `body` holds for one of the whitespace-separated tokens of `v` (non-empty, in
    /// order; stops at the first): how `class` and `~=` values are split, for the matcher and
    /// its prefilters alike.
    @inline(__always) static func firstToken(in v: Bytes, where body: (Bytes) -> Bool) -> Bool {
        var k = 0
        while k < v.count {
            while k < v.count && isSpace(v[k]) { k += 1 }
            let start = k
            while k < v.count && !isSpace(v[k]) { k += 1 }
            if k > start && body(Bytes(rebasing: v[start..<k])) { return true }
        }
        return false
    }

    // MARK: pseudo-classes

    func matches(pseudo q: Int, _ s: Slot) -> Bool {
        let ps = p.pseudos[q]
        switch ps.kind {
        case .not: return !matches(ps.list, s)
        case .isMatch: return matches(ps.list, s)
        case .has:
            var k = Int(ps.list.start)
            while k < Int(ps.list.start + ps.list.count) { if has(k, s) { return true }; k += 1 }
            return false
        case .nth:
            if ps.list.count > 0, !matches(ps.list, s) { return false }
            return MatchTree.nth(ps.a, ps.b, position(ps.nth, s, ps.list))
        case .onlyChild: return previousElement(s) < 0 && nextElement(s) < 0
        case .onlyOfType:
            return position(.ofType, s, SelectorProgram.Range()) == 1 && position(.lastOfType, s, SelectorProgram.Range()) == 1
        case .empty:
            var x = n[Int(s)].first
            while x >= 0 {
                let k = n[Int(x)].kind
                if k == .element { return false }
                if (k == .text || k == .cdata) && n[Int(x)].flags & DOMMirror.Node.nonEmpty != 0 { return false }
                x = n[Int(x)].next
            }
            return true
        case .root:
            let parent = n[Int(s)].parent
            return parent >= 0 && n[Int(parent)].kind == .document
        }
    }

    /// 1-based position of `s` among its element siblings (counting from the end for the
    /// `last` kinds), counting only siblings of its type or matching `of`.
    func position(_ kind: NthKind, _ s: Slot, _ of: SelectorProgram.Range) -> Int {
        var count = 1
        let backwards = kind == .child || kind == .ofType
        let ofType = kind == .ofType || kind == .lastOfType
        var x = backwards ? previousElement(s) : nextElement(s)
        while x >= 0 {
            if ofType {
                if sameType(x, s) { count += 1 }
            } else if of.count > 0 {
                if matches(of, x) { count += 1 }
            } else {
                count += 1
            }
            x = backwards ? previousElement(x) : nextElement(x)
        }
        return count
    }

    /// Same local name and namespace (names of HTML elements compared in lower case, as
    /// `createElement` stores them).
    @inline(__always) func sameType(_ x: Slot, _ s: Slot) -> Bool {
        let svg = n[Int(s)].flags & DOMMirror.Node.svg
        guard n[Int(x)].flags & DOMMirror.Node.svg == svg else { return false }
        return svg != 0 ? n[Int(x)].name == n[Int(s)].name : n[Int(x)].lowerName == n[Int(s)].lowerName
    }

    /// Whether some n ≥ 0 gives a·n + b = position. As in Chromium, a, b or a position
    /// beyond half the 32-bit range never match (`CSSSelector::RareData::MatchNth`).
    @inline(__always) static func nth(_ a: Int, _ b: Int, _ position: Int) -> Bool {
        let high = Int(Int32.max / 2), low = Int(Int32.min / 2)
        if a > high || a < low || b > high || b < low || position > high { return false }
        if a == 0 { return position == b }
        let d = position - b
        return d % a == 0 && d / a >= 0
    }

    /// `:has()`: some element in the relative selector's reach from `e` matches it, anchored
    /// at `e` (`r`: the relative selector's index in `p.complexes`).
    func has(_ r: Int, _ e: Slot) -> Bool {
        let first = Int(p.complexes[r].compounds.start)
        switch p.complexes[r].scope {
        case .children:
            var x = firstElementChild(e)
            while x >= 0 { if match(r, first, x, anchor: e) == .matches { return true }; x = nextElement(x) }
        case .descendants:
            var x = firstElementChild(e)
            while x >= 0 { if match(r, first, x, anchor: e) == .matches { return true }; x = nextInSubtree(x, below: e) }
        case .nextSibling:
            let x = nextElement(e)
            return x >= 0 && match(r, first, x, anchor: e) == .matches
        case .subsequentSiblings:
            var x = nextElement(e)
            while x >= 0 { if match(r, first, x, anchor: e) == .matches { return true }; x = nextElement(x) }
        case .subsequentSiblingsAndDescendants:
            var sibling = nextElement(e)
            while sibling >= 0 {
                var x = sibling
                while x >= 0 { if match(r, first, x, anchor: e) == .matches { return true }; x = nextInSubtree(x, below: sibling) }
                sibling = nextElement(sibling)
            }
        }
        return false
    }
}
