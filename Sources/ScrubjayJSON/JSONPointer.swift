/// An RFC 6901 JSON pointer, such as `/data/node/childNodes/0`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The unescaped reference tokens.
    public var components: [String]

    /// A pointer from its components.
    public init(components: [String]) { self.components = components }

    /// Parses the pointer's text form. A text that does not start with `/` (and is not empty)
    /// is read as a single component. Splitting and unescaping work on UTF-8 bytes, so a key
    /// that starts with a combining mark is not merged with the `/` before it.
    public init(_ text: String) {
        if text.isEmpty { components = []; return }
        guard text.utf8.first == UInt8(ascii: "/") else { components = [text]; return }
        components = text.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map {
            JSONPointer.unescape(Array($0))
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// The text form, escaping `~` as `~0` and `/` as `~1`.
    public var description: String {
        components.map { "/" + JSONPointer.escape($0) }.joined()
    }

    /// Escapes one reference token (`~` to `~0`, `/` to `~1`).
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var out: [UInt8] = []
        for b in token.utf8 {
            switch b {
            case UInt8(ascii: "~"): out += [UInt8(ascii: "~"), UInt8(ascii: "0")]
            case UInt8(ascii: "/"): out += [UInt8(ascii: "~"), UInt8(ascii: "1")]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Unescapes one reference token (`~1` to `/`, then `~0` to `~`).
    static func unescape(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "~"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "1") || bytes[i + 1] == UInt8(ascii: "0") {
                out.append(bytes[i + 1] == UInt8(ascii: "1") ? UInt8(ascii: "/") : UInt8(ascii: "~"))
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
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
