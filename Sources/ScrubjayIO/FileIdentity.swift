#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a path names, so that two spellings of one file (`a.zip` and `./a.zip`, a
/// symbolic link and its target, two hard links) compare equal.
public enum FileIdentity {
    /// A key equal for two paths that name the same file: the device and inode of an existing
    /// file (symbolic links followed), or, for a file not there yet, its absolute path with
    /// its directory's links resolved.
    public static func key(_ path: String) -> String {
        var info = stat()
        if stat(path, &info) == 0 { return "inode \(info.st_dev):\(info.st_ino)" }
        let (directory, name) = split(path)
        if let resolved = realpath(directory, nil) {
            defer { free(resolved) }
            return "path " + String(cString: resolved) + "/" + name
        }
        return "path " + path
    }

    /// Whether `a` and `b` name the same file.
    public static func same(_ a: String, _ b: String) -> Bool { key(a) == key(b) }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}

extension AtomicFileWriter {
    /// Checks, before any work, that a file could be written at `path`: nothing but a regular
    /// file (or a link to one) is there, and its directory exists and may be written to.
    /// Throws the error writing would throw later (a `.create` `FileError`, exit 4).
    public static func checkWritable(_ path: String) throws(FileError) {
        let target = try destination(of: path)
        let directory = FileIdentity.split(target).directory
        var info = stat()
        guard stat(directory, &info) == 0 else { throw .system(.create, path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .system(.create, path, errno: ENOTDIR) }
        guard access(directory, W_OK | X_OK) == 0 else { throw .system(.create, path, errno: errno) }
    }
}
