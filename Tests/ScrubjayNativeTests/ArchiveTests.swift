import Foundation
import Testing
@testable import ScrubjayNative

@Suite("Archive")
struct ArchiveTests {
    static let entries: [ArchiveEntry] = [
        ArchiveEntry(path: "README.txt", data: Array("hello, archive\n".utf8)),
        .directory("data"),
        ArchiveEntry(path: "data/all-bytes.bin", data: (0..<4096).map { UInt8(truncatingIfNeeded: $0) }),
        ArchiveEntry(path: "data/empty", data: []),
        ArchiveEntry(path: "unicodé/naïve ü.json", data: Array(#"{"k":"ü"}"#.utf8)),
        ArchiveEntry(path: "a/" + String(repeating: "long-name-", count: 12) + ".txt", data: [1, 2, 3]),
    ]

    static func files(_ entries: [ArchiveEntry]) -> [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: entries.filter(\.isRegularFile).map { ($0.path, $0.data) })
    }

    /// Asserts that `read` holds exactly the regular files of `entries` (same paths and bytes) and the directory.
    static func expectSameFiles(_ read: [ArchiveEntry]) {
        #expect(files(read) == files(entries))
        #expect(read.filter(\.isRegularFile).map(\.path) == entries.filter(\.isRegularFile).map(\.path))
        let directories = read.filter { $0.kind == .directory }.map(\.path)
        #expect(directories == ["data/"] || directories == ["data"])
        for entry in read where entry.isRegularFile {
            #expect(entry.permissions == 0o644)
            #expect(entry.size == entry.data.count)
        }
    }

    @Test("in-memory round trip", arguments: ArchiveFormat.allCases)
    func memoryRoundTrip(format: ArchiveFormat) throws {
        let bytes = try Archive.write(Self.entries, format: format)
        switch format {
        case .zip: #expect(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        case .tarGzip: #expect(bytes.starts(with: [0x1F, 0x8B]))
        }
        Self.expectSameFiles(try Archive.read(bytes))
    }

    @Test("on-disk round trip leaves only the archive behind", arguments: ArchiveFormat.allCases)
    func diskRoundTrip(format: ArchiveFormat) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/out." + (format == .zip ? "zip" : "tar.gz")
        try Archive.write(Self.entries, format: format, to: path)
        Self.expectSameFiles(try Archive.read(contentsOf: path))
        #expect(try dir.contents() == [(path as NSString).lastPathComponent])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        // The file on disk is byte-identical to the in-memory archive.
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == (try Archive.write(Self.entries, format: format)))

