#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that nobody ever sees it half written.
///
/// Bytes go to a temporary file beside the destination (same directory, so the final
/// `rename(2)` is atomic); `commit()` flushes it and renames it into place. If the writer
/// is discarded without `commit()`, or any write fails, the temporary file is removed and
/// whatever was at the destination before is left untouched.
public final class AtomicFileWriter {
    /// Where the file will be once committed.
    public let path: String
    /// The temporary file being written.
    public let temporaryPath: String
    private var fd: Int32
    private var committed = false

    /// Creates the temporary file beside `path`. A new file gets `permissions` (default 0644)
    /// less the umask; replacing an existing file keeps that file's mode. With `exactly`, the
    /// file gets `permissions` whatever the umask or an earlier file (a private key's 0600).
    public init(path: String, permissions: mode_t = 0o644, exactly: Bool = false) throws(FileError) {
        self.path = path
        let directory: String
        let name: String
        if let slash = path.lastIndex(of: "/") {
            directory = String(path[..<slash]).isEmpty ? "/" : String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        } else {
            directory = "."
            name = path
        }
        var template = Array("\(directory)/.\(name).scrubjay-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw .system(.create, path, errno: errno) }
        self.fd = fd
        self.temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // Replacing a file keeps its mode (a private 0600 file stays private); a new file gets
        // `permissions` less the umask, as open(2) would give it.
        var existing = stat()
        let mode: mode_t
        if exactly {
            mode = permissions
        } else if stat(path, &existing) == 0 {
            mode = existing.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = permissions & ~mask
        }
        if fchmod(fd, mode) != 0 {
            // deinit closes and removes the temporary file
            throw .system(.create, path, errno: errno)
        }
    }

    deinit {
        if !committed { discard() }
    }

    /// Appends bytes to the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        guard fd >= 0 else {
            throw FileError(path: path, operation: .write, errno: EBADF, reason: "the output was already closed")
        }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                discard()
                throw .system(.write, path, errno: code)
            }
            offset += n
        }
    }

    /// Appends bytes to the temporary file.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        let result: Result<Void, FileError> = bytes.withUnsafeBytes { raw in
            Result { () throws(FileError) in try write(raw) }
        }
        try result.get()
    }

    /// Flushes the temporary file to disk and renames it to `path`.
    public func commit() throws(FileError) {
        guard fd >= 0 else {
            throw FileError(path: path, operation: .write, errno: EBADF, reason: "the output was already closed")
        }
        if fsync(fd) != 0 && errno != EINVAL {
            let code = errno
            discard()
            throw .system(.write, path, errno: code)
        }
        if close(fd) != 0 {
            let code = errno
            fd = -1
            discard()
            throw .system(.write, path, errno: code)
        }
        fd = -1
        if rename(temporaryPath, path) != 0 {
            let code = errno
            discard()
            throw .system(.rename, path, errno: code)
        }
        committed = true
    }

    /// Abandons the output: closes and removes the temporary file.
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        if !committed { unlink(temporaryPath) }
    }

    /// Writes `bytes` to `path` atomically in one call.
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644, exactly: Bool = false) throws(FileError) {
        let writer = try AtomicFileWriter(path: path, permissions: permissions, exactly: exactly)
        try writer.write(bytes)
        try writer.commit()
    }
}
