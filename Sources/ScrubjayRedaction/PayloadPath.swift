import ScrubjayJSON
import ScrubjayRules

/// Where a value sits below a field-path root while a structured payload is walked, and
/// which field rules select it (docs/RULES.md, "Field paths").
///
/// Kept as the walk goes rather than worked out again for every value: entering a member or
/// an element tests only the root's paths that could name the new place (found by the
/// length of their last name, or tried one by one when their last segment is not a plain
/// name), and a path that names a container selects everything inside it, so what was
/// selected above is inherited. A value's rules are then a read of the innermost level.
///
/// Nothing is allocated per member or level once the buffers have grown: names go into one
/// buffer (`FieldPlace`), and the rules of each level follow those of the levels around it
/// in one list, so leaving a level cuts the list back. A walk of many payloads can reuse one
/// `PayloadPath` (`reset`), buffers and all.
struct PayloadPath {
    /// Number of components (0 at the root).
    private(set) var depth = 0
    private var candidates: Candidates
    /// Member names and array indices from the root; kept only where some path of the root
    /// could read them (elsewhere only `depth` is counted: nothing copied).
    private(set) var place = FieldPlace()
    /// The rules (indices into the engine's rules) whose paths select the value here as a
    /// whole: the root's, then what each level added, outermost first.
    private var whole: [Int] = []
    /// The same for paths with a URL part (`query.<name>`, `userinfo`, `path`, `fragment`).
    private var urlParts: [Int] = []
    /// Per level entered, the lengths of `whole` and `urlParts` outside it.
    private var marks: [(whole: Int, urlParts: Int)] = []

    /// Rules (indices into the engine's rules, ascending) selecting a place.
    struct Selection {
        /// Paths without a URL part: the rule applies to the whole value.
        var whole: [Int] = []
        /// Paths with a URL part (`query.<name>`, `userinfo`, `path`, `fragment`).
        var urlParts: [Int] = []
    }

    /// The paths of one root, with their rules, arranged for `push`; made once per root.
    final class Candidates: Sendable {
        let entries: [(rule: Int, path: FieldPath)]
        /// Entries whose last segment is a name without wildcards, by the name's length.
        let byNameLength: [[Int]]
        /// Those names, lower-cased (empty for other entries).
        let names: [[UInt8]]
        /// Entries whose last segment is anything else (tried at every place).
        let others: [Int]
        /// Per entry, whether its last name alone decides: the path is `**.<name>`, so any
        /// place whose last component is that name is selected.
        let lastNameDecides: [Bool]
        /// Per entry, whether its path has a URL part.
        let hasURLPart: [Bool]
        /// What the root itself is selected by.
        let atRoot: Selection

        /// `entries` in rule order.
        init(_ entries: [(rule: Int, path: FieldPath)]) {
            self.entries = entries
            var byLength: [[Int]] = []
            var names: [[UInt8]] = []
            var others: [Int] = []
            for (i, entry) in entries.enumerated() {
                if case .key(let g)? = entry.path.segments.last, let name = g.literal {
                    if byLength.count <= name.count { byLength += Array(repeating: [], count: name.count + 1 - byLength.count) }
                    byLength[name.count].append(i)
                    names.append(name)
                } else {
                    others.append(i)
                    names.append([])
                }
            }
            byNameLength = byLength
            self.names = names
            lastNameDecides = entries.map { entry in
                guard entry.path.segments.count == 2, case .anyDepth = entry.path.segments[0],
                      case .key(let g) = entry.path.segments[1], g.literal != nil else { return false }
                return true
            }
            hasURLPart = entries.map { $0.path.urlPart != nil }
            self.others = others
            var root = Selection()
            for (rule, path) in entries where path.names(FieldPlace()) {
                if path.urlPart == nil { if !root.whole.contains(rule) { root.whole.append(rule) } }
                else if !root.urlParts.contains(rule) { root.urlParts.append(rule) }
            }
            root.whole.sort()
            root.urlParts.sort()
            atRoot = root
        }

        static let empty = Candidates([])
    }

