/// A CSS selector list, parsed once and matched right to left against a `DOMMirror`
/// (docs/RULES.md, "Selectors").
///
/// First cut: compound selectors (type, `*`, `#id`, `.class`, attribute selectors with every
/// operator and the `i` flag) joined by descendant and child combinators, in lists.
public final class SelectorList: Sendable {
    public let source: String
    /// The attribute names (ASCII lower case) the list reads, besides `class` and `id`: what a
    /// `DOMMirror` must keep for it.
    public let attributeNames: Set<String>
    let complexes: [Complex]

    public init(_ source: String) throws(SelectorError) {
        self.source = source
        var p = Parser(Array(source.utf8))
        complexes = try p.list()
        attributeNames = p.attributeNames
    }

    /// Whether element `s` matches any selector of the list.
    public func matches(_ s: DOMMirror.Slot, in dom: DOMMirror) -> Bool {
        guard dom.isElement(s) else { return false }
        for c in complexes where c.matches(s, dom) { return true }
        return false
    }
}

/// An invalid selector: what is wrong and where (0-based offset in UTF-8 bytes).
public struct SelectorError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at column \(offset + 1)" }
}

struct Compound: Sendable {
    enum AttrOp: Sendable { case exists, equals, includes, dash, prefix, suffix, substring }
    struct Attr: Sendable {
        var name: [UInt8], lower: [UInt8], op: AttrOp, value: [UInt8], ignoreCase: Bool
    }
    var tag: [UInt8]? = nil
    var ids: [[UInt8]] = []
    var classes: [[UInt8]] = []
    var attrs: [Attr] = []

    func matches(_ s: DOMMirror.Slot, _ dom: DOMMirror) -> Bool {
        if let tag {
            if dom.isSVG(s) ? dom.name(s) != tag : dom.lowerName(s) != DOMMirror.lowered(tag) { return false }
        }
        for id in ids where dom.attribute(s, lowerName: Array("id".utf8)) != id { return false }
        if !classes.isEmpty {
            guard let cls = dom.attribute(s, lowerName: Array("class".utf8)) else { return false }
            let tokens = cls.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0C || $0 == 0x0D })
            for c in classes where !tokens.contains(where: { $0.elementsEqual(c) }) { return false }
        }
        for a in attrs {
            guard let v = dom.attribute(s, lowerName: a.lower, name: a.name) else { return false }
            let value = a.ignoreCase ? DOMMirror.lowered(v) : v
            let want = a.ignoreCase ? DOMMirror.lowered(a.value) : a.value
            switch a.op {
            case .exists: break
            case .equals: if value != want { return false }
            case .includes:
                if want.isEmpty || !value.split(separator: 0x20).contains(where: { $0.elementsEqual(want) }) { return false }
            case .dash: if !(value == want || value.starts(with: want + [0x2D])) { return false }
            case .prefix: if want.isEmpty || !value.starts(with: want) { return false }
            case .suffix: if want.isEmpty || !value.reversed().starts(with: want.reversed()) { return false }
            case .substring:
                if want.isEmpty || value.count < want.count { return false }
                if !(0...(value.count - want.count)).contains(where: { value[$0..<($0 + want.count)].elementsEqual(want) }) { return false }
            }
        }
        return true
    }
}

/// Compounds right to left, each with the combinator that joins it to the next one left.
struct Complex: Sendable {
    enum Combinator: Sendable { case descendant, child }
    var parts: [(Compound, Combinator)]

    func matches(_ s: DOMMirror.Slot, _ dom: DOMMirror) -> Bool { match(0, s, dom) }

    func match(_ k: Int, _ s: DOMMirror.Slot, _ dom: DOMMirror) -> Bool {
        guard parts[k].0.matches(s, dom) else { return false }
        if k + 1 == parts.count { return true }
        var p = dom.parentElement(s)
        switch parts[k].1 {
        case .child: return p.map { match(k + 1, $0, dom) } ?? false
        case .descendant:
            while let x = p {
                if match(k + 1, x, dom) { return true }
                p = dom.parentElement(x)
            }
            return false
        }
    }
}

