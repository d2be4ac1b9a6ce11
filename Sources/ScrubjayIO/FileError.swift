#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be read or written. The message names the path and the system's reason.
public struct FileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being attempted.
    public enum Operation: String, Sendable {
        case open, read, stat, write, rename, create
    }
    /// The file the operation was about.
    public let path: String
    /// The operation that failed.
    public let operation: Operation
    /// The system error number, or 0 when the failure is not a system error.
    public let errno: Int32
    /// A short reason in words.
    public let reason: String

    /// Builds an error from the current `errno`.
    static func system(_ operation: Operation, _ path: String, errno code: Int32) -> FileError {
        FileError(path: path, operation: operation, errno: code, reason: String(cString: strerror(code)))
    }

    public var description: String {
        switch operation {
        case .open, .stat: return "\(path): cannot open: \(reason)"
        case .read: return "\(path): cannot read: \(reason)"
        case .write, .create: return "\(path): cannot write: \(reason)"
        case .rename: return "\(path): cannot move the finished output into place: \(reason)"
        }
    }
}
