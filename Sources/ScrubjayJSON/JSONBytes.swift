import ScrubjayIO

/// The bytes of one JSON input, owned in memory and followed by zero padding.
///
/// Invariant: `count` bytes of input are followed by `JSONBytes.padding` zero bytes. The
/// scanner relies on this to read whole 8-byte words, 16-byte vectors and the whole 64-byte
/// block (aligned from `base`) that holds the end, and to look one byte ahead, without a
/// bounds check: a zero byte is never valid JSON, so scanning always stops at the end. The
/// block reads reach up to 63 bytes past the input: the padding must stay at least 64.
///
/// A `final class` because it owns memory (freed in `deinit`). It is never mutated after
/// `init`, so sharing it between threads is safe.
public final class JSONBytes: @unchecked Sendable {
    /// Zero bytes kept after the input.
    public static let padding = 64

    /// Start of the input.
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    /// Number of input bytes (not counting the padding).
    public let count: Int
    /// Where the bytes came from, for error messages (a path, or a description).
    public let origin: String

    /// Reads a whole file.
    public init(contentsOfFile path: String) throws(FileError) {
        let (buffer, count) = try InputFile.readPadded(path, padding: JSONBytes.padding)
        self.base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        self.count = count
        self.origin = path
    }

    /// Copies bytes from memory.
    public init<C: Collection>(_ bytes: C, origin: String = "<memory>") where C.Element == UInt8 {
        let n = bytes.count
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: n + JSONBytes.padding, alignment: 16)
        let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        // One memcpy for contiguous storage (arrays, slices); element by element otherwise.
        let copied: Void? = bytes.withContiguousStorageIfAvailable { src in
            if let base = src.baseAddress { p.update(from: base, count: n) }
        }
        if copied == nil {
            var i = 0
            for b in bytes { p[i] = b; i += 1 }
        }
        (p + n).initialize(repeating: 0, count: JSONBytes.padding)
        self.base = p
        self.count = n
        self.origin = origin
    }

    /// Copies the UTF-8 of a string.
    /// A padded copy of `raw` (one memcpy).
    public init(_ raw: UnsafeRawBufferPointer, origin: String = "<memory>") {
        let n = raw.count
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: n + JSONBytes.padding, alignment: 16).baseAddress!
        if let src = raw.baseAddress { p.copyMemory(from: src, byteCount: n) }
        (p + n).initializeMemory(as: UInt8.self, repeating: 0, count: JSONBytes.padding)
        self.base = p.assumingMemoryBound(to: UInt8.self)
        self.count = n
        self.origin = origin
    }

    public convenience init(_ string: String, origin: String = "<memory>") {
        self.init(Array(string.utf8), origin: origin)
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }

    /// The byte at `offset` (0 for offsets in the padding).
    @inlinable public subscript(offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < count + JSONBytes.padding, "offset out of range")
        return _byte(offset)
    }

    @usableFromInline func _byte(_ offset: Int) -> UInt8 { base[offset] }

    /// Calls `body` with the bytes in `range`.
    public func withBytes<R, E: Error>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        return try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// A copy of the bytes in `range`.
    public func slice(_ range: Range<Int>) -> [UInt8] {
        withBytes(range) { Array($0) }
    }

    /// All input bytes, copied.
    public var array: [UInt8] { slice(0..<count) }

    /// 1-based line and column (in bytes) of `offset`, for error messages.
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let end = min(offset, count)
        var i = 0
        while i < end {
            if base[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
        return (line, end - lineStart + 1)
    }
}
