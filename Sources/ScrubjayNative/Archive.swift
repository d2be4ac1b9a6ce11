// libarchive: every call into libarchive lives in this file.
//
// Output is deterministic: the same entries give the same bytes, because every
// entry gets a fixed modification time (its `modificationTime`, 0 by default),
// uid/gid 0, no user/group names, a fixed mode, and the gzip header carries no
// timestamp. Writing to disk goes through a temporary file in the destination
// directory that is renamed into place, so a reader never sees half an archive.

import ScrubjayIO
import CArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive formats Scrubjay writes.
public enum ArchiveFormat: String, Sendable, Equatable, CaseIterable {
    /// A ZIP file with DEFLATE-compressed entries and UTF-8 names.
    case zip
    /// A POSIX (pax/ustar) tar stream compressed with gzip.
    case tarGzip
}

/// One entry of an archive: its path, kind, permissions, time and (for regular files) contents.
public struct ArchiveEntry: Sendable, Equatable {
    /// What an entry is; readers should reject anything but `.regularFile` (and perhaps `.directory`) from untrusted archives.
    public enum Kind: Sendable, Equatable {
        /// A regular file with contents in `data`.
        case regularFile
        /// A directory.
        case directory
        /// A symbolic link pointing at `target`.
        case symlink(target: String)
        /// A hard link to the earlier entry `target` (tar only).
        case hardlink(target: String)
        /// A device, FIFO, socket or other special file.
        case other
    }

    /// The path inside the archive, `/`-separated, as stored (not sanitised).
    public var path: String
    /// What the entry is.
    public var kind: Kind
    /// The contents of a regular file; empty for other kinds.
    public var data: [UInt8]
    /// The size recorded in the archive header (for written regular files, `data.count`).
    public var size: Int
    /// The permission bits, such as `0o644`.
    public var permissions: UInt16
    /// The modification time in seconds since 1970 (ZIP stores it with 2-second precision in local time).
    public var modificationTime: Int64

    /// A regular file entry with `data`, mode 0644 and modification time 0 by default.
    public init(path: String, data: [UInt8], permissions: UInt16 = 0o644, modificationTime: Int64 = 0) {
        self.init(path: path, kind: .regularFile, data: data, size: data.count,
                  permissions: permissions, modificationTime: modificationTime)
    }

    /// An entry of any kind; `size` defaults to `data.count`.
    public init(
        path: String, kind: Kind, data: [UInt8] = [], size: Int? = nil,
        permissions: UInt16, modificationTime: Int64 = 0
    ) {
        self.path = path
        self.kind = kind
        self.data = data
        self.size = size ?? data.count
        self.permissions = permissions
        self.modificationTime = modificationTime
    }

    /// A directory entry (mode 0755 by default).
    public static func directory(_ path: String, permissions: UInt16 = 0o755, modificationTime: Int64 = 0) -> ArchiveEntry {
        ArchiveEntry(path: path, kind: .directory, permissions: permissions, modificationTime: modificationTime)
    }

    /// A symbolic link entry pointing at `target`.
    public static func symlink(_ path: String, target: String, modificationTime: Int64 = 0) -> ArchiveEntry {
        ArchiveEntry(path: path, kind: .symlink(target: target), permissions: 0o777, modificationTime: modificationTime)
    }

    /// Whether the entry is a regular file.
    public var isRegularFile: Bool { kind == .regularFile }
}

