/// A CSS selector list, parsed once and matched right to left against a `DOMMirror`
/// (docs/SELECTORS.md).
///
/// Supported: type and universal selectors, `#id`, `.class`, attribute selectors (`[a]`, `=`,
/// `~=`, `|=`, `^=`, `$=`, `*=`, with the `i` and `s` flags), the descendant, child, `+` and `~`
/// combinators, `:not()`, `:is()`, `:where()`, `:has()` (relative selectors), the structural
/// pseudo-classes (`:first-child` … `:nth-last-of-type()`, `:nth-child(An+B of S)`), `:empty`
/// and `:root`, in comma-separated lists. Case rules are Chromium's in a standards-mode HTML
/// document; `Tests/Browser/selectors_in_chromium.py` checks them against Chromium itself.
///
/// Matching allocates nothing and recurses at most as deep as the selector is long: ancestor
/// and sibling walks are loops.
///
/// `@unchecked Sendable`: the compiled program is written once in `init` and only read after
/// (freed in `deinit`), so threads can share a list.
public final class SelectorList: @unchecked Sendable {
    public let source: String
    /// The attribute names (ASCII lower case) the list reads, besides `class` and `id`, at every
    /// depth (inside `:not()`, `:is()`, `:where()`, `:has()` and `of S`): what a `DOMMirror`
    /// must keep for it (`DOMMirror(keeping:)`).
    public let attributeNames: Set<String>
    let program: FrozenProgram
    /// What an element needs for any selector of the list to match it, read from each
    /// selector's subject (rightmost compound): one of these classes, ids, attribute names or
    /// element names. nil when some subject needs none of them (`*`, `:not(.a)`).
    let prefilter: Prefilter?
    /// Whether matching reads only the element itself (its name and attributes): no
    /// combinator and no pseudo-class. Then an answer holds until the element's attributes
    /// change, whatever else changes in the page.
    public let readsOnlyTheElement: Bool

    struct Prefilter {
        var classes: [[UInt8]] = []
        var ids: [[UInt8]] = []
        var attributes: [[UInt8]] = []
        var tags: [[UInt8]] = []

        init?(_ list: [ComplexSelector]) {
            for complex in list {
                guard let subject = complex.compounds.first else { return nil }
                if let c = subject.classes.first { classes.append(c) }
                else if let i = subject.ids.first { ids.append(i) }
                else if let a = subject.attributes.first { attributes.append(a.lowerName) }
                else if let t = subject.tag { tags.append(t) }
                else { return nil }
            }
        }

        /// Whether element `s` has one of the keys (read in place, in the mirror's storage).
        func admits(_ t: MatchTree, _ s: DOMMirror.Slot) -> Bool {
            if !tags.isEmpty {
                let name = t.lowerName(s)
                if tags.contains(where: { $0.elementsEqual(name) }) { return true }
            }
            var a = t.n[Int(s)].attributes
            while a >= 0 {
                let r = t.records[Int(a)]
                if r.lowerName == DOMMirror.classAtom {
                    if !classes.isEmpty && Prefilter.hasToken(t.value(r), classes) { return true }
                } else if r.lowerName == DOMMirror.idAtom {
                    if !ids.isEmpty { let v = t.value(r); if ids.contains(where: { $0.elementsEqual(v) }) { return true } }
                }
                if !attributes.isEmpty {
                    let name = t.names.bytes(r.lowerName)
                    if attributes.contains(where: { $0.elementsEqual(name) }) { return true }
                }
                a = r.next
            }
            return false
        }

        /// Whether the whitespace-separated `value` holds one of `tokens`.
        static func hasToken(_ value: UnsafeBufferPointer<UInt8>, _ tokens: [[UInt8]]) -> Bool {
            MatchTree.firstToken(in: value) { t in tokens.contains { $0.count == t.count && $0.elementsEqual(t) } }
        }
    }

