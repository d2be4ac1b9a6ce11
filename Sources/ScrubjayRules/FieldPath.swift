/// A field path: which values of structured payloads (network requests, console messages,
/// custom events, the page URL, or any event by its JSON layout) a `field` rule applies to.
/// The language is in docs/RULES.md, "Field paths".
///
///     network.request.headers.authorization
///     network.request.headers.*token*          case-insensitive name glob
///     network.response.body.**.email           any depth
///     network.request.body.items[*].card       array elements
///     network.url.query.session                a URL's query parameter
///     custom.$pageview.payload."$current_url"  quoted: exact key
///     event.data.payload.*                     any event, from its root
public final class FieldPath: Sendable, Equatable, CustomStringConvertible {
    /// Where a path starts.
    public enum Root: Sendable, Equatable {
        case networkRequestHeaders, networkRequestBody, networkResponseHeaders, networkResponseBody, networkURL, networkMethod
        case consolePayload, consoleTrace
        /// `custom.<tag>.payload`: custom events whose tag matches the glob.
        case custom(tag: Glob)
        case metaHref
        /// `event`: any event, from its root.
        case event

        /// A body of a request or response (what `drop_body` applies to).
        // Tests by `switch`, not `==`: the derived equality of an enum with a payload (`custom`)
        // is a call that copies both sides, and these run for every value of a payload.
        public var isBody: Bool {
            switch self {
            case .networkRequestBody, .networkResponseBody: true
            default: false
            }
        }
        /// Part of a network request (what `drop_request` applies to).
        public var isNetwork: Bool {
            switch self {
            case .networkRequestHeaders, .networkRequestBody, .networkResponseHeaders, .networkResponseBody, .networkURL, .networkMethod: true
            default: false
            }
        }
        /// A URL (its parts can be named).
        public var isURL: Bool {
            switch self {
            case .networkURL, .metaHref: true
            default: false
            }
        }
        /// `console.payload` (JSON-stringified console arguments).
        public var isConsolePayload: Bool {
            if case .consolePayload = self { return true }
            return false
        }

        /// A small number per root kind (custom roots share one), for tables by root.
        public var code: Int {
            switch self {
            case .networkRequestHeaders: 0
            case .networkRequestBody: 1
            case .networkResponseHeaders: 2
            case .networkResponseBody: 3
            case .networkURL: 4
            case .networkMethod: 5
            case .consolePayload: 6
            case .consoleTrace: 7
            case .custom: 8
            case .metaHref: 9
            case .event: 10
            }
        }
        public static let codes = 11
    }

    /// One step below the root.
    public enum Segment: Sendable, Equatable {
        /// A member whose name matches the glob, ASCII case-insensitively.
        case key(Glob)
        /// A member with exactly this name (a quoted segment).
        case exactKey([UInt8])
        /// `*`: any one member or element.
        case anyKey
        /// `**`: any number of levels, none included.
        case anyDepth
        /// `[n]`: element n of an array.
        case index(Int)
        /// `[*]`: any element of an array.
        case anyIndex
    }

    /// A part of a URL value (after `network.url` or `meta.href`).
    public enum URLPart: Sendable, Equatable {
        /// The values of the query parameters whose names match.
        case query(Glob)
        /// `user:password@`.
        case userinfo
        case path
        case fragment
    }

    /// A component of a value's place below a root: a member name or an array index (the
    /// plain form `selects` takes; walks keep their place in a `FieldPlace`).
    public enum Component: Sendable, Equatable {
        case key([UInt8])
        case index(Int)
    }

    public let text: String
    public let root: Root
    public let segments: [Segment]
    public let urlPart: URLPart?

    public var description: String { text }

    public static func == (a: FieldPath, b: FieldPath) -> Bool { a.text == b.text }

    init(text: String, root: Root, segments: [Segment], urlPart: URLPart?) {
        self.text = text
        self.root = root
        self.segments = segments
        self.urlPart = urlPart
    }