/// An error reading or writing an archive, naming the archive file and the entry involved.
public enum ArchiveError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The archive could not be opened or is not a ZIP or tar(.gz) archive; `archive` is the file path or `nil` for bytes in memory.
    case unreadable(archive: String?, message: String)
    /// An entry's header or data could not be read (corrupt or truncated archive).
    case entryUnreadable(archive: String?, entry: String, message: String)
    /// Reading the archive would produce more than `limit` bytes of entry data.
    case tooLarge(archive: String?, entry: String, limit: Int)
    /// An entry is encrypted (never read: packages are not encrypted per entry).
    case encrypted(archive: String?, entry: String)
    /// An entry cannot be written as given (empty path, unsupported kind, data/size mismatch).
    case invalidEntry(entry: String, reason: String)
    /// libarchive failed while writing; `entry` is the entry being written, if any.
    case writeFailed(archive: String?, entry: String?, message: String)
    /// A file-system call failed on `path` (creating, writing, renaming the output file).
    case fileSystem(path: String, operation: String, message: String)

    /// A message naming the archive, the entry, and the underlying cause.
    /// What is wrong, without the archive's name: for a message that names the file already.
    public var detail: String {
        switch self {
        case let .unreadable(_, message): return "\(message); expected a ZIP or tar(.gz) archive"
        case let .entryUnreadable(_, entry, message): return "entry '\(entry)': \(message); the archive may be corrupt or truncated"
        case let .tooLarge(_, entry, limit): return "expands to more than \(limit) bytes (at entry '\(entry)'); refusing to read further"
        case let .encrypted(_, entry): return "entry '\(entry)' is encrypted; refusing to read it"
        default: return description
        }
    }

    public var description: String {
        func name(_ archive: String?) -> String { archive.map { "archive '\($0)'" } ?? "in-memory archive" }
        switch self {
        case let .unreadable(archive, message):
            return "cannot read \(name(archive)): \(message); expected a ZIP or tar(.gz) archive"
        case let .entryUnreadable(archive, entry, message):
            return "cannot read entry '\(entry)' of \(name(archive)): \(message); the archive may be corrupt or truncated"
        case let .tooLarge(archive, entry, limit):
            return "\(name(archive)) expands to more than \(limit) bytes (at entry '\(entry)'); refusing to read further"
        case let .encrypted(archive, entry):
            return "entry '\(entry)' of \(name(archive)) is encrypted; refusing to read it"
        case let .invalidEntry(entry, reason):
            return "cannot write entry '\(entry)': \(reason)"
        case let .writeFailed(archive, entry, message):
            let at = entry.map { " at entry '\($0)'" } ?? ""
            return "writing \(name(archive)) failed\(at): \(message)"
        case let .fileSystem(path, operation, message):
            return "cannot \(operation) '\(path)': \(message)"
        }
    }
}

/// Writes and reads ZIP and tar.gz archives, in memory or on disk.
public enum Archive {
    /// The default limit on the total bytes of entry data read from one archive: 4 GiB.
    public static let defaultMaxTotalSize = 1 << 32

    // MARK: Writing

    /// The bytes of an archive in `format` holding `entries`, in order; the same entries always give the same bytes.
    public static func write(_ entries: [ArchiveEntry], format: ArchiveFormat) throws(ArchiveError) -> [UInt8] {
        try withUTF8Locale { () throws(ArchiveError) -> [UInt8] in try writeToMemory(entries, format: format) }
    }

    private static func writeToMemory(_ entries: [ArchiveEntry], format: ArchiveFormat) throws(ArchiveError) -> [UInt8] {
        let writer = try Writer(format: format, archive: nil)
        let sink = ByteSink()
        writer.sink = sink  // the writer keeps the callback's context alive as long as it lives
        let status = archive_write_open2(writer.handle, Unmanaged.passUnretained(sink).toOpaque(), nil, sinkWrite, nil, nil)
        guard status == ARCHIVE_OK else {
            throw .writeFailed(archive: nil, entry: nil, message: writer.message)
        }
        try writer.writeAll(entries)
        return sink.bytes
    }

    /// Writes an archive in `format` holding `entries` to the file at `path`, atomically.
    ///
    /// The archive is written to a temporary file in the same directory, flushed, given mode
    /// 0644 and renamed over `path`; on any error the temporary file is removed and `path` is untouched.
    public static func write(_ entries: [ArchiveEntry], format: ArchiveFormat, to path: String) throws(ArchiveError) {
        try withUTF8Locale { () throws(ArchiveError) in try writeToFile(entries, format: format, path: path) }
    }

