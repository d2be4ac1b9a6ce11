/// One event as scanned: its bytes in the input and its tokens.
///
/// An event borrows the reader's tape. It is valid until the reader reads the next event;
/// using it afterwards stops the program with a clear message (the tape's generation is
/// checked), so stale data can never be read silently. Token indices (`JSONValueRef`) are
/// valid for the event they came from.
public struct JSONEvent {
    /// 0-based position of the event in its input.
    public let index: Int
    /// The event's bytes, as absolute offsets in `bytes`.
    public let range: Range<Int>
    /// The whole input.
    public var bytes: JSONBytes { checkValid(); return tape.source }
    /// For JSON Lines input, the 1-based line the event starts on; nil otherwise.
    public let line: Int?
    @usableFromInline let tape: JSONTape
    @usableFromInline let generation: UInt64

    /// An event of `tape`'s source (`JSONTape.source`, set by the reader).
    init(index: Int, range: Range<Int>, line: Int?, tape: JSONTape) {
        self.index = index
        self.range = range
        self.line = line
        self.tape = tape
        self.generation = tape.generation
    }

    @usableFromInline @inline(__always) func checkValid() {
        // The message is built out of line: an interpolation here would capture (copy) the
        // event at every token read.
        if tape.generation != generation { JSONEvent.usedAfterReaderMovedOn(index) }
    }

    @usableFromInline @inline(never) static func usedAfterReaderMovedOn(_ index: Int) -> Never {
        preconditionFailure("JSONEvent \(index) used after its reader moved on to another event")
    }

    /// Number of tokens (values and keys) in the event.
    public var tokenCount: Int { checkValid(); return tape.count }

    /// Token `i` of the event.
    @inlinable public func token(_ i: Int) -> JSONToken { checkValid(); return tape[i] }

    /// The root value.
    public var root: JSONValueRef { JSONValueRef(index: 0) }

    /// The kind of a value.
    @inlinable public func kind(_ v: JSONValueRef) -> JSONKind { token(v.index).kind }

    /// Absolute byte range of a value (strings include their quotes).
    @inlinable public func byteRange(_ v: JSONValueRef) -> Range<Int> {
        let t = token(v.index)
        return (range.lowerBound + Int(t.start))..<(range.lowerBound + Int(t.end))
    }

    /// The raw bytes of a value, exactly as in the input.
    public func rawBytes(_ v: JSONValueRef) -> [UInt8] { bytes.slice(byteRange(v)) }

    /// Calls `body` with the raw bytes of a value in the input (no copy): a number's text.
    @inlinable public func withRawBytes<R>(_ v: JSONValueRef, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let t = token(v.index)
        return try body(UnsafeRawBufferPointer(start: tape.sourceBase + range.lowerBound + Int(t.start), count: Int(t.end &- t.start)))
    }

    /// The raw bytes of the whole event.
    public var raw: [UInt8] { bytes.slice(range) }

    /// Calls `body` with the bytes of a string value between its quotes, still escaped.
    @inlinable public func withStringBody<R>(_ v: JSONValueRef, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let t = token(v.index)
        precondition(t.kind == .string, "value \(v.index) is not a string")
        let start = range.lowerBound + Int(t.start) + 1
        let end = range.lowerBound + Int(t.end) - 1
        return try body(UnsafeRawBufferPointer(start: tape.sourceBase + start, count: end - start))
    }

    /// The decoded text of a string value (escapes resolved).
    public func string(_ v: JSONValueRef) -> String {
        withStringBody(v) { JSONString.decode(body: $0) }
    }

    /// The decoded UTF-8 bytes of a string value (escapes resolved).
    public func stringBytes(_ v: JSONValueRef) -> [UInt8] {
        withStringBody(v) { body in
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            JSONString.decodeBody(body, into: &out)
            return out
        }
    }

