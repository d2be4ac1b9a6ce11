// The entry names a ZIP file stores, byte for byte.
//
// libarchive hands back names already converted: among other things it turns a backslash in a
// ZIP entry name into `/`, so `events\main.jsonl` reads as `events/main.jsonl`, while other
// tools (`unzip`, Python's zipfile) extract a file literally named `events\main.jsonl`. A reader
// that refuses backslashes (docs/FORMAT.md) must see the names as stored: in the central
// directory, in each entry's local header, and in any Info-ZIP Unicode Path extra field.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum ZipDirectory {
    /// Every name the ZIP file at `path` stores for its entries, raw: the central directory's,
    /// each local header's, and each Unicode Path extra field's (so one entry may give several).
    /// Throws `.unreadable` when the central directory or a local header is not where the
    /// archive says (a damaged file, or data prepended to it).
    public static func rawNames(ofFileAt path: String) throws(ArchiveError) -> [[UInt8]] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(archive: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(archive: path, message: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        func fail(_ message: String) -> ArchiveError { .unreadable(archive: path, message: message) }
        func read(_ offset: Int, _ count: Int) throws(ArchiveError) -> [UInt8] {
            guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
                throw fail("the ZIP directory points past the end of the file")
            }
            var out = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                guard n > 0 else { throw fail("cannot read the ZIP directory") }
                done += n
            }
            return out
        }

        // The end of central directory record: in the last 22 + 65535 bytes (it may carry a comment).
        let tailStart = max(0, size - (22 + 0xFFFF))
        let tail = try read(tailStart, size - tailStart)
        var eocd: Int?
        if tail.count >= 22 {
            for i in stride(from: tail.count - 22, through: 0, by: -1)
            where u32(tail, i) == 0x0605_4B50 && i + 22 + Int(u16(tail, i + 20)) == tail.count {
                eocd = i
                break
            }
        }
        guard let e = eocd else { throw fail("no ZIP end of central directory record") }
        var count = Int(u16(tail, e + 10))
        var directorySize = Int(u32(tail, e + 12))
        var directoryOffset = Int(u32(tail, e + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: the locator sits just before the record and points at the ZIP64 record.
            let locator = tailStart + e - 20
            let l = try read(locator, 20)
            guard u32(l, 0) == 0x0706_4B50 else { throw fail("no ZIP64 end of central directory locator") }
            let record = try read(try int(u64(l, 8)), 56)
            guard u32(record, 0) == 0x0606_4B50 else { throw fail("no ZIP64 end of central directory record") }
            count = try int(u64(record, 32))
            directorySize = try int(u64(record, 40))
            directoryOffset = try int(u64(record, 48))
        }
        let directory = try read(directoryOffset, directorySize)
        var names: [[UInt8]] = []
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, u32(directory, at) == 0x0201_4B50 else {
                throw fail("the ZIP central directory holds fewer entries than it says")
            }
            let nameLength = Int(u16(directory, at + 28)), extraLength = Int(u16(directory, at + 30))
            let commentLength = Int(u16(directory, at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw fail("a ZIP central directory entry runs past the directory")
            }
            names.append(Array(directory[(at + 46)..<(at + 46 + nameLength)]))
            let extra = Array(directory[(at + 46 + nameLength)..<(at + 46 + nameLength + extraLength)])
            names += unicodePaths(extra)
            var localOffset = Int(u32(directory, at + 42))
            if localOffset == 0xFFFF_FFFF {
                // ZIP64 extended information: the sizes come first when they are saturated too.
                var skip = 0
                if u32(directory, at + 24) == 0xFFFF_FFFF { skip += 8 }
                if u32(directory, at + 20) == 0xFFFF_FFFF { skip += 8 }
                guard let field = extraField(0x0001, in: extra), field.count >= skip + 8 else {
                    throw fail("a ZIP64 entry without its local header offset")
                }
                localOffset = try int(u64(field, skip))
            }
            let header = try read(localOffset, 30)
            guard u32(header, 0) == 0x0403_4B50 else { throw fail("a ZIP entry's local header is not where the directory says") }
            let localNameLength = Int(u16(header, 26)), localExtraLength = Int(u16(header, 28))
            let local = try read(localOffset + 30, localNameLength + localExtraLength)
            names.append(Array(local[..<localNameLength]))
            names += unicodePaths(Array(local[localNameLength...]))
            at += 46 + nameLength + extraLength + commentLength
        }
        return names

        func int(_ v: UInt64) throws(ArchiveError) -> Int {
            guard v <= UInt64(Int.max) else { throw fail("a ZIP64 size or offset out of range") }
            return Int(v)
        }
    }

    /// The names in Info-ZIP Unicode Path extra fields (0x7075: version, CRC-32, UTF-8 name).
    static func unicodePaths(_ extra: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var at = 0
        while at + 4 <= extra.count {
            let id = u16(extra, at), length = Int(u16(extra, at + 2))
            guard at + 4 + length <= extra.count else { break }
            if id == 0x7075, length >= 5 { out.append(Array(extra[(at + 9)..<(at + 4 + length)])) }
            at += 4 + length
        }
        return out
    }

    static func extraField(_ wanted: UInt16, in extra: [UInt8]) -> [UInt8]? {
        var at = 0
        while at + 4 <= extra.count {
            let id = u16(extra, at), length = Int(u16(extra, at + 2))
            guard at + 4 + length <= extra.count else { return nil }
            if id == wanted { return Array(extra[(at + 4)..<(at + 4 + length)]) }
            at += 4 + length
        }
        return nil
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
