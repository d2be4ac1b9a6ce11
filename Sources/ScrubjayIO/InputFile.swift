#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files into memory with POSIX calls (no Foundation on the hot path).
public enum InputFile {
    /// Reads the file at `path` into a newly allocated buffer followed by `padding` zero bytes.
    ///
    /// The caller owns the returned memory and must deallocate it. The padding lets byte
    /// scanners read a few bytes past the end without a bounds check: a zero byte is never
    /// valid JSON, so a scanner stops there.
    /// - Returns: the buffer (of `count + padding` bytes) and the file's size.
    public static func readPadded(_ path: String, padding: Int) throws(FileError) -> (UnsafeMutableRawBufferPointer, count: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .system(.open, path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .system(.stat, path, errno: errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileError(path: path, operation: .read, errno: EISDIR, reason: "it is a directory, not a file")
        }
        // st_size may be 0 for pipes and special files: grow as we read.
        var capacity = max(Int(st.st_size), 0) + padding + 1
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        var count = 0
        while true {
            if capacity - count - padding <= 0 {
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: count)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = Glibc.read(fd, buffer.baseAddress! + count, capacity - count - padding)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                buffer.deallocate()
                throw .system(.read, path, errno: code)
            }
            if n == 0 { break }
            count += n
        }
        (buffer.baseAddress! + count).initializeMemory(as: UInt8.self, repeating: 0, count: capacity - count)
        return (buffer, count)
    }

    /// The first `count` bytes of the file at `path` (fewer if the file is shorter).
    public static func readPrefix(_ path: String, count: Int) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .system(.open, path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileError(path: path, operation: .read, errno: EISDIR, reason: "it is a directory, not a file")
        }
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(.read, path, errno: errno)
            }
            if n == 0 { break }
            got += n
        }
        return Array(out[..<got])
    }

    /// Reads the whole file at `path` as bytes.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        let (buffer, count) = try readPadded(path, padding: 0)
        defer { buffer.deallocate() }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}