    /// Whether the path selects the value at `components` below its root: the segments match
    /// the components, or the start of them (a path that selects an object or array selects
    /// everything inside it).
    public func selects(_ components: [Component]) -> Bool {
        FieldPath.match(segments[...], 0, components.count, exactly: false) { s, k in
            switch components[k] {
            case .key(let name): name.withUnsafeBytes { FieldPath.segment(s, takesName: $0, index: -1) }
            case .index(let i): FieldPath.segment(s, takesName: nil, index: i)
            }
        }
    }

    /// Whether the segments take exactly the components of `place`, no more and no fewer: the
    /// value the path names itself, not what is inside it. A path selects a value when it
    /// names the value or one of the containers around it (`PayloadPath` builds on that).
    public func names(_ place: FieldPlace) -> Bool {
        FieldPath.match(segments[...], 0, place.count, exactly: true) { s, k in place.component(k, takenBy: s) }
    }

    /// Whether a place whose last component is the last of `place` could be one the path
    /// names: a cheap test of the last segment before `names`. False for a path without
    /// segments (it names only its root) and for the root itself.
    public func mayName(endingWith place: FieldPlace) -> Bool {
        guard let last = segments.last, place.count > 0 else { return false }
        if case .anyDepth = last { return true }
        return place.component(place.count - 1, takenBy: last)
    }

    /// Whether segments `s` take components `c..<n` (all of them when `exactly`, else at
    /// least a start), where `takes(segment, k)` tells whether one segment other than `**`
    /// takes component `k`.
    static func match(_ s: ArraySlice<Segment>, _ c: Int, _ n: Int, exactly: Bool, _ takes: (Segment, Int) -> Bool) -> Bool {
        guard let first = s.first else { return !exactly || c == n }
        if case .anyDepth = first {
            if match(s.dropFirst(), c, n, exactly: exactly, takes) { return true }
            return c < n && match(s, c + 1, n, exactly: exactly, takes)
        }
        guard c < n else { return false }
        return takes(first, c) && match(s.dropFirst(), c + 1, n, exactly: exactly, takes)
    }

    /// Whether one segment other than `**` takes a member named `name` (nil: an array element
    /// whose index is `index`).
    static func segment(_ s: Segment, takesName name: UnsafeRawBufferPointer?, index: Int) -> Bool {
        switch s {
        case .anyKey: return true
        case .key(let g): return name.map { g.matches($0) } ?? false
        case .exactKey(let e): return name.map { $0.elementsEqual(e) } ?? false
        case .index(let n): return name == nil && n == index
        case .anyIndex: return name == nil
        case .anyDepth: return false
        }
    }
}

/// A value's place below a root as a walk goes: member names and array indices, outermost
/// first. The names lie end to end in one buffer, so entering a member copies its name's
/// bytes and allocates nothing once the buffers have grown (where an array per name would).
public struct FieldPlace: Sendable {
    /// The members' names, end to end.
    private var bytes: [UInt8] = []
    /// Per component, where its name ends in `bytes`, and its index (-1 for a member).
    private var steps: [(end: Int, index: Int)] = []

    public init() {}

    /// Number of components (0 at the root).
    public var count: Int { steps.count }

    /// Enters a member named `name`.
    public mutating func append(name: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: name)
        steps.append((bytes.count, -1))
    }

    /// Enters element `index` of an array.
    public mutating func append(index: Int) {
        steps.append((bytes.count, index))
    }

    /// Leaves the innermost component.
    public mutating func removeLast() {
        steps.removeLast()
        let end = steps.last?.end ?? 0
        if bytes.count > end { bytes.removeLast(bytes.count - end) }
    }

    /// Back to the root, keeping the buffers.
    public mutating func removeAll() {
        steps.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Whether segment `s` (not `**`) takes component `k`.
    func component(_ k: Int, takenBy s: FieldPath.Segment) -> Bool {
        let step = steps[k]
        guard step.index < 0 else { return FieldPath.segment(s, takesName: nil, index: step.index) }
        let start = k > 0 ? steps[k - 1].end : 0
        return bytes.withUnsafeBytes { FieldPath.segment(s, takesName: UnsafeRawBufferPointer(rebasing: $0[start..<step.end]), index: -1) }
    }

    /// The components as `FieldPath.selects` takes them.
    public var components: [FieldPath.Component] {
        steps.indices.map { k in
            steps[k].index >= 0 ? .index(steps[k].index) : .key(Array(bytes[(k > 0 ? steps[k - 1].end : 0)..<steps[k].end]))
        }
    }
}