    private static func writeToFile(_ entries: [ArchiveEntry], format: ArchiveFormat, path: String) throws(ArchiveError) {
        // A symbolic link's file is replaced (the link stays); a device, FIFO or directory
        // is refused rather than replaced by the rename (`AtomicFileWriter.destination`).
        let target: String
        do { target = try AtomicFileWriter.destination(of: path) } catch {
            throw .fileSystem(path: path, operation: "write an archive to", message: error.reason)
        }
        let (directory, base) = splitPath(target)
        guard !base.isEmpty else {
            throw .fileSystem(path: path, operation: "write an archive to", message: "the path names a directory")
        }
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw .fileSystem(path: path, operation: "create a temporary file next to", message: errnoMessage())
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }  // mkstemp filled in the X's
        var fdOpen = true
        var done = false
        defer {
            if fdOpen { close(fd) }
            if !done { unlink(temporary) }
        }

        let writer = try Writer(format: format, archive: path)
        // Free the writer (which may still hold the fd) before the defer above closes the fd.
        defer { writer.free() }
        guard archive_write_open_fd(writer.handle, fd) == ARCHIVE_OK else {
            throw .writeFailed(archive: path, entry: nil, message: writer.message)
        }
        try writer.writeAll(entries)

        guard fchmod(fd, 0o644) == 0 else {
            throw .fileSystem(path: temporary, operation: "set permissions on", message: errnoMessage())
        }
        guard fsync(fd) == 0 else {
            throw .fileSystem(path: temporary, operation: "flush", message: errnoMessage())
        }
        fdOpen = false
        guard close(fd) == 0 else {
            throw .fileSystem(path: temporary, operation: "close", message: errnoMessage())
        }
        guard rename(temporary, target) == 0 else {
            throw .fileSystem(path: path, operation: "rename the temporary file onto", message: errnoMessage())
        }
        done = true
    }

    // MARK: Reading

    /// The entries of a ZIP, tar or tar.gz archive held in `bytes` (format detected from the data).
    ///
    /// - Parameter maxTotalSize: the most entry data to read in total; more throws `.tooLarge` (a zip-bomb guard).
    public static func read(_ bytes: [UInt8], maxTotalSize: Int = defaultMaxTotalSize) throws(ArchiveError) -> [ArchiveEntry] {
        try withUTF8Locale { () throws(ArchiveError) -> [ArchiveEntry] in try readMemory(bytes, maxTotalSize: maxTotalSize) }
    }

    private static func readMemory(_ bytes: [UInt8], maxTotalSize: Int) throws(ArchiveError) -> [ArchiveEntry] {
        guard !bytes.isEmpty else {
            throw .unreadable(archive: nil, message: "the archive is empty (0 bytes)")
        }
        let result: Result<[ArchiveEntry], ArchiveError> = bytes.withUnsafeBytes { raw in
            do throws(ArchiveError) {
                let reader = try Reader(archive: nil)
                // libarchive keeps this pointer; `reader` is freed before withUnsafeBytes returns.
                let status = archive_read_open_memory(reader.handle, raw.baseAddress, raw.count)
                guard status == ARCHIVE_OK else {
                    throw ArchiveError.unreadable(archive: nil, message: reader.message)
                }
                return .success(try reader.readAll(maxTotalSize: maxTotalSize))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The entries of the ZIP, tar or tar.gz archive file at `path` (format detected from the data).
    ///
    /// - Parameter maxTotalSize: the most entry data to read in total; more throws `.tooLarge` (a zip-bomb guard).
    public static func read(contentsOf path: String, maxTotalSize: Int = defaultMaxTotalSize) throws(ArchiveError) -> [ArchiveEntry] {
        try withUTF8Locale { () throws(ArchiveError) -> [ArchiveEntry] in
            let reader = try Reader(archive: path)
            guard archive_read_open_filename(reader.handle, path, 64 * 1024) == ARCHIVE_OK else {
                throw .unreadable(archive: path, message: reader.message)
            }
            return try reader.readAll(maxTotalSize: maxTotalSize)
        }
    }
}

// MARK: - Writer

/// Owns an `archive*` opened for writing.
private final class Writer {
    let handle: OpaquePointer
    let archive: String?
    /// The context of an in-memory write callback, kept alive for as long as `handle`.
    var sink: ByteSink?
    private var closed = false
    private var freed = false

    init(format: ArchiveFormat, archive: String?) throws(ArchiveError) {
        guard let handle = archive_write_new() else {
            throw .writeFailed(archive: archive, entry: nil, message: "libarchive could not allocate a writer")
        }
        self.handle = handle
        self.archive = archive
        let ok: Bool
        switch format {
        case .zip:
            ok = archive_write_set_format_zip(handle) == ARCHIVE_OK
                && archive_write_set_format_option(handle, "zip", "hdrcharset", "UTF-8") == ARCHIVE_OK
                && archive_write_set_format_option(handle, "zip", "compression", "deflate") == ARCHIVE_OK
                // Deflate level 3: on recordings about 1.7x faster than the default 6 for
                // about 20% more bytes; writing the ZIP was half of `pack`'s time.
                && archive_write_set_format_option(handle, "zip", "compression-level", "3") == ARCHIVE_OK
        case .tarGzip:
            ok = archive_write_set_format_pax_restricted(handle) == ARCHIVE_OK
                && archive_write_add_filter_gzip(handle) == ARCHIVE_OK
                // No timestamp in the gzip header, so output is reproducible.
                && archive_write_set_filter_option(handle, "gzip", "timestamp", nil) == ARCHIVE_OK
        }
        guard ok else {
            throw .writeFailed(archive: archive, entry: nil, message: message)
        }
        // No zero padding after the last block: the output ends where the data does.
        guard archive_write_set_bytes_in_last_block(handle, 1) == ARCHIVE_OK else {
            throw .writeFailed(archive: archive, entry: nil, message: message)
        }
    }

    deinit {
        free()
    }

    /// Releases the libarchive writer; without a successful close, nothing more is written. Idempotent.
    func free() {
        guard !freed else { return }
        freed = true
        if !closed { archive_write_fail(handle) }
        archive_write_free(handle)
    }

    var message: String { errorMessage(handle) }

    /// Writes every entry, then closes the archive (flushing compressed data and the trailer).
    func writeAll(_ entries: [ArchiveEntry]) throws(ArchiveError) {
        guard let entry = archive_entry_new() else {
            throw .writeFailed(archive: archive, entry: nil, message: "libarchive could not allocate an entry")
        }
        defer { archive_entry_free(entry) }
        for item in entries {
            archive_entry_clear(entry)
            try write(item, using: entry)
        }
        guard archive_write_close(handle) == ARCHIVE_OK else {
            throw .writeFailed(archive: archive, entry: nil, message: message)
        }
        closed = true
    }

    private func write(_ item: ArchiveEntry, using entry: OpaquePointer) throws(ArchiveError) {
        guard !item.path.isEmpty, !item.path.utf8.contains(0) else {
            throw .invalidEntry(entry: item.path, reason: "the path is empty or contains a NUL byte")
        }
        // libarchive 3.6 crashes writing a pax header for a name it cannot convert; never let it try.
        guard hasUTF8Locale || (item.path.utf8.allSatisfy { $0 < 0x80 } && item.kind.linkTarget.utf8.allSatisfy { $0 < 0x80 }) else {
            throw .invalidEntry(entry: item.path, reason: "non-ASCII names need the C.UTF-8 locale, which this system lacks")
        }
        archive_entry_set_pathname_utf8(entry, item.path)
        archive_entry_set_mtime(entry, time_t(item.modificationTime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_perm(entry, mode_t(item.permissions & 0o7777))
        var data: [UInt8] = []
        switch item.kind {
        case .regularFile:
            guard item.size == item.data.count else {
                throw .invalidEntry(entry: item.path, reason: "size \(item.size) differs from the \(item.data.count) bytes of data")
            }
            archive_entry_set_filetype(entry, scrubjay_ae_ifreg())
            archive_entry_set_size(entry, la_int64_t(item.data.count))
            data = item.data
        case .directory:
            archive_entry_set_filetype(entry, scrubjay_ae_ifdir())
            archive_entry_set_size(entry, 0)
        case let .symlink(target):
            archive_entry_set_filetype(entry, scrubjay_ae_iflnk())
            archive_entry_set_symlink_utf8(entry, target)
            archive_entry_set_size(entry, 0)
        case .hardlink, .other:
            throw .invalidEntry(entry: item.path, reason: "only regular files, directories and symlinks can be written")
        }

        // ARCHIVE_WARN on a header means the name or a field was altered: treat it as failure.
        guard archive_write_header(handle, entry) == ARCHIVE_OK else {
            throw .writeFailed(archive: archive, entry: item.path, message: message)
        }
        var offset = 0
        let failed = data.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let written = archive_write_data(handle, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return true }
                offset += written
            }
            return false
        }
        guard !failed else {
            throw .writeFailed(archive: archive, entry: item.path, message: "after \(offset) bytes of data: \(message)")
        }
        guard archive_write_finish_entry(handle) == ARCHIVE_OK else {
            throw .writeFailed(archive: archive, entry: item.path, message: message)
        }
    }
}

/// Collects the bytes libarchive writes into memory.
private final class ByteSink {
    var bytes: [UInt8] = []
}

private let sinkWrite: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> la_ssize_t = {
    _, context, buffer, length in
    guard let context else { return -1 }
    let sink = Unmanaged<ByteSink>.fromOpaque(context).takeUnretainedValue()
    if let buffer, length > 0 {
        sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    }
    return la_ssize_t(length)
}

// MARK: - Reader

/// Owns an `archive*` opened for reading ZIP and tar, raw or gzip-compressed.
private final class Reader {
    let handle: OpaquePointer
    let archive: String?

    init(archive: String?) throws(ArchiveError) {
        guard let handle = archive_read_new() else {
            throw .unreadable(archive: archive, message: "libarchive could not allocate a reader")
        }
        self.handle = handle
        self.archive = archive
        // Only the formats Scrubjay deals in: a smaller attack surface than support_format_all.
        let ok = archive_read_support_format_zip(handle) == ARCHIVE_OK
            && archive_read_support_format_tar(handle) == ARCHIVE_OK
            && archive_read_support_format_gnutar(handle) == ARCHIVE_OK
            && archive_read_support_filter_gzip(handle) == ARCHIVE_OK
        guard ok else {
            throw .unreadable(archive: archive, message: message)
        }
    }

    deinit {
        archive_read_free(handle)
    }

    var message: String { errorMessage(handle) }

    func readAll(maxTotalSize: Int) throws(ArchiveError) -> [ArchiveEntry] {
        var entries: [ArchiveEntry] = []
        var total = 0
        var previousPath = "(start of archive)"
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var entryPointer: OpaquePointer? = nil
            let status = archive_read_next_header(handle, &entryPointer)
            if status == scrubjay_archive_eof() { break }
            // ARCHIVE_WARN (e.g. a name not convertible to the C locale) still yields a usable entry.
            guard status == ARCHIVE_OK || status == scrubjay_archive_warn(), let entry = entryPointer else {
                if entries.isEmpty, status != ARCHIVE_OK {
                    throw .unreadable(archive: archive, message: message)
                }
                throw .entryUnreadable(archive: archive, entry: "after '\(previousPath)'", message: message)
            }
            let path = string(archive_entry_pathname_utf8(entry)) ?? string(archive_entry_pathname(entry)) ?? ""
            previousPath = path
            let size = archive_entry_size_is_set(entry) != 0 ? Int(archive_entry_size(entry)) : 0
            let kind = Self.kind(of: entry)
            if archive_entry_is_encrypted(entry) != 0 {
                throw .encrypted(archive: archive, entry: path)
            }
            var data: [UInt8] = []
            if kind == .regularFile {
                if size > maxTotalSize - total {
                    throw .tooLarge(archive: archive, entry: path, limit: maxTotalSize)
                }
                // The header's size is untrusted, but it is already within the expansion limit,
                // and reserving only maps memory: pages are touched as data arrives. Reserving it
                // all spares the copies of growing a large entry (a 180 MB events file).
                data.reserveCapacity(size)
                while true {
                    let n = buffer.withUnsafeMutableBytes { archive_read_data(handle, $0.baseAddress, $0.count) }
                    if n == 0 { break }
                    guard n > 0 else {
                        throw .entryUnreadable(archive: archive, entry: path, message: message)
                    }
                    total += n
                    if total > maxTotalSize {
                        throw .tooLarge(archive: archive, entry: path, limit: maxTotalSize)
                    }
                    data.append(contentsOf: buffer[..<n])
                }
            }
            entries.append(ArchiveEntry(
                path: path, kind: kind, data: data, size: size,
                permissions: UInt16(truncatingIfNeeded: archive_entry_perm(entry) & 0o7777),
                modificationTime: Int64(archive_entry_mtime(entry))))
        }
        return entries
    }

    private static func kind(of entry: OpaquePointer) -> ArchiveEntry.Kind {
        if let target = string(archive_entry_hardlink_utf8(entry)) ?? string(archive_entry_hardlink(entry)) {
            return .hardlink(target: target)
        }
        switch UInt32(archive_entry_filetype(entry)) {
        case scrubjay_ae_ifreg():
            return .regularFile
        case scrubjay_ae_ifdir():
            return .directory
        case scrubjay_ae_iflnk():
            let target = string(archive_entry_symlink_utf8(entry)) ?? string(archive_entry_symlink(entry)) ?? ""
            return .symlink(target: target)
        default:
            return .other
        }
    }
}

// MARK: - Helpers

#if canImport(Glibc)
/// A UTF-8 LC_CTYPE locale, created once and never freed.
private nonisolated(unsafe) let utf8Locale: locale_t? =
    newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) ?? newlocale(LC_CTYPE_MASK, "C.utf8", nil)
