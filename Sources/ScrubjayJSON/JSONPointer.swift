/// An RFC 6901 JSON pointer, such as `/data/node/childNodes/0`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The unescaped reference tokens.
    public var components: [String]

    /// A pointer from its components.
    public init(components: [String]) { self.components = components }

    /// Parses the pointer's text form. A text that does not start with `/` (and is not empty)
    /// is read as a single component.
    public init(_ text: String) {
        if text.isEmpty { components = []; return }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        components = parts.map { $0.replacingOccurrences("~1", with: "/").replacingOccurrences("~0", with: "~") }
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// The text form, escaping `~` as `~0` and `/` as `~1`.
    public var description: String {
        components.map { "/" + JSONPointer.escape($0) }.joined()
    }

    /// Escapes one reference token.
    public static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacingOccurrences("~", with: "~0").replacingOccurrences("/", with: "~1")
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            result += rest[..<r.lowerBound]
            result += replacement
            rest = rest[r.upperBound...]
        }
        result += rest
        return result
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target.utf8)
        let u = self.utf8
        var i = u.startIndex
        while i != u.endIndex {
            var j = i
            var k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] { j = u.index(after: j); k += 1 }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}

/// Where a visited value sits inside its event: the path from the root.
///
/// Components are kept as token indices and array positions; `pointer` builds the text
/// form only when asked, so visiting costs nothing for paths nobody looks at.
public struct JSONPath {
    /// One step from a container to a child.
    public enum Component: Equatable, Sendable {
        /// An object member; the associated value is the index of its key's token.
        case key(Int)
        /// An array element.
        case index(Int)
    }
    /// The steps from the root.
    public internal(set) var components: [Component] = []
    let event: JSONEvent

    init(event: JSONEvent) { self.event = event }

    /// Number of steps from the root.
    public var depth: Int { components.count }

    /// The key of the last step when it is an object member.
    public var lastKey: String? {
        if case .key(let k)? = components.last { return event.string(JSONValueRef(index: k)) }
        return nil
    }

    /// The path as a JSON pointer.
    public var pointer: JSONPointer {
        JSONPointer(components: components.map { c in
            switch c {
            case .key(let k): return event.string(JSONValueRef(index: k))
            case .index(let n): return String(n)
            }
        })
    }
}
