/// Right-to-left matching over the mirror's node storage, read through one buffer pointer per
/// call to `SelectorList.matches` (no allocation, no exclusivity check per node).
///
/// Walks follow Chromium's `SelectorChecker`: a failed compound fails locally; running out of
/// ancestors fails completely (no higher start can succeed) and running out of previous
/// siblings fails for all siblings, so backtracking stays linear for the usual selectors.
/// Recursion goes one level per compound of the selector (and per nesting of `:is()`,
/// `:not()`, `:has()`), never per level of the page.
struct MatchTree {
    typealias Slot = DOMMirror.Slot
    let n: UnsafeBufferPointer<DOMMirror.Node>

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

    func matches(_ list: [ComplexSelector], _ s: Slot) -> Bool {
        for c in list where match(c, 0, s, anchor: -1) == .matches { return true }
        return false
    }

    /// Matches compound `k` of `c` at `s`, then the rest to the left. With an `anchor` (a
    /// `:has()` element), the leftmost compound must stand where `c.leading` says from it.
    func match(_ c: ComplexSelector, _ k: Int, _ s: Slot, anchor: Slot) -> Status {
        guard matches(c.compounds[k], s) else { return .failsLocally }
        if k + 1 == c.compounds.count {
            if anchor < 0 { return .matches }
            return anchored(s, anchor, c.leading) ? .matches : .failsLocally
        }
        switch c.combinators[k] {
        case .child:
            let p = parentElement(s)
            return p < 0 ? .failsCompletely : match(c, k + 1, p, anchor: anchor)
        case .descendant:
            var p = parentElement(s)
            while p >= 0 {
                let r = match(c, k + 1, p, anchor: anchor)
                if r == .matches || r == .failsCompletely { return r }
                p = parentElement(p)
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
            var p = parentElement(s)
            while p >= 0 { if p == anchor { return true }; p = parentElement(p) }
            return false
        case .nextSibling: return previousElement(s) == anchor
        case .subsequentSibling:
            var q = previousElement(s)
            while q >= 0 { if q == anchor { return true }; q = previousElement(q) }
            return false
        }
    }

    // MARK: compounds

    func matches(_ c: CompoundSelector, _ s: Slot) -> Bool {
        if let tag = c.tag, n[Int(s)].lowerName != tag { return false }
        if !c.ids.isEmpty {
            guard let id = attributeValue(s, DOMMirror.idName) else { return false }
            for want in c.ids where id != want { return false }
        }
        if !c.classes.isEmpty {
            guard let cls = attributeValue(s, DOMMirror.className) else { return false }
            for want in c.classes where !MatchTree.containsToken(cls, want, ignoreCase: false) { return false }
        }
        for a in c.attributes where !matches(a, s) { return false }
        for p in c.pseudos where !matches(p, s) { return false }
        return true
    }

    /// `class` and `id`: by lower-case name on HTML elements, by exact name on SVG ones.
    @inline(__always) func attributeValue(_ s: Slot, _ name: [UInt8]) -> [UInt8]? {
        let node = n[Int(s)]
        if node.flags & DOMMirror.Node.svg != 0 {
            for a in node.attributes where a.name == name { return a.value }
        } else {
            for a in node.attributes where a.lowerName == name { return a.value }
        }
        return nil
    }

    /// Chromium in an HTML document: the name is compared without case on every element
    /// (HTML attribute names are stored in lower case; on SVG elements a case-insensitive
    /// match is accepted, so `[viewbox]` finds `viewBox`), and only the first attribute so
    /// named, in attribute order, is compared (an SVG element can hold `viewbox` and
    /// `VIEWBOX`). Values of the legacy attributes (`type`, `lang`, …) are compared without
    /// case on HTML elements only.
    func matches(_ sel: AttributeSelector, _ s: Slot) -> Bool {
        let node = n[Int(s)]
        let ignoreCase: Bool
        switch sel.flag {
        case .insensitive: ignoreCase = true
        case .sensitive: ignoreCase = false
        case .none: ignoreCase = sel.legacyCaseInsensitive && node.flags & DOMMirror.Node.svg == 0
        }
        for a in node.attributes where a.lowerName == sel.lowerName {
            return MatchTree.value(a.value, sel, ignoreCase: ignoreCase)
        }
        return false
    }

    static func value(_ v: [UInt8], _ sel: AttributeSelector, ignoreCase: Bool) -> Bool {
        let want = ignoreCase ? sel.lowerValue : sel.value
        switch sel.op {
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
    @inline(__always) static func equal(_ v: [UInt8], _ at: Int, _ want: [UInt8], _ ignoreCase: Bool) -> Bool {
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
    static func containsToken(_ v: [UInt8], _ want: [UInt8], ignoreCase: Bool) -> Bool {
        if want.isEmpty || v.count < want.count { return false }
        for c in want where isSpace(c) { return false }
        var k = 0
        while k < v.count {
            while k < v.count && isSpace(v[k]) { k += 1 }
            let start = k
            while k < v.count && !isSpace(v[k]) { k += 1 }
            if k - start == want.count && equal(v, start, want, ignoreCase) { return true }
        }
        return false
    }

    // MARK: pseudo-classes

    func matches(_ p: PseudoClass, _ s: Slot) -> Bool {
        switch p {
        case .not(let list): return !matches(list, s)
        case .isMatch(let list): return matches(list, s)
        case .has(let relatives):
            for r in relatives where has(r, s) { return true }
            return false
        case .nth(let kind, let a, let b, let of):
            if let of, !matches(of, s) { return false }
            return MatchTree.nth(a, b, position(kind, s, of))
        case .onlyChild: return previousElement(s) < 0 && nextElement(s) < 0
        case .onlyOfType: return position(.ofType, s, nil) == 1 && position(.lastOfType, s, nil) == 1
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
    func position(_ kind: NthKind, _ s: Slot, _ of: [ComplexSelector]?) -> Int {
        var count = 1
        let backwards = kind == .child || kind == .ofType
        let ofType = kind == .ofType || kind == .lastOfType
        var x = backwards ? previousElement(s) : nextElement(s)
        while x >= 0 {
            if ofType {
                if sameType(x, s) { count += 1 }
            } else if let of {
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
    /// at `e`.
    func has(_ r: RelativeSelector, _ e: Slot) -> Bool {
        switch r.scope {
        case .children:
            var x = firstElementChild(e)
            while x >= 0 { if match(r.complex, 0, x, anchor: e) == .matches { return true }; x = nextElement(x) }
        case .descendants:
            var x = firstElementChild(e)
            while x >= 0 { if match(r.complex, 0, x, anchor: e) == .matches { return true }; x = nextInSubtree(x, below: e) }
        case .nextSibling:
            let x = nextElement(e)
            return x >= 0 && match(r.complex, 0, x, anchor: e) == .matches
        case .subsequentSiblings:
            var x = nextElement(e)
            while x >= 0 { if match(r.complex, 0, x, anchor: e) == .matches { return true }; x = nextElement(x) }
        case .subsequentSiblingsAndDescendants:
            var sibling = nextElement(e)
            while sibling >= 0 {
                var x = sibling
                while x >= 0 { if match(r.complex, 0, x, anchor: e) == .matches { return true }; x = nextInSubtree(x, below: sibling) }
                sibling = nextElement(sibling)
            }
        }
        return false
    }
}