#endif

/// Whether `withUTF8Locale` really switches to UTF-8 (otherwise only ASCII names are safe).
private var hasUTF8Locale: Bool {
    #if canImport(Glibc)
    return utf8Locale != nil
    #else
    return true
    #endif
}

extension ArchiveEntry.Kind {
    fileprivate var linkTarget: String {
        switch self {
        case let .symlink(target), let .hardlink(target): return target
        case .regularFile, .directory, .other: return ""
        }
    }
}

/// Runs `body` with the calling thread's character set set to UTF-8 (other threads are unaffected).
///
/// libarchive converts entry names between the archive's charset and the current locale's;
/// in the default "C" locale any non-ASCII name fails to convert. Swift strings are UTF-8,
/// so every libarchive object is created, used and freed inside this scope.
private func withUTF8Locale<T>(_ body: () throws(ArchiveError) -> T) throws(ArchiveError) -> T {
    #if canImport(Glibc)
    if let utf8Locale, let previous = uselocale(utf8Locale) {
        defer { uselocale(previous) }
        return try body()
    }
    #endif
    return try body()
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
}

private func errorMessage(_ handle: OpaquePointer) -> String {
    string(archive_error_string(handle)) ?? "libarchive reported no details (error \(archive_errno(handle)))"
}

private func errnoMessage() -> String {
    let code = errno
    return "\(String(cString: strerror(code))) (errno \(code))"
}

/// Splits `path` into its directory ("." if none) and last component.
private func splitPath(_ path: String) -> (directory: String, base: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}
