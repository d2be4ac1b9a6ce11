/// Replacements to make in one event: byte ranges of the input and their new bytes.
///
/// Replacement bytes live in one shared arena, so recording an edit allocates nothing in
/// the common case. Edits may be added in any order; when two overlap, the one that starts
/// first wins and the other is dropped (replacing a container and something inside it
/// keeps the container's replacement). Member removals are resolved together per object.
public struct JSONEdits {
    struct Edit { var start: Int; var end: Int; var from: Int; var to: Int }
    var edits: [Edit] = []
    var arena: [UInt8] = []

    /// No edits.
    public init() {}

    /// Number of edits recorded.
    public var count: Int { edits.count }
    /// Whether no edit is recorded.
    public var isEmpty: Bool { edits.isEmpty && removals.isEmpty }

    /// A point to roll back to (`rollBack(to:)`).
    public struct Mark {
        let edits: Int, arena: Int
        let removals: [ObjectRemovals]
    }

    /// The edits so far.
    public var mark: Mark { Mark(edits: edits.count, arena: arena.count, removals: removals) }

    /// Forgets the edits made since `mark` (a body dropped whole after some of its values
    /// were rewritten).
    public mutating func rollBack(to mark: Mark) {
        edits.removeLast(edits.count - mark.edits)
        arena.removeLast(arena.count - mark.arena)
        removals = mark.removals
    }

    /// Whether no edit recorded so far changes a byte of `range` (absolute offsets) and no
    /// member removal is pending (`JSONRewriter.apply` resolves them): then the value there
    /// is in the output as it is in the input.
    public func leaves(_ range: Range<Int>) -> Bool {
        removals.isEmpty && !edits.contains { $0.start < range.upperBound && range.lowerBound < $0.end }
    }

    /// Forgets every edit, keeping the memory for reuse.
    public mutating func removeAll() {
        removals.removeAll(keepingCapacity: true)
        edits.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }

    /// Replaces the absolute byte range `range` with raw bytes (which must be valid JSON in place).
    public mutating func replace(_ range: Range<Int>, withRawJSON bytes: some Collection<UInt8>) {
        let from = arena.count
        let appended: Void? = bytes.withContiguousStorageIfAvailable { arena.append(contentsOf: $0) }
        if appended == nil { arena.append(contentsOf: bytes) }
        edits.append(Edit(start: range.lowerBound, end: range.upperBound, from: from, to: arena.count))
    }

    /// Replaces a value of `event` with raw JSON bytes.
    public mutating func replace(_ value: JSONValueRef, in event: JSONEvent, withRawJSON bytes: some Collection<UInt8>) {
        replace(event.byteRange(value), withRawJSON: bytes)
    }

    /// Replaces a value of `event` (typically a string) with a string holding `text`, encoded
    /// as JSON (quotes and escapes added here).
    public mutating func replace(_ value: JSONValueRef, in event: JSONEvent, withString text: String) {
        replace(value, in: event, withStringUTF8: text.utf8)
    }

    /// Replaces a value of `event` with a string whose UTF-8 is `utf8` (the fast path).
    public mutating func replace(_ value: JSONValueRef, in event: JSONEvent, withStringUTF8 utf8: [UInt8]) {
        let r = event.byteRange(value)
        let from = arena.count
        utf8.withUnsafeBytes { JSONString.encode(utf8: $0, into: &arena) }
        edits.append(Edit(start: r.lowerBound, end: r.upperBound, from: from, to: arena.count))
    }

    /// Replaces a value of `event` with a string whose UTF-8 is `utf8`.
    public mutating func replace<S: Sequence>(_ value: JSONValueRef, in event: JSONEvent, withStringUTF8 utf8: S) where S.Element == UInt8 {
        let r = event.byteRange(value)
        let from = arena.count
        JSONString.encode(utf8: utf8, into: &arena)
        edits.append(Edit(start: r.lowerBound, end: r.upperBound, from: from, to: arena.count))
    }

    /// Members (or array elements) to remove from one container, resolved into deletions by
    /// `normalize()` once every removal in it is known.
    struct ObjectRemovals {
        /// The container's first byte (which container it is).
        let start: Int
        /// (key start, value end) of every member, in order; for an array, (element start,
        /// element end).
        var members: [(keyStart: Int, valueEnd: Int)]
        /// Offsets just inside the braces or brackets.
        var inner: Range<Int>
        /// Per member, whether it goes; and how many do.
        var removed: [Bool]
        var removedCount = 0

        init(start: Int, members: [(keyStart: Int, valueEnd: Int)], inner: Range<Int>) {
            self.start = start
            self.members = members
            self.inner = inner
            removed = Array(repeating: false, count: members.count)
        }

