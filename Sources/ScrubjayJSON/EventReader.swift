#if canImport(Glibc)
import Glibc
#endif

/// Reads the events of a recording one at a time, straight from its bytes.
///
/// The layout is detected from the content:
/// - `.array`: one top-level JSON array; each element is an event (rrweb's `JSON.stringify(events)`).
/// - `.lines`: JSON Lines; each line holds one value (rrweb JSONL, PostHog blob files).
///   Blank lines are skipped; a line that holds more than one value is an error.
/// - `.single`: one top-level value that is not an array (an object such as a PostHog
///   export or `{"result": [...]}`): it is the only event. Formats unwrap it further.
///
/// Detection: if the first line holds a complete value and more values follow on later
/// lines, the input is JSON Lines; otherwise it is one document. A leading UTF-8 byte order
/// mark is accepted (and kept by the rewriter, like every byte outside the events).
///
/// Nothing is materialised: `next()` scans one event onto a reused tape.
public struct EventReader {
    /// How events are laid out in the input.
    public enum Layout: String, Sendable {
        case array, lines, single
    }

    /// The input.
    public let bytes: JSONBytes
    /// The detected layout.
    public let layout: Layout
    /// Deepest nesting accepted.
    public let maxDepth: Int
    /// Offset of the next unread byte.
    public private(set) var position: Int
    /// Number of events read so far.
    public private(set) var eventCount = 0
    private var finished = false
    private var line = 1 // for .lines: the line `position` is on
    private let tape: JSONTape

