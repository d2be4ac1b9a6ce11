import ScrubjayRules

/// Where a value sits below a field-path root while a structured payload is walked, and
/// which field rules select it (docs/RULES.md, "Field paths").
///
/// Kept as the walk goes rather than worked out again for every value: entering a member or
/// an element tests only the root's paths that could name the new place (found by the
/// length of their last name, or tried one by one when their last segment is not a plain
/// name), and a path that names a container selects everything inside it, so what was
/// selected above is inherited. A value's rules are then a read of the innermost level.
struct PayloadPath {
    /// Member names and array indices from the root; kept only where some path of the root
    /// could read them (elsewhere only `depth` is counted: no array, no bytes copied).
    private(set) var components: [FieldPath.Component] = []
    /// Number of components (0 at the root).
    private(set) var depth = 0
    private let candidates: Candidates
    /// The rules whose paths select values at the current place.
    private var here: Selection
    /// The same for each place around it, outermost first (`components.count` entries).
    private var outer: [Selection] = []

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
            self.others = others
            var root = Selection()
            for (rule, path) in entries where path.names([]) {
                if path.urlPart == nil { if !root.whole.contains(rule) { root.whole.append(rule) } }
                else if !root.urlParts.contains(rule) { root.urlParts.append(rule) }
            }
            atRoot = root
        }

        static let empty = Candidates([])
    }

    /// The place at the root of `candidates`, with no component yet.
    init(candidates: Candidates) {
        self.candidates = candidates
        here = candidates.atRoot
    }

    /// A place where no field path applies.
    init() { self.init(candidates: .empty) }

    /// Whether some path of the root could read member names (else they need not be copied).
    var readsNames: Bool { !candidates.entries.isEmpty }

    /// The rules whose paths select the value here as a whole.
    var rules: [Int] { here.whole }

    /// The rules whose paths select parts of the URL here.
    var urlPartRules: [Int] { here.urlParts }

    /// Enters a member (`.key`) or an element (`.index`).
    mutating func push(_ c: FieldPath.Component) {
        depth &+= 1
        guard !candidates.entries.isEmpty else { return }
        if components.capacity == 0 {
            // Room for most payloads' depth at once, not a regrowth per level.
            components.reserveCapacity(8)
            outer.reserveCapacity(8)
        }
        components.append(c)
        outer.append(here)
        if case .key(let name) = c, name.count < candidates.byNameLength.count {
            for i in candidates.byNameLength[name.count] where PayloadPath.equalFolded(name, candidates.names[i]) {
                consider(i, named: candidates.lastNameDecides[i])
            }
        }
        for i in candidates.others where candidates.entries[i].path.mayName(endingWith: c) { consider(i, named: false) }
    }

    /// Leaves the innermost member or element.
    mutating func pop() {
        depth &-= 1
        guard !candidates.entries.isEmpty else { return }
        components.removeLast()
        here = outer.removeLast()
    }

    /// Adds entry `i`'s rule to the current place's when its path names the place exactly
    /// (`named`: that is known already).
    private mutating func consider(_ i: Int, named: Bool) {
        let (rule, path) = candidates.entries[i]
        if path.urlPart == nil {
            guard !here.whole.contains(rule), named || path.names(components[...]) else { return }
            here.whole.append(rule)
            here.whole.sort()
        } else {
            guard !here.urlParts.contains(rule), named || path.names(components[...]) else { return }
            here.urlParts.append(rule)
            here.urlParts.sort()
        }
    }

    /// Whether `name` equals `lower` (lower-case) ignoring ASCII case; the lengths are equal.
    @inline(__always) static func equalFolded(_ name: [UInt8], _ lower: [UInt8]) -> Bool {
        name.withUnsafeBufferPointer { a in
            lower.withUnsafeBufferPointer { b in
                for k in 0..<a.count where Glob.fold(a[k]) != b[k] { return false }
                return true
            }
        }
    }
}