        mutating func remove(startingAt start: Int) {
            // Entries are in document order: a binary search (a container may have thousands,
            // each removed).
            let lo = partitionPoint(members.count) { members[$0].keyStart < start }
            guard lo < members.count, members[lo].keyStart == start, !removed[lo] else { return }
            removed[lo] = true
            removedCount += 1
        }
    }
    /// The containers an entry is removed from, in the order first met (an event has few: a
    /// list, not a dictionary to allocate and hash).
    var removals: [ObjectRemovals] = []

    /// Removes `element` from `array`, with the comma that separates it from its neighbours,
    /// so the array stays valid JSON (the same rules as `removeMember`).
    public mutating func removeElement(_ element: JSONValueRef, of array: JSONValueRef, in event: JSONEvent) {
        remove(startingAt: event.byteRange(element).lowerBound, from: array, in: event)
    }

    /// Marks the entry of `container` that starts at `start` removed; the container's entries
    /// are listed the first time one of them is.
    private mutating func remove(startingAt start: Int, from container: JSONValueRef, in event: JSONEvent) {
        let r = event.byteRange(container)
        if let k = removals.firstIndex(where: { $0.start == r.lowerBound }) {
            removals[k].remove(startingAt: start)
        } else {
            var o = ObjectRemovals(start: r.lowerBound, members: JSONEdits.entries(of: container, in: event),
                                   inner: (r.lowerBound + 1)..<(r.upperBound - 1))
            o.remove(startingAt: start)
            removals.append(o)
        }
    }

    /// Removes the member whose key is `key` from `object`, with the comma that separates it
    /// from its neighbours, so the object stays valid JSON. Several members of one object may
    /// be removed, in any order; each remaining byte is kept.
    public mutating func removeMember(key: JSONValueRef, of object: JSONValueRef, in event: JSONEvent) {
        remove(startingAt: event.byteRange(key).lowerBound, from: object, in: event)
    }

    /// (key start, value end) of each member of an object, or (start, end) of each element
    /// of an array, in one pass over the tape.
    static func entries(of container: JSONValueRef, in event: JSONEvent) -> [(keyStart: Int, valueEnd: Int)] {
        var entries: [(keyStart: Int, valueEnd: Int)] = []
        entries.reserveCapacity(8)
        if event.kind(container) == .object {
            for (key, value) in event.membersInPlace(of: container) {
                entries.append((event.byteRange(key).lowerBound, event.byteRange(value).upperBound))
            }
        } else {
            for element in event.elements(of: container) {
                let r = event.byteRange(element)
                entries.append((r.lowerBound, r.upperBound))
            }
        }
        return entries
    }

    /// Turns member removals into deletions: each run of removed members goes with the comma
    /// after it (up to the next kept key), or, at the end of the object, the comma before it.
    mutating func resolveRemovals() {
        for o in removals {
            let m = o.members
            if o.removedCount == m.count {
                delete(o.inner)
                continue
            }
            var i = 0
            while i < m.count {
                guard o.removed[i] else { i += 1; continue }
                var j = i
                while j + 1 < m.count && o.removed[j + 1] { j += 1 }
                if j + 1 < m.count {
                    delete(m[i].keyStart..<m[j + 1].keyStart)
                } else {
                    delete(m[i - 1].valueEnd..<m[j].valueEnd)
                }
                i = j + 1
            }
        }
        removals.removeAll(keepingCapacity: true)
    }

    /// Deletes the absolute byte range `range`.
    mutating func delete(_ range: Range<Int>) {
        edits.append(Edit(start: range.lowerBound, end: range.upperBound, from: arena.count, to: arena.count))
    }

    /// Sorts the edits and drops overlaps.
    mutating func normalize() {
        if !removals.isEmpty { resolveRemovals() }
        // Stable: of two edits starting at one offset, the one recorded first wins. An event
        // mostly has few edits, nearly in order: an insertion sort in place. With many (a full
        // snapshot with thousands of blocked elements), a sort that stays n log n.
        if edits.count <= 64 {
            edits.withUnsafeMutableBufferPointer { e in
                var k = 1
                while k < e.count {
                    let x = e[k]
                    var j = k
                    while j > 0 && e[j - 1].start > x.start {
                        e[j] = e[j - 1]
                        j -= 1
                    }
                    if j != k { e[j] = x }
                    k += 1
                }
            }
        } else if zip(edits, edits.dropFirst()).contains(where: { $0.start > $1.start }) {
            edits = edits.enumerated().sorted { $0.element.start != $1.element.start ? $0.element.start < $1.element.start : $0.offset < $1.offset }.map(\.element)
        }
        // Overlaps dropped in place (a `for e in edits` loop would hold the array while it is
        // written, and so copy it).
        let kept = edits.withUnsafeMutableBufferPointer { e -> Int in
            var kept = 0
            var lastEnd = Int.min
            for k in 0..<e.count where e[k].start >= lastEnd {
                e[kept] = e[k]
                kept += 1
                lastEnd = e[k].end
            }
            return kept
        }
        edits.removeLast(edits.count - kept)
    }
}