    /// Prepares to read `bytes`; detects the layout (or takes `layout`: `.single` reads one
    /// JSON document whatever it holds, such as a request body) and checks the document
    /// starts well. `tape` reuses the storage of a reader that is done (many small documents
    /// read one after another, such as bodies inside strings): the events of that reader are
    /// invalid from the first `next()` of this one. `tapeCapacity` (tokens; the tape grows as
    /// needed) defaults to what a document of this size may hold, up to 4096: reading one
    /// small event allocates a small tape, not 64 KiB.
    public init(bytes: JSONBytes, maxDepth: Int = JSONLimits.maxDepth, layout forced: Layout? = nil, tapeCapacity: Int? = nil,
                tape: JSONTape? = nil) throws(JSONError) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.tape = tape ?? JSONTape(capacity: tapeCapacity ?? min(4096, bytes.count / 2 + 16))
        let p = bytes.base
        var i = 0
        if bytes.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        while JSONScanner.isWhitespace(p[i]) { i += 1 }
        if i >= bytes.count {
            throw JSONError(.empty, detail: "the input holds no JSON value", offset: i, eventIndex: nil, in: bytes)
        }
        let layout = forced ?? EventReader.detectLayout(bytes, firstValue: i, maxDepth: maxDepth)
        self.layout = layout
        self.position = i
        switch layout {
        case .array:
            position = i + 1
            while JSONScanner.isWhitespace(p[position]) { position += 1 }
            if p[position] == UInt8(ascii: "]") {
                position += 1
                finished = true
                try checkTrailing()
            }
        case .lines:
            line = 1 + EventReader.countNewlines(UnsafePointer(p), 0, i)
        case .single:
            break
        }
    }

    /// Cheap layout detection: the first line decides, and only the first line is scanned.
    static func detectLayout(_ bytes: JSONBytes, firstValue i: Int, maxDepth: Int) -> Layout {
        let p = bytes.base
        let count = bytes.count
        // The first newline after the first value starts.
        let newline: Int
        if let hit = memchr(p + i, 0x0A, count - i) {
            newline = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - p
        } else {
            newline = count
        }
        var rest = newline
        while JSONScanner.isWhitespace(p[rest]) { rest += 1 }
        let moreAfterFirstLine = rest < count
        if moreAfterFirstLine {
            // Does the first line end with what closes a value, and hold one complete value?
            var last = newline - 1
            while last > i && JSONScanner.isWhitespace(p[last]) { last -= 1 }
            let closer = p[last]
            let plausible = closer == UInt8(ascii: "}") || closer == UInt8(ascii: "]") || closer == UInt8(ascii: "\"")
                || JSONScanner.isDigit(closer) || closer == UInt8(ascii: "e") || closer == UInt8(ascii: "l")
            if plausible {
                // Scan a padded copy of the first line only, so a long document is not scanned twice.
                let firstLine = JSONBytes(bytes.slice(i..<(last + 1)))
                let probe = JSONTape(capacity: 256)
                var scanner = JSONScanner(bytes: firstLine, tape: probe, maxDepth: maxDepth)
                let end = try? scanner.scanValue(at: 0)
                scanner.store(into: probe)
                if end == firstLine.count {
                    return .lines
                }
            }
        }
        return p[i] == UInt8(ascii: "[") ? .array : .single
    }

    static func countNewlines(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var n = 0
        var k = from
        while k < to { if p[k] == 0x0A { n += 1 }; k += 1 }
        return n
    }

    private func error(_ kind: JSONError.Kind, _ detail: String, at offset: Int, event: Int?) -> JSONError {
        JSONError(kind, detail: detail, offset: offset, eventIndex: event, in: bytes)
    }

    private mutating func checkTrailing() throws(JSONError) {
        let p = bytes.base
        while JSONScanner.isWhitespace(p[position]) { position += 1 }
        if position < bytes.count {
            throw error(.trailingData, "unexpected data after the end of the document", at: position, event: nil)
        }
    }

    /// Reads the next event, or returns nil at the end of the input.
    ///
    /// The returned event is valid until the next call.
    public mutating func next() throws(JSONError) -> JSONEvent? {
        if finished { return nil }
        let p = bytes.base
        if layout == .lines {
            // Skip blank lines, counting them.
            while JSONScanner.isWhitespace(p[position]) {
                if p[position] == 0x0A { line += 1 }
                position += 1
            }
            if position >= bytes.count { finished = true; return nil }
        }
        let start = position
        let index = eventCount
        tape.reset()
        // In an array layout the top-level array is one level of nesting already.
        var scanner = JSONScanner(bytes: bytes, tape: tape, maxDepth: maxDepth, outerDepth: layout == .array ? 1 : 0)
        let end: Int
        do {
            end = try scanner.scanValue(at: start)
            scanner.store(into: tape)
        } catch let f {
            scanner.store(into: tape)
            finished = true
            throw error(f.kind, f.detail, at: f.offset, event: index)
        }
        if end - start > JSONLimits.maxEventBytes {
            finished = true
            throw error(.eventTooLarge, "an event larger than 4 GiB", at: start, event: index)
        }
        eventCount += 1
        position = end
        let eventLine: Int?
        switch layout {
        case .array:
            eventLine = nil
            while JSONScanner.isWhitespace(p[position]) { position += 1 }
            let c = p[position]
            if c == UInt8(ascii: ",") {
                let comma = position
                position += 1
                while JSONScanner.isWhitespace(p[position]) { position += 1 }
                if p[position] == UInt8(ascii: "]") {
                    finished = true
                    throw error(.trailingComma, "a comma before ']' (trailing comma) after the last event", at: comma, event: index)
                }
                if position >= bytes.count {
                    finished = true
                    throw error(.truncated, "the input ends in the middle of the event array", at: bytes.count, event: index + 1)
                }
            } else if c == UInt8(ascii: "]") {
                position += 1
                finished = true
                try checkTrailing()
            } else if position >= bytes.count {
                finished = true
                throw error(.truncated, "the input ends before the event array is closed", at: bytes.count, event: index)
            } else {
                finished = true
                throw error(.unexpectedCharacter, "expected ',' or ']' after an event", at: position, event: index)
            }
        case .lines:
            eventLine = line
            line += EventReader.countNewlines(UnsafePointer(p), start, end)
            // Only spaces may follow the value on its line.
            while p[position] == 0x20 || p[position] == 0x09 || p[position] == 0x0D { position += 1 }
            if position < bytes.count && p[position] != 0x0A {
                finished = true
                throw error(.trailingData, "more than one value on a line of JSON Lines", at: position, event: index)
            }
        case .single:
            eventLine = nil
            finished = true
            try checkTrailing()
        }
        if tape.source !== bytes { tape.source = bytes; tape.sourceBase = bytes.base }
        return JSONEvent(index: index, range: start..<end, line: eventLine, tape: tape)
    }

    /// Reads every event, calling `body` with each.
    public mutating func forEach(_ body: (JSONEvent) throws -> Void) throws {
        while let event = try next() { try body(event) }
    }
}

extension JSONScanner {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
}