    /// The place at the root of `candidates`, with no component yet.
    init(candidates: Candidates) {
        self.candidates = candidates
        whole = candidates.atRoot.whole
        urlParts = candidates.atRoot.urlParts
    }

    /// A place where no field path applies.
    init() { self.init(candidates: .empty) }

    /// Back to the root, of `candidates` now; the buffers are kept for the next walk.
    mutating func reset(candidates: Candidates) {
        self.candidates = candidates
        depth = 0
        // Each step only when there is something to do: emptying an empty array that has
        // never had storage still builds a new (empty) buffer.
        if place.count > 0 { place.removeAll() }
        if !marks.isEmpty { marks.removeAll(keepingCapacity: true) }
        if !whole.isEmpty { whole.removeAll(keepingCapacity: true) }
        if !candidates.atRoot.whole.isEmpty { whole.append(contentsOf: candidates.atRoot.whole) }
        if !urlParts.isEmpty { urlParts.removeAll(keepingCapacity: true) }
        if !candidates.atRoot.urlParts.isEmpty { urlParts.append(contentsOf: candidates.atRoot.urlParts) }
    }

    /// Whether some path of the root could read member names (else they need not be copied).
    var readsNames: Bool { !candidates.entries.isEmpty }

    /// The rules whose paths select the value here as a whole, ascending.
    var rules: [Int] { whole.count < 2 ? whole : whole.sorted() }

    /// The rules whose paths select parts of the URL here, ascending.
    var urlPartRules: [Int] { urlParts.count < 2 ? urlParts : urlParts.sorted() }

    /// Enters the member named `name`.
    mutating func push(name: UnsafeRawBufferPointer) {
        depth &+= 1
        guard !candidates.entries.isEmpty else { return }
        enter()
        place.append(name: name)
        if name.count < candidates.byNameLength.count {
            for i in candidates.byNameLength[name.count] where PayloadPath.equalFolded(name, candidates.names[i]) {
                consider(i, named: candidates.lastNameDecides[i])
            }
        }
        considerOthers()
    }

    /// Enters the member whose key is `key` in `e` (its name is read only where a path could
    /// read it).
    mutating func push(key: JSONValueRef, of e: JSONEvent) {
        guard readsNames else { depth &+= 1; return }
        e.withText(key) { push(name: $0) }
    }

    /// Enters element `index` of an array.
    mutating func push(index: Int) {
        depth &+= 1
        guard !candidates.entries.isEmpty else { return }
        enter()
        place.append(index: index)
        considerOthers()
    }

    /// Leaves the innermost member or element.
    mutating func pop() {
        depth &-= 1
        guard !candidates.entries.isEmpty else { return }
        place.removeLast()
        let mark = marks.removeLast()
        if whole.count > mark.whole { whole.removeLast(whole.count - mark.whole) }
        if urlParts.count > mark.urlParts { urlParts.removeLast(urlParts.count - mark.urlParts) }
    }

    @inline(__always) private mutating func enter() {
        if marks.capacity == 0 {
            // Room for most payloads' depth at once, not a regrowth per level.
            marks.reserveCapacity(8)
        }
        marks.append((whole.count, urlParts.count))
    }

    /// The entries whose last segment is not a plain name, tried at the new place.
    @inline(__always) private mutating func considerOthers() {
        for i in candidates.others where candidates.entries[i].path.mayName(endingWith: place) { consider(i, named: false) }
    }

    /// Adds entry `i`'s rule to the current place's when its path names the place exactly
    /// (`named`: that is known already).
    private mutating func consider(_ i: Int, named: Bool) {
        let rule = candidates.entries[i].rule
        if candidates.hasURLPart[i] {
            guard !urlParts.contains(rule), named || candidates.entries[i].path.names(place) else { return }
            urlParts.append(rule)
        } else {
            guard !whole.contains(rule), named || candidates.entries[i].path.names(place) else { return }
            whole.append(rule)
        }
    }

    /// Whether `name` equals `lower` (lower-case) ignoring ASCII case; the lengths are equal.
    @inline(__always) static func equalFolded(_ name: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        lower.withUnsafeBufferPointer { b in
            for k in 0..<name.count where Glob.fold(name[k]) != b[k] { return false }
            return true
        }
    }
}