/// Writes a rewritten copy of an input: untouched bytes copied verbatim, edited ranges replaced.
///
/// Invariant: with no edits, the output is byte-identical to the input, separators,
/// whitespace, number spellings and key order included. Output is buffered and passed to
/// `sink` in large blocks; runs of untouched bytes longer than the buffer go to the sink
/// directly, without an extra copy.
public struct JSONRewriter {
    /// The input being rewritten.
    public let source: JSONBytes
    /// Offset of the first input byte not yet written.
    public private(set) var cursor = 0
    /// Bytes written so far.
    public private(set) var bytesWritten = 0
    private var buffer: [UInt8] = []
    private let bufferSize: Int
    private let sink: (UnsafeRawBufferPointer) throws -> Void

    /// A rewriter over `source` that hands its output to `sink`.
    public init(source: JSONBytes, bufferSize: Int = 1 << 20, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.source = source
        self.bufferSize = bufferSize
        self.sink = sink
        buffer.reserveCapacity(bufferSize)
    }

    private mutating func emit(_ p: UnsafeRawPointer, _ n: Int) throws {
        if n == 0 { return }
        if buffer.count + n > bufferSize {
            try flush()
            if n >= bufferSize {
                try sink(UnsafeRawBufferPointer(start: p, count: n))
                bytesWritten += n
                return
            }
        }
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        bytesWritten += n
    }

    /// Copies input bytes up to `offset` unchanged.
    public mutating func copy(upTo offset: Int) throws {
        precondition(offset >= cursor && offset <= source.count, "copy(upTo:) must move forward within the input")
        try emit(source.base + cursor, offset - cursor)
        cursor = offset
    }

    /// Writes the input up to the end of the last edit, applying `edits` (which must all lie
    /// after the cursor). Bytes before the first edit are copied unchanged.
    public mutating func apply(_ edits: inout JSONEdits) throws {
        edits.normalize()
        for e in edits.edits {
            precondition(e.start >= cursor, "edits must come after what was already written")
            try copy(upTo: e.start)
            try edits.arena.withUnsafeBytes { arena in
                try emit(arena.baseAddress! + e.from, e.to - e.from)
            }
            cursor = e.end
        }
    }

    /// Copies the rest of the input and flushes everything to the sink.
    public mutating func finish() throws {
        try copy(upTo: source.count)
        try flush()
    }

    /// Hands buffered output to the sink.
    public mutating func flush() throws {
        if buffer.isEmpty { return }
        try buffer.withUnsafeBytes { try sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The bytes of `range` of `source` with `edits` applied (edits must lie inside `range`).
    public static func apply(_ edits: inout JSONEdits, to source: JSONBytes, range: Range<Int>) -> [UInt8] {
        edits.normalize()
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var cursor = range.lowerBound
        for e in edits.edits {
            precondition(e.start >= cursor && e.end <= range.upperBound, "edit outside the range")
            source.withBytes(cursor..<e.start) { out.append(contentsOf: $0) }
            edits.arena.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[e.from..<e.to])) }
            cursor = e.end
        }
        source.withBytes(cursor..<range.upperBound) { out.append(contentsOf: $0) }
        return out
    }

    /// Rewrites `source` in memory, letting `edit` record edits for each event; returns the output.
    public static func rewrite(_ source: JSONBytes, edit: (JSONEvent, inout JSONEdits) throws -> Void) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(source.count)
        try rewrite(source, edit: edit) { output.append(contentsOf: $0) }
        return output
    }

    /// Rewrites `source`, letting `edit` record edits for each event, passing output to `sink`.
    public static func rewrite(_ source: JSONBytes, edit: (JSONEvent, inout JSONEdits) throws -> Void,
                               sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        var reader = try EventReader(bytes: source)
        var rewriter = JSONRewriter(source: source, sink: sink)
        var edits = JSONEdits()
        while let event = try reader.next() {
            edits.removeAll()
            try edit(event, &edits)
            if !edits.isEmpty { try rewriter.apply(&edits) }
        }
        try rewriter.finish()
    }
}
