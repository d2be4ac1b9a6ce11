/// The kind of a JSON value.
public enum JSONKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null
}

/// One value of a scanned event: where its bytes are, and where its subtree ends.
///
/// Offsets are relative to the start of the event (so 32 bits hold any event up to 4 GiB
/// and a token is 16 bytes). Tokens are stored in document order: a container first, then
/// its children; in an object each member is its key (a string token flagged `isKey`)
/// followed by its value.
public struct JSONToken: Sendable, Equatable {
    /// Offset of the value's first byte (the opening quote or bracket).
    public var start: UInt32
    /// Offset just past the value's last byte.
    public var end: UInt32
    /// Index of the first token after this value and all its descendants.
    public var next: UInt32
    /// What kind of value.
    public var kind: JSONKind
    /// `JSONToken.Flags` bits.
    public var flags: UInt8

    /// Flag bits of a token.
    public enum Flags {
        /// The string is an object key.
        public static let isKey: UInt8 = 1
        /// The string contains backslash escapes.
        public static let hasEscapes: UInt8 = 2
        /// The string contains bytes above 0x7F (UTF-8 sequences).
        public static let hasNonASCII: UInt8 = 4
    }

    /// Whether this string token is an object key.
    @inlinable public var isKey: Bool { flags & Flags.isKey != 0 }
    /// Whether this string token contains escapes (and so must be decoded to be read).
    @inlinable public var hasEscapes: Bool { flags & Flags.hasEscapes != 0 }
}

/// Storage for the tokens of one event, reused from event to event.
///
/// A `final class` because it owns a growable buffer of tokens (freed in `deinit`).
/// It is confined to the reader that owns it; `EventReader` hands it out only as part of
/// a `JSONEvent`, which checks `generation` so an event used after the reader moved on
/// fails loudly instead of reading another event's tokens.
public final class JSONTape {
    // `@exclusivity(unchecked)`: these are read once per token on hot paths, and the tape
    // is confined to one reader (never accessed concurrently), so the dynamic exclusivity
    // check class properties pay would only cost time.
    @exclusivity(unchecked) @usableFromInline var tokens: UnsafeMutablePointer<JSONToken>
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    private var stackStorage: UnsafeMutablePointer<Int>?
    private var stackDepth = 0
    /// Number of tokens.
    @exclusivity(unchecked) public internal(set) var count: Int = 0
    /// The input the tokens point into, set by the reader that fills the tape: an event holds
    /// its bytes through its tape (one reference to count when events are passed around,
    /// not two), and `sourceBase` is its first byte. The tape keeps that input alive until a
    /// reader of another input refills it, or the tape is freed (a redactor's tapes, the last
    /// event's or payload's bytes).
    @exclusivity(unchecked) @usableFromInline var source: JSONBytes = JSONTape.noSource
    @exclusivity(unchecked) @usableFromInline var sourceBase: UnsafeMutablePointer<UInt8> = JSONTape.noSource.base
    static let noSource = JSONBytes([UInt8]())
    /// Incremented every time the tape is refilled.
    @exclusivity(unchecked) public internal(set) var generation: UInt64 = 0
    /// The generation in which an object of the event was seen to repeat a key
    /// (`JSONEvent.noteRepeatedKey`).
    @exclusivity(unchecked) @usableFromInline var repeatedKeyGeneration: UInt64 = .max
    /// For `JSONEvent.pointer(to:)`: per large container (by token index), where each of its
    /// members (its key's token) or elements starts, made when first asked for this event.
    private var childStartsCache: [Int: [Int32]] = [:]
    private var childStartsGeneration: UInt64 = 0

    /// The token index of each member (its key) or element of the container at token `i`,
    /// made by `make` when first asked for in this event.
    func childStarts(of i: Int, _ make: () -> [Int32]) -> [Int32] {
        if childStartsGeneration != generation {
            childStartsCache.removeAll(keepingCapacity: true)
            childStartsGeneration = generation
        }
        if let known = childStartsCache[i] { return known }
        let starts = make()
        childStartsCache[i] = starts
        return starts
    }

    /// Creates an empty tape.
    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        self.tokens = .allocate(capacity: self.capacity)
    }

    deinit {
        tokens.deallocate()
        stackStorage?.deallocate()
    }

    /// Scratch space for the scanner's stack of open containers.
    func stack(depth: Int) -> UnsafeMutablePointer<Int> {
        if let s = stackStorage, stackDepth >= depth { return s }
        stackStorage?.deallocate()
        let s = UnsafeMutablePointer<Int>.allocate(capacity: depth + 1)
        stackStorage = s
        stackDepth = depth
        return s
    }

    /// Token `i`.
    @inlinable public subscript(i: Int) -> JSONToken {
        precondition(i >= 0 && i < count, "token index out of range")
        return tokens[i]
    }

    func reset() {
        count = 0
        generation &+= 1
    }
}
