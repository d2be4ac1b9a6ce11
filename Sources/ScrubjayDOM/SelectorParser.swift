/// Parses a selector list from its UTF-8 bytes (CSS Syntax Level 3 tokens read in place:
/// identifiers and strings with their escapes, comments, an+b), recording every error with
/// the byte offset where it was found.
struct SelectorParser {
    let b: [UInt8]
    var i = 0
    /// Attribute names read by attribute selectors at any depth, besides `class` and `id`.
    var attributeNames: Set<String> = []
    var depth = 0
    var inHas = false
    static let maxDepth = 32

    init(_ b: [UInt8]) { self.b = b }

    // MARK: bytes

    @inline(__always) func at(_ k: Int) -> UInt8? { k < b.count ? b[k] : nil }
    @inline(__always) var atEnd: Bool { i >= b.count }

    func fail(_ m: String, at offset: Int? = nil) -> SelectorError {
        SelectorError(message: m, offset: offset ?? i)
    }

    /// The character at `k` for a message (`end of input` past the end).
    func describe(_ k: Int) -> String {
        guard k < b.count else { return "end of input" }
        var end = k + 1
        while end < b.count, b[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: b[k..<end], as: UTF8.self) + "'"
    }

    static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D }
    static func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
    }
    static func isName(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Skips comments only (inside a compound selector a comment separates nothing).
    mutating func skipComments() throws(SelectorError) {
        while i + 1 < b.count, b[i] == 0x2F, b[i + 1] == 0x2A {
            let start = i
            i += 2
            while i + 1 < b.count, !(b[i] == 0x2A && b[i + 1] == 0x2F) { i += 1 }
            guard i + 1 < b.count else { throw fail("unclosed comment", at: start) }
            i += 2
        }
    }

    /// Skips whitespace and comments; returns whether there was whitespace.
    @discardableResult
    mutating func skipSpace() throws(SelectorError) -> Bool {
        var saw = false
        while i < b.count {
            if SelectorParser.isWhitespace(b[i]) { saw = true; i += 1; continue }
            if b[i] == 0x2F, at(i + 1) == 0x2A { try skipComments(); continue }
            break
        }
        return saw
    }

    /// Whether `\` at `k` starts an escape (not followed by a newline).
    func isEscape(_ k: Int) -> Bool {
        guard at(k) == 0x5C else { return false }
        guard let n = at(k + 1) else { return true }
        return n != 0x0A && n != 0x0C && n != 0x0D
    }

    /// Whether an identifier starts at `k` (CSS Syntax "would start an ident sequence").
    func startsIdent(_ k: Int) -> Bool {
        guard let c = at(k) else { return false }
        if SelectorParser.isNameStart(c) { return true }
        if c == 0x5C { return isEscape(k) }
        if c == 0x2D {
            guard let n = at(k + 1) else { return false }
            return SelectorParser.isNameStart(n) || n == 0x2D || isEscape(k + 1)
        }
        return false
    }

    /// Consumes an escape (the `\` at `i`) and appends the character it stands for.
    mutating func escape(into out: inout [UInt8]) {
        i += 1
        guard i < b.count else { appendScalar(0xFFFD, &out); return }
        if SelectorParser.hexValue(b[i]) != nil {
            var v: UInt32 = 0, n = 0
            while n < 6, i < b.count, let h = SelectorParser.hexValue(b[i]) { v = v * 16 + h; i += 1; n += 1 }
            if i < b.count, SelectorParser.isWhitespace(b[i]) {
                if b[i] == 0x0D, at(i + 1) == 0x0A { i += 1 }
                i += 1
            }
            if v == 0 || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF { v = 0xFFFD }
            appendScalar(v, &out)
            return
        }
        // Any other character stands for itself (all its UTF-8 bytes).
        out.append(b[i]); i += 1
        while i < b.count, b[i] & 0xC0 == 0x80 { out.append(b[i]); i += 1 }
    }

    func appendScalar(_ v: UInt32, _ out: inout [UInt8]) {
        out.append(contentsOf: String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8)
    }

    /// An identifier with its escapes decoded; `what` names it in the error when there is none.
    mutating func ident(_ what: String) throws(SelectorError) -> [UInt8] {
        guard startsIdent(i) else { throw fail("expected \(what), found \(describe(i))") }
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if SelectorParser.isName(c) { out.append(c); i += 1 }
            else if c == 0x5C, isEscape(i) { escape(into: &out) }
            else { break }
        }
        return out
    }

    /// A quoted string at `i` with its escapes decoded.
    mutating func string() throws(SelectorError) -> [UInt8] {
        let start = i
        let quote = b[i]
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw fail("unclosed string", at: start) }
            let c = b[i]
            if c == quote { i += 1; return out }
            if c == 0x0A || c == 0x0C || c == 0x0D { throw fail("newline in a string", at: i) }
            if c == 0x5C {
                guard let n = at(i + 1) else { i += 1; continue }
                if n == 0x0A || n == 0x0C { i += 2; continue }
                if n == 0x0D { i += at(i + 2) == 0x0A ? 3 : 2; continue }
                escape(into: &out)
                continue
            }
            out.append(c); i += 1
        }
    }

    // MARK: lists

    mutating func parseTopLevel() throws(SelectorError) -> [ComplexSelector] {
        try skipSpace()
        guard !atEnd else { throw fail("empty selector") }
        let list = try selectorList(nested: false)
        if !atEnd { throw fail("unexpected \(describe(i))") }
        return list
    }

    /// Complex selectors separated by commas, up to the end (top level) or a `)` (nested).
    mutating func selectorList(nested: Bool) throws(SelectorError) -> [ComplexSelector] {
        var out: [ComplexSelector] = []
        while true {
            try skipSpace()
            if atEnd || b[i] == 0x2C || (nested && b[i] == 0x29) {
                throw fail(out.isEmpty && !atEnd && b[i] == 0x29 ? "empty selector list" : "empty entry in the selector list")
            }
            out.append(try complex(relative: false))
            if atEnd || b[i] != 0x2C { return out }
            i += 1
        }
    }

    /// Relative selectors of `:has()`, up to the `)`.
    mutating func relativeList() throws(SelectorError) -> [RelativeSelector] {
        var out: [RelativeSelector] = []
        while true {
            try skipSpace()
            if atEnd || b[i] == 0x2C || b[i] == 0x29 {
                throw fail(out.isEmpty && !atEnd && b[i] == 0x29 ? "empty selector list" : "empty entry in the selector list")
            }
            let c = try complex(relative: true)
            out.append(RelativeSelector(complex: c, scope: SelectorParser.scope(of: c)))
            if atEnd || b[i] != 0x2C { return out }
            i += 1
        }
    }

    static func scope(of c: ComplexSelector) -> HasScope {
        let inner = c.combinators
        switch c.leading {
        case .child where inner.isEmpty: return .children
        case .child, .descendant: return .descendants
        case .nextSibling where inner.isEmpty: return .nextSibling
        case .nextSibling, .subsequentSibling:
            return inner.allSatisfy { $0 == .nextSibling || $0 == .subsequentSibling } ? .subsequentSiblings : .subsequentSiblingsAndDescendants
        }
    }

    func combinator(at k: Int) -> Combinator? {
        switch at(k) {
        case 0x3E: return .child
        case 0x2B: return .nextSibling
        case 0x7E: return .subsequentSibling
        default: return nil
        }
    }

    /// Compounds joined by combinators; stops before a `,`, a `)` or the end.
    mutating func complex(relative: Bool) throws(SelectorError) -> ComplexSelector {
        var leading = Combinator.descendant
        if let c = combinator(at: i) {
            guard relative else { throw fail("a selector cannot start with the combinator \(describe(i))") }
            leading = c
            i += 1
            try skipSpace()
        }
        var compounds = [try compound()]
        var combinators: [Combinator] = []
        while true {
            let space = try skipSpace()
            if atEnd || b[i] == 0x2C || b[i] == 0x29 { break }
            var comb = Combinator.descendant
            if b[i] == 0x7C, at(i + 1) == 0x7C { throw fail("the column combinator '||' is not supported") }
            if let c = combinator(at: i) {
                comb = c
                i += 1
                try skipSpace()
                if atEnd || b[i] == 0x2C || b[i] == 0x29 || combinator(at: i) != nil {
                    throw fail("expected a selector after the combinator, found \(describe(i))")
                }
            } else if !space {
                throw fail("unexpected \(describe(i))")
            }
            combinators.append(comb)
            compounds.append(try compound())
        }
        return ComplexSelector(compounds: compounds.reversed(), combinators: combinators.reversed(), leading: leading)
    }

    // MARK: compounds

    func namespaceError(_ k: Int) -> SelectorError { fail("namespaces ('|') are not supported", at: k) }

    mutating func compound() throws(SelectorError) -> CompoundSelector {
        var c = CompoundSelector()
        let start = i
        if at(i) == 0x7C { throw namespaceError(i) }
        if at(i) == 0x2A {
            i += 1
            if at(i) == 0x7C { throw namespaceError(i) }
        } else if startsIdent(i) {
            c.tag = DOMMirror.lowered(try ident("a type selector"))
            if at(i) == 0x7C, at(i + 1) != 0x7C { throw namespaceError(i) }
        }
        while true {
            try skipComments()
            guard let ch = at(i) else { break }
            switch ch {
            case 0x23:  // #id
                i += 1
                guard startsIdent(i) else { throw fail("expected an id after '#', found \(describe(i))") }
                c.ids.append(try ident("an id"))
            case 0x2E:  // .class
                i += 1
                guard startsIdent(i) else { throw fail("expected a class name after '.', found \(describe(i))") }
                c.classes.append(try ident("a class name"))
            case 0x5B:
                c.attributes.append(try attribute())
            case 0x3A:
                if at(i + 1) == 0x3A { throw fail("pseudo-elements are not supported") }
                if let p = try pseudoClass() { c.pseudos.append(p) }
            default:
                if i == start { throw fail("expected a selector, found \(describe(i))") }
                return c
            }
        }
        if i == start { throw fail("expected a selector, found \(describe(i))") }
        return c
    }

    static let legacyCaseInsensitive: Set<[UInt8]> = Set([
        "accept", "accept-charset", "align", "alink", "axis", "bgcolor", "charset", "checked", "clear", "codetype",
        "color", "compact", "declare", "defer", "dir", "direction", "disabled", "enctype", "face", "frame",
        "hreflang", "http-equiv", "lang", "language", "link", "media", "method", "multiple", "nohref", "noresize",
        "noshade", "nowrap", "readonly", "rel", "rev", "rules", "scope", "scrolling", "selected", "shape",
        "target", "text", "type", "valign", "valuetype", "vlink",
    ].map { Array($0.utf8) })

    mutating func attribute() throws(SelectorError) -> AttributeSelector {
        let open = i
        i += 1
        try skipSpace()
        if at(i) == 0x7C || (at(i) == 0x2A && at(i + 1) == 0x7C) { throw namespaceError(i) }
        let name = DOMMirror.lowered(try ident("an attribute name"))
        if at(i) == 0x7C, at(i + 1) != 0x3D { throw namespaceError(i) }
        if name != Array("class".utf8) && name != Array("id".utf8) {
            attributeNames.insert(String(decoding: name, as: UTF8.self))
        }
        var a = AttributeSelector(lowerName: name, op: .exists, value: [], lowerValue: [], flag: .none,
                                  legacyCaseInsensitive: SelectorParser.legacyCaseInsensitive.contains(name))
        try skipSpace()
        guard let c = at(i) else { throw fail("unclosed attribute selector, expected ']'", at: open) }
        if c == 0x5D { i += 1; return a }
        let ops: [UInt8: AttributeSelector.Operator] = [0x7E: .includes, 0x7C: .dashMatch, 0x5E: .prefix, 0x24: .suffix, 0x2A: .substring]
        if c == 0x3D { a.op = .equals; i += 1 }
        else if let op = ops[c], at(i + 1) == 0x3D { a.op = op; i += 2 }
        else { throw fail("expected an attribute operator or ']', found \(describe(i))") }
        try skipSpace()
        guard let q = at(i) else { throw fail("expected an attribute value, found end of input") }
        if q == 0x22 || q == 0x27 { a.value = try string() }
        else if startsIdent(i) { a.value = try ident("an attribute value") }
        else { throw fail("expected an attribute value (an identifier or a quoted string), found \(describe(i))") }
        a.lowerValue = DOMMirror.lowered(a.value)
        try skipSpace()
        if startsIdent(i) {
            let flagAt = i
            let f = DOMMirror.lowered(try ident("a flag"))
            if f == [0x69] { a.flag = .insensitive }
            else if f == [0x73] { a.flag = .sensitive }
            else { throw fail("unknown attribute selector flag (only 'i' and 's')", at: flagAt) }
            try skipSpace()
        }
        guard let e = at(i) else { throw fail("unclosed attribute selector, expected ']'", at: open) }
        guard e == 0x5D else { throw fail("expected ']', found \(describe(i))") }
        i += 1
        return a
    }

    // MARK: pseudo-classes

    static let pseudoElements: Set<String> = ["before", "after", "first-line", "first-letter"]

    /// A pseudo-class at the `:` at `i`.
    mutating func pseudoClass() throws(SelectorError) -> PseudoClass? {
        let start = i
        i += 1
        guard startsIdent(i) else { throw fail("expected a pseudo-class name after ':', found \(describe(i))") }
        let name = String(decoding: DOMMirror.lowered(try ident("a pseudo-class name")), as: UTF8.self)
        if SelectorParser.pseudoElements.contains(name) {
            throw fail("pseudo-elements are not supported (':\(name)')", at: start)
        }
        if at(i) == 0x28 {
            i += 1
            let p = try functional(name, start)
            try skipSpace()
            guard let c = at(i) else { throw fail("expected ')' to close ':\(name)('", at: start) }
            guard c == 0x29 else { throw fail("expected ')', found \(describe(i))") }
            i += 1
            return p
        }
        switch name {
        case "first-child": return .nth(.child, a: 0, b: 1, of: nil)
        case "last-child": return .nth(.lastChild, a: 0, b: 1, of: nil)
        case "only-child": return .onlyChild
        case "first-of-type": return .nth(.ofType, a: 0, b: 1, of: nil)
        case "last-of-type": return .nth(.lastOfType, a: 0, b: 1, of: nil)
        case "only-of-type": return .onlyOfType
        case "empty": return .empty
        case "root": return .root
        case "not", "is", "where", "has", "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type":
            throw fail("':\(name)' needs an argument in parentheses", at: start)
        default:
            throw fail("unsupported pseudo-class ':\(name)'", at: start)
        }
    }

    mutating func nested<T>(_ start: Int, _ body: (inout SelectorParser) throws(SelectorError) -> T) throws(SelectorError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= SelectorParser.maxDepth else { throw fail("selector nested too deeply", at: start) }
        return try body(&self)
    }

    mutating func functional(_ name: String, _ start: Int) throws(SelectorError) -> PseudoClass {
        switch name {
        case "not":
            return .not(try nested(start) { p throws(SelectorError) in try p.selectorList(nested: true) })
        case "is", "where":
            return .isMatch(try nested(start) { p throws(SelectorError) in try p.selectorList(nested: true) })
        case "has":
            if inHas { throw fail(":has() cannot be nested inside :has()", at: start) }
            inHas = true
            defer { inHas = false }
            return .has(try nested(start) { p throws(SelectorError) in try p.relativeList() })
        case "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type":
            let kind: NthKind = switch name {
            case "nth-child": .child
            case "nth-last-child": .lastChild
            case "nth-of-type": .ofType
            default: .lastOfType
            }
            let (a, b, hasOf) = try anPlusB(allowOf: kind == .child || kind == .lastChild)
            var of: [ComplexSelector]? = nil
            if hasOf { of = try nested(start) { p throws(SelectorError) in try p.selectorList(nested: true) } }
            return .nth(kind, a: a, b: b, of: of)
        case "first-child", "last-child", "only-child", "first-of-type", "last-of-type", "only-of-type", "empty", "root":
            throw fail("':\(name)' takes no argument", at: start)
        default:
            throw fail("unsupported pseudo-class ':\(name)()'", at: start)
        }
    }

    // MARK: an+b

    enum Token: Equatable {
        case number(Int, signed: Bool)
        case dimension(Int, signed: Bool, unit: [UInt8])
        case ident([UInt8])
        case plus, minus, space, other
    }

    /// The next token of an an+b argument (integers only: anything else is `.other`).
    mutating func anbToken() throws(SelectorError) -> Token {
        if try skipSpace() { return .space }
        guard let c = at(i) else { return .other }
        var k = i
        var sign: Int? = nil
        if c == 0x2B || c == 0x2D, let n = at(i + 1), SelectorParser.isDigit(n) { sign = c == 0x2D ? -1 : 1; k += 1 }
        if let d = at(k), SelectorParser.isDigit(d) {
            var v = 0
            while let d = at(k), SelectorParser.isDigit(d) { v = min(v * 10 + Int(d - 0x30), 1 << 40); k += 1 }
            if at(k) == 0x2E || ((at(k) == 0x65 || at(k) == 0x45) && (at(k + 1).map(SelectorParser.isDigit) ?? false)) {
                throw fail("invalid an+b: numbers must be integers")
            }
            i = k
            v *= sign ?? 1
            if startsIdent(i) {
                let unit = DOMMirror.lowered(try ident("a unit"))
                return .dimension(v, signed: sign != nil, unit: unit)
            }
            if at(i) == 0x25 { i += 1; return .other }
            return .number(v, signed: sign != nil)
        }
        if startsIdent(i) { return .ident(DOMMirror.lowered(try ident("an identifier"))) }
        if c == 0x2B { i += 1; return .plus }
        if c == 0x2D { i += 1; return .minus }
        return .other
    }

    /// Parses `An+B` (CSS Syntax Level 3 §6) up to the `)` or an `of`; returns (A, B, whether
    /// `of S` follows, its selector list not read yet).
    mutating func anPlusB(allowOf: Bool) throws(SelectorError) -> (Int, Int, Bool) {
        try skipSpace()
        let start = i
        func bad(_ p: SelectorParser) -> SelectorError { p.fail("invalid an+b expression", at: start) }
        var tok = try anbToken()
        var a = 0, b = 0
        var rest: [UInt8]? = nil  // what follows "n" in the A part, when there is an A part
        switch tok {
        case .number(let v, _): b = v
        case .dimension(let v, _, let unit): a = v; rest = unit
        case .ident(let id):
            if id == Array("odd".utf8) { a = 2; b = 1 }
            else if id == Array("even".utf8) { a = 2; b = 0 }
            else if id.first == 0x2D { a = -1; rest = Array(id.dropFirst()) }
            else { a = 1; rest = id }
        case .plus:
            // '+' directly followed by an identifier n…
            guard startsIdent(i), at(i) != 0x2D, at(i) != 0x5C else { throw bad(self) }
            guard case .ident(let id) = try anbToken() else { throw bad(self) }
            a = 1; rest = id
        default: throw bad(self)
        }
        if let unit = rest {
            // unit is "n", "n-" or "n-<digits>".
            guard unit.first == 0x6E else { throw bad(self) }
            let tail = unit.dropFirst()
            if tail.isEmpty {
                // Optional B: a signed integer, or '+'/'-' then a signless integer.
                let save = i
                tok = try anbToken()
                if tok == .space { tok = try anbToken() }
                switch tok {
                case .number(let v, true): b = v
                case .plus, .minus:
                    let negative = tok == .minus
                    var t = try anbToken()
                    if t == .space { t = try anbToken() }
                    guard case .number(let v, false) = t else { throw bad(self) }
                    b = negative ? -v : v
                default: i = save
                }
            } else if tail == [0x2D] {
                var t = try anbToken()
                if t == .space { t = try anbToken() }
                guard case .number(let v, false) = t else { throw bad(self) }
                b = -v
            } else {
                guard tail.first == 0x2D, tail.count > 1, tail.dropFirst().allSatisfy(SelectorParser.isDigit) else { throw bad(self) }
                // Digits inside an identifier ("n-3", "-n-3", "2n-3"): Chromium reads them as a
                // 32-bit integer and rejects the selector when they do not fit (numbers
                // outside identifiers are clamped instead).
                var v = 0
                for d in tail.dropFirst() { v = min(v * 10 + Int(d - 0x30), 1 << 40) }
                guard -v >= Int(Int32.min) else { throw bad(self) }
                b = -v
            }
        }
        // Then the end, or "of S".
        let save = i
        try skipSpace()
        let ofAt = i
        tok = try anbToken()
        if case .ident(let id) = tok, id == Array("of".utf8) {
            guard allowOf else { throw fail("'of' is only allowed in :nth-child() and :nth-last-child()", at: ofAt) }
            try skipSpace()
            return (clamp(a), clamp(b), true)
        }
        i = save
        try skipSpace()
        guard at(i) == 0x29 else { throw bad(self) }
        return (clamp(a), clamp(b), false)
    }

    func clamp(_ v: Int) -> Int { max(min(v, Int(Int32.max)), Int(Int32.min)) }
}
