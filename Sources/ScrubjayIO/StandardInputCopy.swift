#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The copy a signal handler deletes (C strings, set before the handler is installed).
nonisolated(unsafe) private var signalFile: UnsafeMutablePointer<CChar>?
nonisolated(unsafe) private var signalDirectory: UnsafeMutablePointer<CChar>?

/// Standard input copied whole into a private temporary file, so that `-` can stand for an
/// input file: the readers look at a file's first bytes to tell its shape and then read it
/// again, which a pipe cannot do. The copy is named `stdin` (what a package's manifest
/// records as the input's name), in a directory only the user can open (mode 0700, under
/// `TMPDIR` or `/tmp`); `remove()` deletes both, and so does a signal that ends the process
/// (interrupt, terminate, hang-up, a closed pipe), from the moment the copy is created.
public struct StandardInputCopy: Sendable {
    /// The copy's path.
    public let path: String
    /// The directory holding it.
    public let directory: String
    /// The file name of the copy, which also names standard input in messages.
    public static let name = "stdin"

    /// Copies everything readable from `descriptor` (standard input unless told) into a new
    /// private file. Fails on a read or write error, naming standard input or the copy.
    public init(from descriptor: Int32 = 0) throws(FileError) {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast()) + Array("scrubjay-stdin.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .system(.create, base, errno: errno)
        }
        directory = String(cString: made)
        path = directory + "/" + StandardInputCopy.name
        let out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if out < 0 {
            let code = errno
            rmdir(directory)
            throw .system(.create, path, errno: code)
        }
        StandardInputCopy.removeOnSignals(path, directory)
        var failure: FileError?
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        copying: while true {
            let n = read(descriptor, buffer, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .system(.read, StandardInputCopy.name, errno: errno)
                break
            }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = write(out, buffer + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    failure = .system(.write, path, errno: errno)
                    break copying
                }
                written += w
            }
        }
        if close(out) != 0 && failure == nil { failure = .system(.write, path, errno: errno) }
        if let failure {
            unlink(path)
            rmdir(directory)
            throw failure
        }
    }

    /// Deletes the copy and its directory.
    public func remove() {
        unlink(path)
        rmdir(directory)
    }

    /// Has a signal that ends the process delete `file` and `directory` first: a recording
    /// piped in is the user's data, and a temporary copy of it must not outlive the command
    /// (`| head`, Ctrl-C, a CI job's timeout). The handler calls only `unlink`, `rmdir`,
    /// `signal` and `raise` (async-signal-safe), then the signal ends the process as before.
    static func removeOnSignals(_ file: String, _ directory: String) {
        signalFile = strdup(file)
        signalDirectory = strdup(directory)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
            signal(s) { sig in
                if let f = signalFile { unlink(f) }
                if let d = signalDirectory { rmdir(d) }
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigaddset(&unblock, s)
        }
        // A parent may start the command with these blocked (a test runner's threads do):
        // this thread, which copies, takes them.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Whether `descriptor` is a terminal (nothing piped in: reading would wait for typing).
    public static func isTerminal(_ descriptor: Int32 = 0) -> Bool { isatty(descriptor) == 1 }
}
