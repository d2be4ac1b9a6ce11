/// A parsed selector list laid out flat for matching: plain records that point into each
/// other by index and into one byte pool by offset, so that matching reads memory and never
/// touches a reference count (a `[UInt8]` copied per step costs more than the comparison).
///
/// Invariants: the complex selectors of one list (the top level, a `:not()`, `:is()`,
/// `:where()`, `:has()` or `of S` argument) are contiguous; so are the compounds of one
/// complex (right to left), and the ids, classes, attributes and pseudo-classes of one
/// compound. Nothing changes after `SelectorProgram.init`.
struct SelectorProgram {
    /// Bytes `start ..< start + count` of the pool; `count < 0` for none.
    struct Bytes { var start: Int32 = 0, count: Int32 = -1 }
    struct Range { var start: Int32 = 0, count: Int32 = 0 }

    struct Complex {
        var compounds = Range()
        var leading = Combinator.descendant
        var scope = HasScope.descendants
    }
    struct Compound {
        var tag = Bytes()
        /// Joins this compound to the next one in the complex (the one to its left).
        var combinator = Combinator.descendant
        var ids = Range(), classes = Range(), attributes = Range(), pseudos = Range()
    }
    struct Attribute {
        var name = Bytes(), value = Bytes(), lowerValue = Bytes()
        var op = AttributeSelector.Operator.exists
        var flag = AttributeSelector.CaseFlag.none
        var legacyCaseInsensitive = false
    }
    enum PseudoKind: UInt8 { case not, isMatch, has, nth, onlyChild, onlyOfType, empty, root }
    struct Pseudo {
        var kind = PseudoKind.empty
        var nth = NthKind.child
        var a = 0, b = 0
        /// The argument list (complexes), empty when there is none (`:nth-child(2)`).
        var list = Range()
    }

    var pool: [UInt8] = []
    var complexes: [Complex] = []
    var compounds: [Compound] = []
    var strings: [Bytes] = []
    var attributes: [Attribute] = []
    var pseudos: [Pseudo] = []
    var top = Range()

    init(_ list: [ComplexSelector]) {
        top = add(list)
    }

    mutating func bytes(_ b: [UInt8]) -> Bytes {
        let start = Int32(pool.count)
        pool.append(contentsOf: b)
        return Bytes(start: start, count: Int32(b.count))
    }

    /// Reserves `n` records of `array` and returns their range (filled in afterwards, so that
    /// nested lists added meanwhile go after them).
    static func reserve<T>(_ array: inout [T], _ n: Int, _ blank: T) -> Range {
        let start = Int32(array.count)
        array.append(contentsOf: repeatElement(blank, count: n))
        return Range(start: start, count: Int32(n))
    }

    mutating func add(_ list: [ComplexSelector]) -> Range {
        let r = SelectorProgram.reserve(&complexes, list.count, Complex())
        for (k, c) in list.enumerated() { complexes[Int(r.start) + k] = add(c, scope: .descendants) }
        return r
    }

    mutating func add(_ relatives: [RelativeSelector]) -> Range {
        let r = SelectorProgram.reserve(&complexes, relatives.count, Complex())
        for (k, rel) in relatives.enumerated() { complexes[Int(r.start) + k] = add(rel.complex, scope: rel.scope) }
        return r
    }

    mutating func add(_ c: ComplexSelector, scope: HasScope) -> Complex {
        let r = SelectorProgram.reserve(&compounds, c.compounds.count, Compound())
        for (k, compound) in c.compounds.enumerated() {
            var f = add(compound)
            if k < c.combinators.count { f.combinator = c.combinators[k] }
            compounds[Int(r.start) + k] = f
        }
        return Complex(compounds: r, leading: c.leading, scope: scope)
    }

    mutating func add(_ c: CompoundSelector) -> Compound {
        var f = Compound()
        if let tag = c.tag { f.tag = bytes(tag) }
        f.ids = SelectorProgram.reserve(&strings, c.ids.count, Bytes())
        for (k, id) in c.ids.enumerated() { strings[Int(f.ids.start) + k] = bytes(id) }
        f.classes = SelectorProgram.reserve(&strings, c.classes.count, Bytes())
        for (k, cls) in c.classes.enumerated() { strings[Int(f.classes.start) + k] = bytes(cls) }
        f.attributes = SelectorProgram.reserve(&attributes, c.attributes.count, Attribute())
        for (k, a) in c.attributes.enumerated() {
            attributes[Int(f.attributes.start) + k] = Attribute(
                name: bytes(a.lowerName), value: bytes(a.value), lowerValue: bytes(a.lowerValue),
                op: a.op, flag: a.flag, legacyCaseInsensitive: a.legacyCaseInsensitive)
        }
        f.pseudos = SelectorProgram.reserve(&pseudos, c.pseudos.count, Pseudo())
        for (k, p) in c.pseudos.enumerated() {
            var fp = Pseudo()
            switch p {
            case .not(let list): fp.kind = .not; fp.list = add(list)
            case .isMatch(let list): fp.kind = .isMatch; fp.list = add(list)
            case .has(let relatives): fp.kind = .has; fp.list = add(relatives)
            case .nth(let kind, let a, let b, let of):
                fp.kind = .nth; fp.nth = kind; fp.a = a; fp.b = b
                if let of { fp.list = add(of) }
            case .onlyChild: fp.kind = .onlyChild
            case .onlyOfType: fp.kind = .onlyOfType
            case .empty: fp.kind = .empty
            case .root: fp.kind = .root
            }
            pseudos[Int(f.pseudos.start) + k] = fp
        }
        return f
    }
}

/// A `SelectorProgram` copied into memory the owner frees: read through plain pointers while
/// matching.
struct FrozenProgram {
    let pool: UnsafeMutableBufferPointer<UInt8>
    let complexes: UnsafeMutableBufferPointer<SelectorProgram.Complex>
    let compounds: UnsafeMutableBufferPointer<SelectorProgram.Compound>
    let strings: UnsafeMutableBufferPointer<SelectorProgram.Bytes>
    let attributes: UnsafeMutableBufferPointer<SelectorProgram.Attribute>
    let pseudos: UnsafeMutableBufferPointer<SelectorProgram.Pseudo>
    let top: SelectorProgram.Range

    init(_ p: SelectorProgram) {
        func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
            _ = b.initialize(from: a)
            return b
        }
        pool = copy(p.pool)
        complexes = copy(p.complexes)
        compounds = copy(p.compounds)
        strings = copy(p.strings)
        attributes = copy(p.attributes)
        pseudos = copy(p.pseudos)
        top = p.top
    }

    /// Frees the memory (the records are plain values: nothing to deinitialize).
    func free() {
        pool.deallocate(); complexes.deallocate(); compounds.deallocate()
        strings.deallocate(); attributes.deallocate(); pseudos.deallocate()
    }
}
