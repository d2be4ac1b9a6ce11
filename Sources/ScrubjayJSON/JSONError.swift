/// Malformed JSON, located precisely: which input, which event, which byte.
///
/// The message names the origin (file path), the event index (0-based, in the order the
/// events appear), the byte offset, line and column, and shows a short excerpt around the
/// offending byte: its punctuation as it is, control characters escaped, and of each run of
/// letters, digits and non-ASCII bytes only the first shown, the rest masked (`*`). A
/// recording's error message, which CI logs keep, never shows a value it holds.
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong.
    public enum Kind: String, Sendable, Equatable {
        /// The input ends in the middle of a value (a truncated document).
        case truncated
        /// A byte sequence that is not UTF-8 (inside a string).
        case invalidUTF8
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        case controlCharacter
        /// Arrays and objects nested deeper than `JSONLimits.maxDepth`.
        case tooDeep
        /// A comma directly before `]` or `}`.
        case trailingComma
        /// A byte that cannot start or continue a value here.
        case unexpectedCharacter
        /// A backslash escape that JSON does not define.
        case invalidEscape
        /// A number that does not follow JSON's grammar (leading zero, lone minus, ...).
        case invalidNumber
        /// An object key that is not a string, or a missing colon.
        case invalidKey
        /// The input holds no value at all.
        case empty
        /// More data after what should be the end of the document.
        case trailingData
        /// One event is larger than `JSONLimits.maxEventBytes`.
        case eventTooLarge
    }

    /// What is wrong.
    public let kind: Kind
    /// Where the input came from (a path or `<memory>`).
    public let origin: String
    /// Absolute byte offset in the input.
    public let offset: Int
    /// 0-based index of the event being read, or nil when the error is outside any event.
    public let eventIndex: Int?
    /// 1-based line of the offset.
    public let line: Int
    /// 1-based column (in bytes) of the offset.
    public let column: Int
    /// A few bytes around the offset, escaped for display.
    public let excerpt: String
    /// A short explanation.
    public let detail: String

    public var description: String {
        var s = "\(origin): \(detail) at byte \(offset) (line \(line), column \(column)"
        if let eventIndex { s += ", event \(eventIndex)" }
        s += ")"
        if !excerpt.isEmpty { s += ": \(excerpt)" }
        return s
    }

    init(_ kind: Kind, detail: String, offset: Int, eventIndex: Int?, in bytes: JSONBytes) {
        self.kind = kind
        self.origin = bytes.origin
        self.offset = offset
        self.eventIndex = eventIndex
        let lc = bytes.lineAndColumn(of: offset)
        self.line = lc.line
        self.column = lc.column
        self.excerpt = JSONError.excerpt(bytes, around: offset)
        self.detail = detail
    }

    /// Up to 20 bytes before and after `offset`, with `>>` marking the offset itself. The
    /// byte at the offset is shown as it is (escaped); elsewhere a letter, digit or non-ASCII
    /// byte that follows another is masked, so a word or number shows only its first character,
    /// and a word the excerpt starts inside shows none.
    /// Any message that must point at a place in a recording shows it this way, never the value.
    public static func excerpt(_ bytes: JSONBytes, around offset: Int) -> String {
        let from = max(0, offset - 20)
        let to = min(bytes.count, offset + 20)
        var out = "\""
        @inline(__always) func isWordByte(_ b: UInt8) -> Bool {
            b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
        }
        // The byte before the excerpt counts: a word cut by its start is masked whole.
        var previousIsWord = from > 0 && isWordByte(bytes[from - 1])
        func show(_ b: UInt8, at i: Int) {
            let isWord = isWordByte(b)
            defer { previousIsWord = isWord }
            if isWord && previousIsWord && i != offset { out += "*"; return }
            switch b {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        if from > 0 { out += "…" }
        var i = from
        while i < to { if i == offset { out += ">>" }; show(bytes[i], at: i); i += 1 }
        if offset >= bytes.count { out += ">><end of input>" }
        else if to < bytes.count { out += "…" }
        return out + "\""
    }
}

/// Limits the engine enforces, so hostile input can neither crash nor exhaust it.
public enum JSONLimits {
    /// Deepest nesting of arrays and objects accepted in one value (documented in docs/JSON-ENGINE.md).
    /// A DOM 400 elements deep serialises to about 800 levels, so this leaves room for real pages.
    public static let maxDepth = 1024
    /// Largest single event, in bytes (token offsets are 32-bit).
    public static let maxEventBytes = Int(UInt32.max) - 1
}