/// A name pattern: `*` any run of characters, `?` one character, ASCII case-insensitive.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    /// Lower-cased bytes of the pattern.
    let pattern: [UInt8]
    public let description: String

    /// No `*` or `?`: a name compared whole (most paths' names; the common case is cheap).
    let isLiteral: Bool
    /// For `*text*` (header names by what they contain: `*token*`, `*auth*`), `[text]`: a
    /// case-folded substring search (the prefilter's `Prefilter.occurs`) instead of matching
    /// with backtracking.
    let infix: [[UInt8]]?

    public init(_ text: String) {
        description = text
        pattern = Array(text.utf8).map(Glob.fold)
        let wild: (UInt8) -> Bool = { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }
        isLiteral = !pattern.contains(where: wild)
        if pattern.count > 2, pattern.first == UInt8(ascii: "*"), pattern.last == UInt8(ascii: "*"),
           !pattern.dropFirst().dropLast().contains(where: wild) {
            infix = [Array(pattern.dropFirst().dropLast())]
        } else {
            infix = nil
        }
    }

    /// A byte with ASCII letters lower-cased.
    @inline(__always) public static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// The name, lower-cased, when the pattern has no `*` or `?`.
    public var literal: [UInt8]? { isLiteral ? pattern : nil }

    public func matches(_ name: [UInt8]) -> Bool { name.withUnsafeBytes { matches($0) } }

    public func matches(_ name: UnsafeRawBufferPointer) -> Bool {
        if isLiteral {
            guard name.count == pattern.count else { return false }
            for k in 0..<name.count where Glob.fold(name[k]) != pattern[k] { return false }
            return true
        }
        if let infix { return Prefilter.occurs(infix, atLeast: 1, in: name) }
        // Iterative matching with one backtrack point (the last `*`).
        var p = 0, n = 0, star = -1, mark = 0
        while n < name.count {
            if p < pattern.count && (pattern[p] == UInt8(ascii: "?") || pattern[p] == Glob.fold(name[n])) {
                p += 1; n += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                star = p; mark = n; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; n = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    public func matches(_ name: String) -> Bool { matches(Array(name.utf8)) }
}

/// A field path that cannot be read: the message and the 0-based character position.
public struct FieldPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let position: Int
    public var description: String { "\(message) at column \(position + 1)" }
}

extension FieldPath {
    static let roots: [(String, Root)] = [
        ("network.request.headers", .networkRequestHeaders), ("network.request.body", .networkRequestBody),
        ("network.response.headers", .networkResponseHeaders), ("network.response.body", .networkResponseBody),
        ("network.url", .networkURL), ("network.method", .networkMethod),
        ("console.payload", .consolePayload), ("console.trace", .consoleTrace),
        ("meta.href", .metaHref), ("event", .event),
    ]

    /// Reads a field path.
    public convenience init(parsing text: String) throws(FieldPathError) {
        let chars = Array(text)
        var i = 0
        func fail(_ message: String, _ at: Int) -> FieldPathError { FieldPathError(message: message, position: at) }
        func startsWith(_ s: String, at k: Int) -> Bool {
            let a = Array(s)
            return k + a.count <= chars.count && Array(chars[k..<(k + a.count)]) == a
        }
        // The root.
        var root: Root?
        for (name, r) in FieldPath.roots where startsWith(name, at: 0) {
            let end = name.count
            if end == chars.count || chars[end] == "." || chars[end] == "[" { root = r; i = end; break }
        }
        if root == nil && startsWith("custom.", at: 0) {
            var k = 7
            var tag = ""
            while k < chars.count, chars[k] != "." { tag.append(chars[k]); k += 1 }
            guard !tag.isEmpty else { throw fail("a custom event tag (or *) is needed after 'custom.'", 7) }
            guard startsWith(".payload", at: k) && (k + 8 == chars.count || chars[k + 8] == "." || chars[k + 8] == "[") else {
                throw fail("expected '.payload' after the custom event tag", k)
            }
            root = .custom(tag: Glob(tag))
            i = k + 8
        }
        guard let root else {
            throw fail("unknown root (roots: \(FieldPath.roots.map(\.0).joined(separator: ", ")), custom.<tag>.payload)", 0)
        }
        var segments: [Segment] = []
        var urlPart: URLPart?
        func name(from start: Int) -> (String, Int) {
            var k = start
            var s = ""
            while k < chars.count, chars[k] != ".", chars[k] != "[", chars[k] != "]", chars[k] != "\"", chars[k] != "'" {
                s.append(chars[k]); k += 1
            }
            return (s, k)
        }
        if root.isURL {
            if i < chars.count {
                guard chars[i] == "." else { throw fail("a URL has parts (query.<name>, userinfo, path, fragment), not elements", i) }
                let (part, end) = name(from: i + 1)
                switch part {
                case "query":
                    guard end < chars.count, chars[end] == "." else { throw fail("expected '.<parameter name>' after 'query'", end) }
                    let (param, pend) = name(from: end + 1)
                    guard !param.isEmpty else { throw fail("expected a parameter name (or *)", end + 1) }
                    urlPart = .query(Glob(param)); i = pend
                case "userinfo": urlPart = .userinfo; i = end
                case "path": urlPart = .path; i = end
                case "fragment": urlPart = .fragment; i = end
                default: throw fail("unknown URL part '\(part)' (parts: query.<name>, userinfo, path, fragment)", i + 1)
                }
                guard i == chars.count else { throw fail("nothing may follow a URL part", i) }
            }
            self.init(text: text, root: root, segments: [], urlPart: urlPart)
            return
        }
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                guard i < chars.count else { throw fail("a path cannot end with '.'", i - 1) }
                if chars[i] == "\"" || chars[i] == "'" {
                    let quote = chars[i]
                    var k = i + 1
                    var s = ""
                    while k < chars.count, chars[k] != quote { s.append(chars[k]); k += 1 }
                    guard k < chars.count else { throw fail("unterminated quoted name", i) }
                    segments.append(.exactKey(Array(s.utf8)))
                    i = k + 1
                } else {
                    let (s, end) = name(from: i)
                    guard !s.isEmpty else { throw fail("expected a name, '*' or '**'", i) }
                    if s == "**" { segments.append(.anyDepth) }
                    else if s == "*" { segments.append(.anyKey) }
                    else if s.contains("**") { throw fail("'**' must be a whole segment", i) }
                    else { segments.append(.key(Glob(s))) }
                    i = end
                }
            case "[":
                var k = i + 1
                var s = ""
                while k < chars.count, chars[k] != "]" { s.append(chars[k]); k += 1 }
                guard k < chars.count else { throw fail("unterminated '['", i) }
                if s == "*" { segments.append(.anyIndex) }
                else if let n = Int(s), n >= 0, s.allSatisfy(\.isASCII) { segments.append(.index(n)) }
                else { throw fail("expected an index or '*' inside [ ]", i + 1) }
                i = k + 1
            default:
                throw fail("expected '.' or '['", i)
            }
        }
        self.init(text: text, root: root, segments: segments, urlPart: nil)
    }
}
