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
    /// archive says (a damaged file, or data prepended to it), and `.entryUnreadable` naming the
    /// entry when the archive reads differently by its central directory (Python, Go, browsers'
    /// ZIP libraries) than by its local headers (libarchive, streaming unzippers): a local header
    /// whose name, compression method, CRC-32 or sizes differ from the directory's, or bytes
    /// between entries that no directory record accounts for (a hidden entry).
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
        // The last signature, as libarchive and Python's zipfile take it (they do not insist that
        // its comment reach the end): one that does not end the file, or a second end record in
        // a comment, would have readers pick different directories.
        var eocd: Int?
        if tail.count >= 22 {
            eocd = stride(from: tail.count - 22, through: 0, by: -1).first { u32(tail, $0) == 0x0605_4B50 }
        }
        guard let e = eocd else { throw fail("no ZIP end of central directory record") }
        guard e + 22 + Int(u16(tail, e + 20)) == tail.count, u16(tail, e + 4) == 0, u16(tail, e + 6) == 0,
              u16(tail, e + 8) == u16(tail, e + 10) else {
            throw fail("the last ZIP end of central directory record does not end the file, or is not the only one")
        }
        var count = Int(u16(tail, e + 10))
        var directorySize = Int(u32(tail, e + 12))
        var directoryOffset = Int(u32(tail, e + 16))
        // Where the directory must end: libarchive, Python and Go read it just before the end
        // record whatever offset the record gives (to allow for prepended data), so the two must agree.
        var directoryEnd = tailStart + e
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: the locator sits just before the record and points at the ZIP64 record.
            let locator = tailStart + e - 20
            let l = try read(locator, 20)
            guard u32(l, 0) == 0x0706_4B50 else { throw fail("no ZIP64 end of central directory locator") }
            directoryEnd = try int(u64(l, 8))
            let record = try read(directoryEnd, 56)
            guard u32(record, 0) == 0x0606_4B50 else { throw fail("no ZIP64 end of central directory record") }
            count = try int(u64(record, 32))
            directorySize = try int(u64(record, 40))
            directoryOffset = try int(u64(record, 48))
        }
        guard directoryOffset.addingReportingOverflow(directorySize) == (directoryEnd, false) else {
            throw fail("the ZIP central directory does not end where its end record begins (readers would look for it in different places)")
        }
        let directory = try read(directoryOffset, directorySize)
        var names: [[UInt8]] = []
        // Where each entry's local header starts and its data ends, and whether a data
        // descriptor follows the data (general purpose flag bit 3).
        var spans: [(name: [UInt8], start: Int, dataEnd: Int, descriptor: Bool)] = []
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
            let name = Array(directory[(at + 46)..<(at + 46 + nameLength)])
            // ZIP64 extended information: each saturated field, in this order.
            let zip64 = extraField(0x0001, in: extra) ?? []
            var next64 = 0
            func wide(_ value: UInt32, _ what: String) throws(ArchiveError) -> Int {
                guard value == 0xFFFF_FFFF else { return Int(value) }
                guard zip64.count >= next64 + 8 else { throw fail("a ZIP64 entry without its \(what)") }
                defer { next64 += 8 }
                return try int(u64(zip64, next64))
            }
            let size = try wide(u32(directory, at + 24), "size")
            let compressedSize = try wide(u32(directory, at + 20), "compressed size")
            let localOffset = try wide(u32(directory, at + 42), "local header offset")
            let header = try read(localOffset, 30)
            guard u32(header, 0) == 0x0403_4B50 else { throw fail("a ZIP entry's local header is not where the directory says") }
            let localNameLength = Int(u16(header, 26)), localExtraLength = Int(u16(header, 28))
            let local = try read(localOffset + 30, localNameLength + localExtraLength)
            let localName = Array(local[..<localNameLength])
            names.append(localName)
            names += unicodePaths(Array(local[localNameLength...]))

            // The local header must say what the directory says. A CRC-32 or size of 0 in the
            // local header defers to the directory (sizes in a data descriptor), as every reader does.
            func disagree(_ what: String) -> ArchiveError {
                .entryUnreadable(archive: path, entry: String(decoding: name, as: UTF8.self),
                                 message: "its local header gives another \(what) than the central directory (readers would disagree on its contents)")
            }
            guard localName == name else { throw disagree("name (\(String(decoding: localName, as: UTF8.self)))") }
            guard u16(header, 8) == u16(directory, at + 10) else { throw disagree("compression method") }
            let localCRC = u32(header, 14)
            guard localCRC == 0 || localCRC == u32(directory, at + 16) else { throw disagree("CRC-32") }
            let localExtra = Array(local[localNameLength...])
            let local64 = extraField(0x0001, in: localExtra) ?? []
            var nextLocal64 = 0
            func localWide(_ value: UInt32) throws(ArchiveError) -> Int {
                guard value == 0xFFFF_FFFF else { return Int(value) }
                guard local64.count >= nextLocal64 + 8 else { throw disagree("size (a ZIP64 size without its field)") }
                defer { nextLocal64 += 8 }
                return try int(u64(local64, nextLocal64))
            }
            let localSize = try localWide(u32(header, 22)), localCompressedSize = try localWide(u32(header, 18))
            guard localSize == 0 || localSize == size else { throw disagree("size") }
            guard localCompressedSize == 0 || localCompressedSize == compressedSize else { throw disagree("compressed size") }
            let (dataStart, overflow) = (localOffset + 30 + localNameLength + localExtraLength).addingReportingOverflow(compressedSize)
            guard !overflow else { throw fail("a ZIP entry's data runs past the end of the file") }
            spans.append((name, localOffset, dataStart, u16(header, 6) & 0x8 != 0))
            at += 46 + nameLength + extraLength + commentLength
        }
        // Readers that go by the directory's size (Python's zipfile) would read records past the
        // count: a second name for an entry, with no local header of its own.
        guard at == directory.count else {
            throw fail("the ZIP central directory holds more than the \(count) records its end record counts")
        }

        // The entries, in file order, fill the file from its start to the central directory:
        // each local header follows the previous entry's data (and data descriptor: 12 to 24
        // bytes), so no local entry hides between them where only a streaming reader sees it.
        spans.sort { $0.start < $1.start }
        var expected = 0
        var descriptor = false
        for span in spans + [(name: [], start: directoryOffset, dataEnd: directoryOffset, descriptor: false)] {
            let gap = span.start - expected
            guard gap == 0 || (descriptor && (12...24).contains(gap)) else {
                let place = span.name.isEmpty ? "the central directory" : "its local header"
                throw .entryUnreadable(archive: path, entry: span.name.isEmpty ? "(central directory)" : String(decoding: span.name, as: UTF8.self),
                                       message: "\(gap < 0 ? "it overlaps the previous entry" : "\(gap) bytes that no central directory record names come before \(place)") (a hidden or overlapping entry)")
            }
            expected = span.dataEnd
            descriptor = span.descriptor
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