    /// A string value read as a latin-1 "binary string" (each code point one byte), as
    /// PostHog and rrweb's packer store compressed bytes; nil if a code point is above U+00FF.
    public func latin1Bytes(_ v: JSONValueRef) -> [UInt8]? {
        // On the decoded UTF-8 (valid: the scanner checked it): U+0000 to U+007F are one
        // byte, U+0080 to U+00FF two (lead byte 0xC2 or 0xC3), anything above more.
        let utf8 = stringBytes(v)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            if b < 0x80 {
                out.append(b)
                i &+= 1
            } else if (b == 0xC2 || b == 0xC3) && i &+ 1 < utf8.count {
                out.append((b & 0x1F) << 6 | (utf8[i &+ 1] & 0x3F))
                i &+= 2
            } else {
                return nil
            }
        }
        return out
    }

    /// Whether a string value's text equals `text` (compares bytes; decodes only if escaped).
    @inlinable public func string(_ v: JSONValueRef, equals text: StaticString) -> Bool {
        let t = token(v.index)
        guard t.kind == .string else { return false }
        if t.hasEscapes { return stringBytes(v).elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        return plainStringEquals(t, text)
    }

    /// Whether string token `t`, which has no escapes, spells `text`: its stored bytes compared.
    @inlinable @inline(__always) func plainStringEquals(_ t: JSONToken, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        return Int(t.end &- t.start) &- 2 == n && memcmpEqual(tape.sourceBase + range.lowerBound + Int(t.start) + 1, text.utf8Start, n)
    }

    /// Calls `body` with the text of string `v`: its bytes in the input, or its decoded bytes
    /// when it has escapes.
    @inlinable public func withText<R>(_ v: JSONValueRef, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if token(v.index).hasEscapes { return try stringBytes(v).withUnsafeBytes(body) }
        return try withStringBody(v, body)
    }

    /// A number value as `Double`, or nil if the value is not a number.
    public func double(_ v: JSONValueRef) -> Double? {
        guard kind(v) == .number else { return nil }
        // Integers of up to 15 digits (timestamps, ids) convert exactly: no text to parse.
        // Not "-0", which is the Double -0.0.
        let t = token(v.index)
        if t.end &- t.start <= 15, let i = int(v), i != 0 || tape.sourceBase[range.lowerBound + Int(t.start)] != UInt8(ascii: "-") {
            return Double(i)
        }
        return Double(String(decoding: rawBytes(v), as: UTF8.self))
    }

    /// A number value as `Int` when its value is an integer that fits, else nil. An integer
    /// written with a fraction or an exponent (`5.0`, `2e0`, `20E-1`) counts, as it does in
    /// JavaScript, where `5.0 === 5`: the player reads an event's type, source or node id
    /// so, and so must the redactor. Integer text is read exactly (no detour through `Double`).
    public func int(_ v: JSONValueRef) -> Int? {
        let t = token(v.index)
        guard t.kind == .number else { return nil }
        let p = tape.sourceBase + range.lowerBound
        var i = Int(t.start)
        let end = Int(t.end)
        let negative = p[i] == UInt8(ascii: "-")
        if negative { i &+= 1 }
        // Up to 18 digits cannot overflow: no check per digit (ids and timestamps).
        if end &- i <= 18 {
            var value = 0
            while i < end {
                let d = p[i] &- 0x30
                guard d < 10 else { return integralValue(v) } // a fraction or exponent
                value = value &* 10 &+ Int(d)
                i &+= 1
            }
            return negative ? -value : value
        }
        // Accumulated as a negative number, so Int.min fits.
        var value = 0
        while i < end {
            let d = p[i] &- 0x30
            guard d < 10 else { return integralValue(v) }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int(d))
            if o1 || o2 { return nil }
            value = s
            i &+= 1
        }
        if negative { return value }
        return value == Int.min ? nil : -value
    }

    /// The value of number text with a fraction or an exponent, when it is an integer that
    /// fits in `Int`.
    @inline(never)
    func integralValue(_ v: JSONValueRef) -> Int? {
        Double(String(decoding: rawBytes(v), as: UTF8.self)).flatMap { Int(exactly: $0) }
    }

    /// A member name for `membersAllNamed`: its length and first 16 bytes (little-endian, zero
    /// past the name).
    public struct KeyName: Sendable, Equatable {
        public let count: Int, lo: UInt64, hi: UInt64
        public init(_ name: StaticString) {
            self.init(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))!
        }

        /// The name spelled by `bytes`; nil past 16 bytes (no name is that long).
        public init?(_ bytes: some Collection<UInt8>) {
            guard bytes.count <= 16 else { return nil }
            var lo: UInt64 = 0, hi: UInt64 = 0
            for (k, b) in bytes.enumerated() {
                if k < 8 { lo |= UInt64(b) << (8 * UInt64(k)) } else { hi |= UInt64(b) << (8 * UInt64(k - 8)) }
            }
            (count, self.lo, self.hi) = (bytes.count, lo, hi)
        }
    }

    /// Whether every member of `object` (an object) is named in `names`: one tight pass over
    /// its keys, so that readers can ask it of every event. A key with escapes or of more
    /// than 16 bytes is never named.
    @inlinable public func membersAllNamed(_ object: JSONValueRef, _ names: [KeyName]) -> Bool {
        checkValid()
        let tokens = tape.tokens
        let end = Int(tokens[object.index].next)
        let base = UnsafeRawPointer(tape.sourceBase + range.lowerBound + 1)
        return names.withUnsafeBufferPointer { names in
            var i = object.index + 1
            while i < end {
                let t = tokens[i]
                let n = Int(t.end &- t.start) &- 2
                guard !t.hasEscapes, n <= 16 else { return false }
                let p = base + Int(t.start)
                var lo = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                var hi = UInt64(littleEndian: (p + 8).loadUnaligned(as: UInt64.self))
                if n < 8 { lo &= (1 << (8 &* UInt64(n))) &- 1; hi = 0 } else if n < 16 { hi &= (1 << (8 &* UInt64(n &- 8))) &- 1 }
                var named = false
                for name in names where name.count == n && name.lo == lo && name.hi == hi { named = true; break }
                if !named { return false }
                i = Int(tokens[i + 1].next)
            }
            return true
        }
    }

    /// Whether `v` or a value below it is a string (keys aside).
    @inlinable public func holdsString(_ v: JSONValueRef) -> Bool {
        checkValid()
        let tokens = tape.tokens
        let end = Int(tokens[v.index].next)
        var i = v.index
        while i < end {
            if tokens[i].kind == .string && !tokens[i].isKey { return true }
            i &+= 1
        }
        return false
    }

    /// Member `key` of `object` as `Int` (`member` then `int`), or nil. Prefer it to
    /// `member(key, of:).flatMap(e.int)`: the partial application `e.int` copies the event
    /// (two retains and releases) on every call.
    @inlinable @inline(__always) public func int(_ key: StaticString, of object: JSONValueRef) -> Int? {
        guard let v = member(key, of: object) else { return nil }
        return int(v)
    }

    /// Member `key` of `object` as `Double`, or nil.
    @inlinable public func double(_ key: StaticString, of object: JSONValueRef) -> Double? {
        guard let v = member(key, of: object) else { return nil }
        return double(v)
    }

    /// The value of member `key` in object `object`, or nil. When the object repeats the key,
    /// the last member's, as `JSON.parse` (and so a replay player) reads it; the event then
    /// notes it (`sawRepeatedKey`).
    @inlinable @inline(__always) public func member(_ key: StaticString, of object: JSONValueRef) -> JSONValueRef? {
        let t = token(object.index)
        guard t.kind == .object else { return nil }
        let tokens = tape.tokens
        var i = object.index + 1
        let end = Int(t.next)
        let n = key.utf8CodeUnitCount
        var found: JSONValueRef?
        if n <= 8 {
            // A key of up to eight bytes (nearly all of them) compared as one word: the
            // padding after the input (`JSONBytes.padding`) makes the eight-byte load safe.
            var want: UInt64 = 0
            for j in 0..<n { want |= UInt64(key.utf8Start[j]) << (8 &* UInt64(j)) }
            let mask: UInt64 = n == 8 ? ~0 : (1 << (8 &* UInt64(n))) &- 1
            let base = UnsafeRawPointer(tape.sourceBase + range.lowerBound + 1)
            while i < end {
                let k = tokens[i]
                if k.hasEscapes ? string(JSONValueRef(index: i), equals: key)
                    : Int(k.end &- k.start) &- 2 == n && UInt64(littleEndian: (base + Int(k.start)).loadUnaligned(as: UInt64.self)) & mask == want {
                    if found != nil { noteRepeatedKey() }
                    found = JSONValueRef(index: i + 1)
                }
                i = Int(tokens[i + 1].next)
            }
            return found
        }
        while i < end {
            // Unescaped keys compared inline: lookups run for every event and node.
            let k = tokens[i]
            if k.hasEscapes ? string(JSONValueRef(index: i), equals: key) : plainStringEquals(k, key) {
                if found != nil { noteRepeatedKey() }
                found = JSONValueRef(index: i + 1)
            }
            i = Int(tokens[i + 1].next)
        }
        return found
    }

    /// Whether an object of this event was seen to repeat a key: by `member`, or by a reader
    /// that went through an object's members (`noteRepeatedKey`). `shadowedKeys` lists them.
    public var sawRepeatedKey: Bool { checkValid(); return tape.repeatedKeyGeneration == generation }

    /// Records that an object of this event repeats a key.
    @inlinable public func noteRepeatedKey() { tape.repeatedKeyGeneration = generation }

    /// Member `key` of `object` when it is of kind `wanted`, or nil (absent, or of another
    /// kind: what a malformed event holds where a string or a list belongs).
    @inlinable @inline(__always) public func member(_ key: StaticString, of object: JSONValueRef, kind wanted: JSONKind) -> JSONValueRef? {
        guard let v = member(key, of: object), kind(v) == wanted else { return nil }
        return v
    }

    /// The children of an array, or the member values of an object, in order.
    public func children(of container: JSONValueRef) -> [JSONValueRef] {
        let t = token(container.index)
        var out: [JSONValueRef] = []
        var i = container.index + 1
        let end = Int(t.next)
        while i < end {
            if t.kind == .object { i += 1 } // skip the key
            out.append(JSONValueRef(index: i))
            i = Int(tape[i].next)
        }
        return out
    }

    /// The children of an array, or the member values of an object, in order, as a sequence
    /// that builds no array and holds no reference (so a loop over it copies nothing, where a
    /// closure passed to `forEachChild` captures a copy of the event). Valid while the event is.
    @inlinable public func elements(of container: JSONValueRef) -> JSONElements {
        let t = token(container.index)
        let isContainer = t.kind == .object || t.kind == .array
        return JSONElements(tokens: tape.tokens, next: container.index + 1, end: isContainer ? Int(t.next) : 0,
                            skipsKeys: t.kind == .object)
    }

    /// The (key, value) members of an object, in order, as a sequence that builds no array and
    /// holds no reference (see `elements(of:)`). Empty for any other value.
    @inlinable public func membersInPlace(of object: JSONValueRef) -> JSONMembers {
        let t = token(object.index)
        return JSONMembers(tokens: tape.tokens, next: object.index + 1, end: t.kind == .object ? Int(t.next) : 0)
    }

    /// Calls `body` with each child of an array (or member value of an object), in order,
    /// without building an array.
    @inlinable
    public func forEachChild(of container: JSONValueRef, _ body: (JSONValueRef) throws -> Void) rethrows {
        let t = token(container.index)
        guard t.kind == .object || t.kind == .array else { return }
        var i = container.index + 1
        let end = Int(t.next)
        while i < end {
            if t.kind == .object { i += 1 }
            try body(JSONValueRef(index: i))
            i = Int(token(i).next)
        }
    }

    /// Calls `body` with each (key, value) member of an object, in order, without building an array.
    @inlinable
    public func forEachMember(of object: JSONValueRef, _ body: (_ key: JSONValueRef, _ value: JSONValueRef) throws -> Void) rethrows {
        let t = token(object.index)
        guard t.kind == .object else { return }
        var i = object.index + 1
        let end = Int(t.next)
        while i < end {
            try body(JSONValueRef(index: i), JSONValueRef(index: i + 1))
            i = Int(token(i + 1).next)
        }
    }

    /// Whether a string value's text equals `text` ignoring ASCII case (raw bytes compared;
    /// a string with escapes is decoded first).
    @inlinable public func string(_ v: JSONValueRef, equalsIgnoringASCIICase text: StaticString) -> Bool {
        let t = token(v.index)
        guard t.kind == .string else { return false }
        let n = text.utf8CodeUnitCount
        if !t.hasEscapes && Int(t.end &- t.start) &- 2 != n { return false }
        let p = text.utf8Start
        @inline(__always) func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        if t.hasEscapes {
            let bytes = stringBytes(v)
            return bytes.count == n && (0..<n).allSatisfy { fold(bytes[$0]) == fold(p[$0]) }
        }
        return withStringBody(v) { body in
            guard body.count == n else { return false }
            for k in 0..<n where fold(body[k]) != fold(p[k]) { return false }
            return true
        }
    }

    /// The members of an object as (key, value) pairs, in order.
    public func members(of object: JSONValueRef) -> [(key: JSONValueRef, value: JSONValueRef)] {
        let t = token(object.index)
        guard t.kind == .object else { return [] }
        var out: [(JSONValueRef, JSONValueRef)] = []
        var i = object.index + 1
        let end = Int(t.next)
        while i < end {
            out.append((JSONValueRef(index: i), JSONValueRef(index: i + 1)))
            i = Int(tape[i + 1].next)
        }
        return out
    }

    /// Resolves an RFC 6901 JSON pointer ("" is the root; "/data/node/childNodes/0").
    public func value(at pointer: JSONPointer) -> JSONValueRef? {
        checkValid()
        var current = root
        for component in pointer.components {
            let t = tape[current.index]
            switch t.kind {
            case .object:
                var found: JSONValueRef?
                var i = current.index + 1
                let end = Int(t.next)
                let wanted = Array(component.utf8)
                while i < end {
                    if stringBytes(JSONValueRef(index: i)) == wanted { found = JSONValueRef(index: i + 1); break }
                    i = Int(tape[i + 1].next)
                }
                guard let found else { return nil }
                current = found
            case .array:
                guard let n = Int(component), n >= 0, String(n) == component else { return nil }
                var i = current.index + 1
                let end = Int(t.next)
                var k = 0
                while i < end && k < n { i = Int(tape[i].next); k += 1 }
                guard i < end else { return nil }
                current = JSONValueRef(index: i)
            default:
                return nil
            }
        }
        return current
    }

    /// The JSON pointer of `target`, found by descending from the root through the containers
    /// whose token span holds it (meant for findings, not hot loops). A small container's
    /// children are passed over one by one; a large one's are found by a binary search over
    /// where they start (kept on the tape for the event), so that many findings among many
    /// siblings (a page of 100,000 list items) cost no time quadratic in the siblings.
    public func pointer(to target: JSONValueRef) -> JSONPointer {
        checkValid()
        var components: [String] = []
        var current = 0
        while current != target.index {
            let t = tape[current]
            guard t.kind == .object || t.kind == .array, target.index < Int(t.next) else { break }
            if Int(t.next) - current > 256 {
                let starts = tape.childStarts(of: current) {
                    // An object's member starts at its key, the token before its value.
                    children(of: JSONValueRef(index: current)).map { Int32(t.kind == .object ? $0.index - 1 : $0.index) }
                }
                // The last child starting at or before the target holds it.
                let lo = partitionPoint(starts.count) { Int(starts[$0]) <= target.index }
                guard lo > 0 else { break }
                let i = Int(starts[lo - 1])
                components.append(t.kind == .object ? string(JSONValueRef(index: i)) : String(lo - 1))
                // A target that is an object's key is not inside the member's value.
                guard t.kind == .array || i != target.index else { break }
                current = t.kind == .object ? i + 1 : i
                continue
            }
            var i = current + 1
            var n = 0
            while i < Int(t.next) {
                let valueIndex = t.kind == .object ? i + 1 : i
                let end = Int(tape[valueIndex].next)
                if target.index < end {
                    components.append(t.kind == .object ? string(JSONValueRef(index: i)) : String(n))
                    i = valueIndex
                    break
                }
                i = end
                n += 1
            }
            guard i < Int(t.next), i != current else { break }
            current = i
        }
        return JSONPointer(components: components)
    }

    /// Visits every value of the event in document order, depth first, with its path.
    /// Object keys are not visited as values; they are the path's components.
    /// The path passed to `body` is only valid during the call.
    public func forEachValue(_ body: (JSONValueRef, JSONPath) throws -> Void) rethrows {
        checkValid()
        var path = JSONPath(event: self)
        struct Frame { var isObject: Bool; var end: Int; var nextIndex: Int }
        var stack: [Frame] = []
        let rootToken = tape.tokens[0]
        try body(root, path)
        guard rootToken.kind == .object || rootToken.kind == .array else { return }
        stack.append(Frame(isObject: rootToken.kind == .object, end: Int(rootToken.next), nextIndex: 0))
        var i = 1
        while let top = stack.last {
            if i >= top.end {
                // The container closes; drop the component that led to it (the root has none).
                stack.removeLast()
                if !stack.isEmpty { path.components.removeLast() }
                continue
            }
            if top.isObject {
                path.components.append(.key(i)) // token i is the member's key
                i += 1
            } else {
                path.components.append(.index(top.nextIndex))
                stack[stack.count - 1].nextIndex += 1
            }
            let t = tape.tokens[i]
            try body(JSONValueRef(index: i), path)
            if t.kind == .object || t.kind == .array {
                stack.append(Frame(isObject: t.kind == .object, end: Int(t.next), nextIndex: 0))
            } else {
                path.components.removeLast()
            }
            i += 1
        }
    }
}