struct Parser {
    let b: [UInt8]
    var i = 0
    var attributeNames: Set<String> = []
    init(_ b: [UInt8]) { self.b = b }

    func fail(_ m: String) -> SelectorError { SelectorError(message: m, offset: i) }
    mutating func spaces() -> Bool {
        let start = i
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A { i += 1 }
        return i > start
    }
    static func isName(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c >= 0x80
    }
    mutating func ident() throws(SelectorError) -> [UInt8] {
        let start = i
        while i < b.count, Parser.isName(b[i]) { i += 1 }
        guard i > start else { throw fail("expected a name") }
        return Array(b[start..<i])
    }

    mutating func list() throws(SelectorError) -> [Complex] {
        var out: [Complex] = []
        while true {
            _ = spaces()
            out.append(try complex())
            if i == b.count { return out }
            guard b[i] == 0x2C else { throw fail("unexpected character") }
            i += 1
        }
    }

    mutating func complex() throws(SelectorError) -> Complex {
        var parts: [(Compound, Complex.Combinator)] = []
        var comb = Complex.Combinator.descendant
        while true {
            let c = try compound()
            parts.append((c, comb))
            let sp = spaces()
            if i == b.count || b[i] == 0x2C { break }
            if b[i] == 0x3E { i += 1; _ = spaces(); comb = .child } else if sp { comb = .descendant } else { throw fail("unexpected character") }
        }
        // Stored right to left: each compound with the combinator to its left neighbour.
        var rtl: [(Compound, Complex.Combinator)] = []
        for k in stride(from: parts.count - 1, through: 0, by: -1) {
            rtl.append((parts[k].0, k > 0 ? parts[k].1 : .descendant))
        }
        return Complex(parts: rtl)
    }

    mutating func compound() throws(SelectorError) -> Compound {
        var c = Compound()
        let start = i
        if i < b.count, b[i] == 0x2A { i += 1 } else if i < b.count, Parser.isName(b[i]) { c.tag = try ident() }
        while i < b.count {
            switch b[i] {
            case 0x23: i += 1; c.ids.append(try ident())
            case 0x2E: i += 1; c.classes.append(try ident())
            case 0x5B: i += 1; c.attrs.append(try attribute())
            default:
                guard i > start else { throw fail("expected a selector") }
                return c
            }
        }
        guard i > start else { throw fail("expected a selector") }
        return c
    }

    mutating func attribute() throws(SelectorError) -> Compound.Attr {
        _ = spaces()
        let name = try ident()
        attributeNames.insert(String(decoding: DOMMirror.lowered(name), as: UTF8.self))
        _ = spaces()
        guard i < b.count else { throw fail("unclosed attribute selector") }
        var a = Compound.Attr(name: name, lower: DOMMirror.lowered(name), op: .exists, value: [], ignoreCase: false)
        if b[i] == 0x5D { i += 1; return a }
        let ops: [UInt8: Compound.AttrOp] = [0x7E: .includes, 0x7C: .dash, 0x5E: .prefix, 0x24: .suffix, 0x2A: .substring]
        if b[i] == 0x3D { a.op = .equals; i += 1 }
        else if let op = ops[b[i]], i + 1 < b.count, b[i + 1] == 0x3D { a.op = op; i += 2 }
        else { throw fail("expected an attribute operator") }
        _ = spaces()
        guard i < b.count else { throw fail("expected a value") }
        if b[i] == 0x22 || b[i] == 0x27 {
            let q = b[i]; i += 1
            let s = i
            while i < b.count, b[i] != q { i += 1 }
            guard i < b.count else { throw fail("unclosed string") }
            a.value = Array(b[s..<i]); i += 1
        } else {
            a.value = try ident()
        }
        _ = spaces()
        if i < b.count, b[i] == 0x69 || b[i] == 0x49 { a.ignoreCase = true; i += 1; _ = spaces() }
        guard i < b.count, b[i] == 0x5D else { throw fail("expected ]") }
        i += 1
        return a
    }
}