        // Overwriting replaces the contents atomically.
        try Archive.write([ArchiveEntry(path: "only", data: [42])], format: format, to: path)
        #expect(try Archive.read(contentsOf: path).map(\.data) == [[42]])
        #expect(try dir.contents().count == 1)
    }

    @Test("the same entries always give the same bytes", arguments: ArchiveFormat.allCases)
    func deterministic(format: ArchiveFormat) throws {
        let first = try Archive.write(Self.entries, format: format)
        let second = try Archive.write(Self.entries, format: format)
        #expect(first == second)
        if format == .tarGzip {
            // Two writes in the same second would hide a clock-based gzip MTIME; check the header directly.
            #expect(Array(first[4..<8]) == [0, 0, 0, 0])
        }
        var changed = Self.entries
        changed[0].modificationTime = 1_700_000_000
        #expect(try Archive.write(changed, format: format) != first)
        #expect(try Archive.read(Archive.write(changed, format: format))[0].modificationTime == 1_700_000_000)
    }

    @Test("garbage and truncated archives throw")
    func garbage() throws {
        let junk = Array(String(repeating: "this is not an archive ", count: 50).utf8)
        #expect(throws: ArchiveError.self) { _ = try Archive.read(junk) }
        #expect(throws: ArchiveError.self) { _ = try Archive.read([]) }
        for format in ArchiveFormat.allCases {
            let bytes = try Archive.write(Self.entries, format: format)
            #expect(throws: ArchiveError.self, "truncated \(format)") {
                _ = try Archive.read(Array(bytes.prefix(bytes.count / 2)))
            }
        }
        #expect {
            _ = try Archive.read(contentsOf: "/nonexistent/scrubjay.zip")
        } throws: { error in
            String(describing: error).contains("/nonexistent/scrubjay.zip")
        }
    }

    @Test("writing into a missing directory throws and leaves no file")
    func missingDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/missing/out.zip"
        #expect {
            try Archive.write(Self.entries, format: .zip, to: path)
        } throws: { error in
            guard case let ArchiveError.fileSystem(errorPath, _, _) = error else { return false }
            return errorPath == path
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try dir.contents().isEmpty)
    }

    @Test("a failed write leaves neither a temporary file nor the target")
    func failedWriteCleansUp() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/out.tar.gz"
        let bad = [ArchiveEntry(path: "ok", data: [1]), ArchiveEntry(path: "", data: [2])]
        #expect(throws: ArchiveError.invalidEntry(entry: "", reason: "the path is empty or contains a NUL byte")) {
            try Archive.write(bad, format: .tarGzip, to: path)
        }
        #expect(try dir.contents().isEmpty)
    }

    @Test("symlinks and directories are reported as such")
    func entryKinds() throws {
        for format in ArchiveFormat.allCases {
            let bytes = try Archive.write(
                [.symlink("link", target: "../../etc/passwd"), .directory("d"), ArchiveEntry(path: "f", data: [7])],
                format: format)
            let read = try Archive.read(bytes)
            #expect(read.count == 3)
            #expect(read[0].kind == .symlink(target: "../../etc/passwd"))
            #expect(read[0].data.isEmpty)
            #expect(read[1].kind == .directory)
            #expect(read[2].kind == .regularFile && read[2].data == [7])
        }
    }

    @Test("maxTotalSize stops an oversized archive")
    func sizeLimit() throws {
        let bytes = try Archive.write(Self.entries, format: .zip)
        #expect {
            _ = try Archive.read(bytes, maxTotalSize: 100)
        } throws: { error in
            guard case let ArchiveError.tooLarge(_, entry, limit) = error else { return false }
            return entry == "data/all-bytes.bin" && limit == 100
        }
    }

    @Test("reads ZIP and tar.gz made by python3 and the zip tool")
    func readsForeignArchives() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let script = """
            import sys, zipfile, tarfile, io
            d = sys.argv[1]
            with zipfile.ZipFile(d + '/py.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('hello.txt', 'hello from python\\n' * 10)
                z.writestr('sub/dir/', '')
                z.writestr('sub/dir/ünï.txt', 'ünïcode')
            with tarfile.open(d + '/py.tar.gz', 'w:gz') as t:
                data = b'tar data'
                info = tarfile.TarInfo('t/file.txt'); info.size = len(data)
                t.addfile(info, io.BytesIO(data))
                link = tarfile.TarInfo('t/link'); link.type = tarfile.SYMTYPE; link.linkname = 'file.txt'
                t.addfile(link)
                hard = tarfile.TarInfo('t/hard'); hard.type = tarfile.LNKTYPE; hard.linkname = 't/file.txt'
                t.addfile(hard)
            """
        let made = try runTool("python3", ["-c", script, dir.path])
        try #require(made.status == 0, "python3 failed: \(made.stderr)")

        let zip = try Archive.read(contentsOf: dir.path + "/py.zip")
        #expect(zip.map(\.path) == ["hello.txt", "sub/dir/", "sub/dir/ünï.txt"])
        #expect(zip[0].data == Array(String(repeating: "hello from python\n", count: 10).utf8))
        #expect(zip[1].kind == .directory)
        #expect(zip[2].data == Array("ünïcode".utf8))

        let tar = try Archive.read(contentsOf: dir.path + "/py.tar.gz")
        #expect(tar.map(\.path) == ["t/file.txt", "t/link", "t/hard"])
        #expect(tar[0].data == Array("tar data".utf8))
        #expect(tar[1].kind == .symlink(target: "file.txt"))
        #expect(tar[2].kind == .hardlink(target: "t/file.txt"))

        // Info-ZIP's `zip`, when installed.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/zip") {
            try "from info-zip\n".write(toFile: dir.path + "/plain.txt", atomically: true, encoding: .utf8)
            let zipped = try runTool("sh", ["-c", "cd '\(dir.path)' && zip -q -X info.zip plain.txt"])
            try #require(zipped.status == 0, "zip failed: \(zipped.stderr)")
            let info = try Archive.read(contentsOf: dir.path + "/info.zip")
            #expect(info.map(\.path) == ["plain.txt"])
            #expect(info.first?.data == Array("from info-zip\n".utf8))
        }
    }

    @Test("python3's zipfile and tarfile read our archives", arguments: ArchiveFormat.allCases)
    func pythonReadsOurs(format: ArchiveFormat) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/ours"
        try Archive.write(Self.entries, format: format, to: path)
        let script = """
            import sys, json, zipfile, tarfile
            p, kind = sys.argv[1], sys.argv[2]
            out = {}
            if kind == 'zip':
                with zipfile.ZipFile(p) as z:
                    assert z.testzip() is None
                    for i in z.infolist():
                        if not i.is_dir(): out[i.filename] = z.read(i).hex()
            else:
                with tarfile.open(p, 'r:gz') as t:
                    for m in t.getmembers():
                        if m.isfile(): out[m.name] = t.extractfile(m).read().hex()
            print(json.dumps(out))
            """
        let result = try runTool("python3", ["-c", script, path, format == .zip ? "zip" : "tar"])
        try #require(result.status == 0, "python3 failed: \(result.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: result.stdout) as? [String: String]
        let files = try #require(decoded).mapValues { Hex.decode($0) ?? [] }
        #expect(files == Self.files(Self.entries))
    }
}