    /// Parses `source`; throws `SelectorError` (message and byte offset) when it is not a valid
    /// selector list or uses what is not supported (pseudo-elements, namespaces, other
    /// pseudo-classes).
    public init(_ source: String) throws(SelectorError) {
        self.source = source
        var p = SelectorParser(Array(source.utf8))
        let list = try p.parseTopLevel()
        attributeNames = p.attributeNames
        program = FrozenProgram(SelectorProgram(list))
        prefilter = Prefilter(list)
        readsOnlyTheElement = list.allSatisfy { $0.compounds.count == 1 && $0.compounds[0].pseudos.isEmpty }
    }

    deinit { program.free() }

    /// Whether element `s` matches any selector of the list, within its own tree (its document
    /// or shadow root). Non-element nodes never match.
    public func matches(_ s: DOMMirror.Slot, in dom: DOMMirror) -> Bool {
        guard s >= 0, Int(s) < dom.nodes.count, dom.nodes[Int(s)].kind == .element else { return false }
        let tree = MatchTree(dom, program)
        if let prefilter, !prefilter.admits(tree, s) { return false }
        return tree.matches(program.top, s)
    }
}

/// An invalid selector: what is wrong and where (0-based offset in UTF-8 bytes).
public struct SelectorError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
    public var description: String { "\(message) at column \(offset + 1)" }
}

// MARK: the parsed form

/// How a compound is joined to the compound on its left.
enum Combinator: UInt8, Sendable {
    case descendant, child, nextSibling, subsequentSibling
}

/// A complex selector stored right to left: `compounds[0]` is the subject, `combinators[k]`
/// joins `compounds[k]` to `compounds[k + 1]`. A relative selector (in `:has()`) also has the
/// combinator that joins its leftmost compound to the `:has()` element (the anchor).
struct ComplexSelector: Sendable {
    var compounds: [CompoundSelector]
    var combinators: [Combinator]
    var leading: Combinator = .descendant
}

/// Where `:has()` looks for elements that may match its relative selector.
enum HasScope: UInt8, Sendable {
    case children, descendants, nextSibling, subsequentSiblings, subsequentSiblingsAndDescendants
}

struct RelativeSelector: Sendable {
    var complex: ComplexSelector
    var scope: HasScope
}

struct AttributeSelector: Sendable {
    enum Operator: UInt8, Sendable { case exists, equals, includes, dashMatch, prefix, suffix, substring }
    enum CaseFlag: UInt8, Sendable { case none, insensitive, sensitive }
    /// The name in ASCII lower case (attribute names are matched without case, as Chromium
    /// does in HTML documents, on SVG elements too).
    var lowerName: [UInt8]
    var op: Operator
    var value: [UInt8]
    var lowerValue: [UInt8]
    var flag: CaseFlag
    /// Whether the name is on the HTML spec's list of attributes whose values are compared
    /// without case on HTML elements (`type`, `lang`, `rel`, …; not on SVG elements, as in
    /// Chromium).
    var legacyCaseInsensitive: Bool
}

enum NthKind: UInt8, Sendable { case child, lastChild, ofType, lastOfType }

enum PseudoClass: Sendable {
    case not([ComplexSelector])
    /// `:is()` and `:where()` (they differ in specificity only).
    case isMatch([ComplexSelector])
    case has([RelativeSelector])
    /// `:nth-child(a n + b [of S])` and its relatives; `:first-child` is `nth(.child, 0, 1)`.
    case nth(NthKind, a: Int, b: Int, of: [ComplexSelector]?)
    case onlyChild, onlyOfType, empty, root
}

struct CompoundSelector: Sendable {
    /// The type selector in ASCII lower case; nil for `*` or none.
    var tag: [UInt8]?
    var ids: [[UInt8]] = []
    var classes: [[UInt8]] = []
    var attributes: [AttributeSelector] = []
    var pseudos: [PseudoClass] = []
}