@usableFromInline @inline(__always) func memcmpEqual(_ a: UnsafeRawPointer?, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    guard let a else { return n == 0 }
    let pa = a.assumingMemoryBound(to: UInt8.self)
    for k in 0..<n where pa[k] != b[k] { return false }
    return true
}

/// A value inside a `JSONEvent`: the index of its token.
public struct JSONValueRef: Hashable, Sendable {
    /// Index of the value's token on the event's tape.
    public let index: Int
    /// Wraps a token index.
    public init(index: Int) { self.index = index }
}

/// The children of a container (`JSONEvent.elements(of:)`): token indices read off the tape.
public struct JSONElements: Sequence, IteratorProtocol {
    @usableFromInline let tokens: UnsafeMutablePointer<JSONToken>
    @usableFromInline var nextIndex: Int
    @usableFromInline let end: Int
    @usableFromInline let skipsKeys: Bool

    @inlinable init(tokens: UnsafeMutablePointer<JSONToken>, next: Int, end: Int, skipsKeys: Bool) {
        self.tokens = tokens
        self.nextIndex = next
        self.end = end
        self.skipsKeys = skipsKeys
    }

    @inlinable public mutating func next() -> JSONValueRef? {
        guard nextIndex < end else { return nil }
        let v = skipsKeys ? nextIndex + 1 : nextIndex
        nextIndex = Int(tokens[v].next)
        return JSONValueRef(index: v)
    }
}

/// The members of an object (`JSONEvent.membersInPlace(of:)`).
public struct JSONMembers: Sequence, IteratorProtocol {
    @usableFromInline let tokens: UnsafeMutablePointer<JSONToken>
    @usableFromInline var nextIndex: Int
    @usableFromInline let end: Int

    @inlinable init(tokens: UnsafeMutablePointer<JSONToken>, next: Int, end: Int) {
        self.tokens = tokens
        self.nextIndex = next
        self.end = end
    }

    @inlinable public mutating func next() -> (key: JSONValueRef, value: JSONValueRef)? {
        guard nextIndex < end else { return nil }
        let k = nextIndex
        nextIndex = Int(tokens[k + 1].next)
        return (JSONValueRef(index: k), JSONValueRef(index: k + 1))
    }
}
