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
///
/// The destination is a regular file or nothing yet. A symbolic link is followed (the file it
/// names is replaced, the link stays); a directory, device, FIFO or socket is refused: the
/// rename would replace it with a file (`-o /dev/stdout` would be gone).
public final class AtomicFileWriter {
    /// Where the file will be once committed.
    public let path: String
    /// The temporary file being written.
    public let temporaryPath: String
    /// The file replaced: `path`, or the file a symbolic link at `path` names.
    private let destination: String
    private var fd: Int32
    private var committed = false

    /// Creates the temporary file beside `path`. A new file gets `permissions` (default 0644)
    /// less the umask; replacing an existing file keeps that file's mode. With `exactly`, the
    /// file gets `permissions` whatever the umask or an earlier file (a private key's 0600).
    public init(path requested: String, permissions: mode_t = 0o644, exactly: Bool = false) throws(FileError) {
        self.path = requested
        let path = try AtomicFileWriter.destination(of: requested)
        destination = path
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

    /// Where the bytes of `path` go: `path` itself, or the file a symbolic link there names.
    /// Throws when something other than a regular file is there (see the type's comment).
    public static func destination(of path: String) throws(FileError) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return path } // nothing there yet: a new file
        var target = path
        if info.st_mode & S_IFMT == S_IFLNK {
            guard stat(path, &info) == 0 else {
                throw FileError(path: path, operation: .create, errno: errno, reason: "a symbolic link to nothing (\(String(cString: strerror(errno))))")
            }
            guard let resolved = realpath(path, nil) else { throw .system(.create, path, errno: errno) }
            target = String(cString: resolved)
            free(resolved)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let what = switch info.st_mode & S_IFMT {
            case S_IFDIR: "a directory"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFIFO: "a FIFO"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw FileError(path: path, operation: .create, errno: 0,
                            reason: "\(what), which an output file would replace: name a regular file")
        }
        return target
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
        if rename(temporaryPath, destination) != 0 {
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
