import Foundation
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
@testable import ScrubjayVerify

/// Runs a Python snippet (zipfile can write archives our own writer refuses to).
func python(_ script: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 failed")
}

@Suite("verify: crafted archives")
struct CraftedArchiveTests {
    /// A package with one extra entry written by Python's zipfile, `entry` as given.
    func withEntry(_ name: String, data: String = "x", symlink: Bool = false) throws -> String {
        let p = SignedPackage.shared
        let out = p.directory + "/crafted-" + UUID().uuidString + ".zip"
        try python("""
            import sys, zipfile, shutil
            src, dst, name, data, link = sys.argv[1:6]
            shutil.copy(src, dst)
            with zipfile.ZipFile(dst, "a") as z:
                info = zipfile.ZipInfo(name)
                if link == "1":
                    info.create_system = 3
                    info.external_attr = (0o120777 << 16)
                z.writestr(info, data)
            """, [p.path, out, name, data, symlink ? "1" : "0"])
        return out
    }

    @Test("zip-slip, absolute, backslash and duplicate names, and links are refused with their code; nothing is written",
          arguments: [
            ("../../scrubjay-slip-\(UUID().uuidString)", "archive.unsafePath", false),
            ("/tmp/scrubjay-abs-\(UUID().uuidString)", "archive.unsafePath", false),
            ("events\\..\\..\\evil.jsonl", "archive.unsafePath", false),
            // A backslash alone: libarchive reads it as `/`, other tools extract `events\extra.jsonl`.
            ("events\\extra.jsonl", "archive.unsafePath", false),
            ("events\\main.jsonl", "archive.unsafePath", false),
            ("MANIFEST.JSON", "archive.duplicateName", false),
            ("events/main.jsonl", "archive.duplicateName", false),
            ("events/link.jsonl", "archive.link", true),
          ])
    func unsafe(name: String, code: String, symlink: Bool) throws {
        let p = SignedPackage.shared
        let crafted = try withEntry(name, data: symlink ? "/etc/passwd" : "x", symlink: symlink)
        let r = try p.verifier().verify(crafted)
        #expect(r.fails(failOnWarn: false))
        #expect(r.checks.first?.id == "archive" && r.checks.first?.status == .fail)
        #expect(codes(r) == [code], "\(name): \(codes(r))")
        #expect(r.checks.dropFirst().allSatisfy { $0.status == .skip }, "nothing else is read from an unsafe archive")
        // Nothing escaped: the targets do not exist.
        if name.hasPrefix("../") {
            #expect(!FileManager.default.fileExists(atPath: p.directory + "/" + name))
        } else if name.hasPrefix("/") {
            #expect(!FileManager.default.fileExists(atPath: name))
        }
    }

    /// The shared package with a 1 GiB entry of zeros appended by Python (a few MB on disk).
    func zipBomb(_ name: String) throws -> String {
        let p = SignedPackage.shared
        let bomb = p.directory + "/" + name + "-" + UUID().uuidString + ".zip"
        try python("""
            import sys, zipfile, shutil
            src, dst = sys.argv[1:3]
            shutil.copy(src, dst)
            chunk = bytes(1 << 20)
            with zipfile.ZipFile(dst, "a", compression=zipfile.ZIP_DEFLATED) as z:
                with z.open("assets/zeros.bin", "w", force_zip64=True) as f:
                    for _ in range(1024):
                        f.write(chunk)
            """, [p.path, bomb])
        return bomb
    }

    /// Expects `read` (a package reader) to refuse the package with a `PackageError`, which it
    /// returns; nil, with an issue recorded, when it reads it or fails otherwise.
    func refusal(_ read: () throws -> Void, _ what: String) -> PackageError? {
        do {
            try read()
            Issue.record("read \(what)")
        } catch let e as PackageError {
            return e
        } catch {
            Issue.record("\(error)")
        }
        return nil
    }

    @Test("a 1 GB zip bomb is refused quickly, before it is inflated")
    func zipBomb() throws {
        let p = SignedPackage.shared
        let bomb = try zipBomb("bomb")
        let size = try FileManager.default.attributesOfItem(atPath: bomb)[.size] as! Int
        #expect(size < 8 << 20, "the bomb is small on disk: \(size) bytes")
        let clock = ContinuousClock()
        var result: VerificationResult?
        let elapsed = try clock.measure { result = try p.verifier().verify(bomb) }
        #expect(codes(result!) == ["archive.bomb"])
        #expect(elapsed < .seconds(2), "refused in \(elapsed)")
    }

    @Test("the readers behind inspect, report, view, redact and sign refuse a zip bomb as verify does, before inflating it")
    func zipBombEveryReader() throws {
        let bomb = try zipBomb("bomb-readers")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let e = refusal({ _ = try ReplayPackage.open(bomb) }, "a 1 GB bomb of \(bomb)")
            #expect(e?.code == "archive.bomb", "\(String(describing: e))")
        }
        #expect(elapsed < .seconds(2), "refused in \(elapsed)")
    }

    @Test("an entry marked encrypted is refused with archive.encrypted")
    func encrypted() throws {
        let p = SignedPackage.shared
        let out = p.directory + "/encrypted-" + UUID().uuidString + ".zip"
        // General purpose flag bit 0 means "encrypted" (traditional PKWARE); set it in the entry's
        // local header and central directory record (Python's zipfile will not write it).
        try python("""
            import sys, zipfile, shutil
            src, dst = sys.argv[1:3]
            shutil.copy(src, dst)
            name = "assets/secret.bin"
            with zipfile.ZipFile(dst, "a") as z:
                z.writestr(name, bytes(64))
            offset = zipfile.ZipFile(dst).getinfo(name).header_offset
            data = bytearray(open(dst, "rb").read())
            data[offset + 6] |= 1
            i = data.find(b"PK\\x01\\x02")
            while i != -1:
                n = int.from_bytes(data[i + 28:i + 30], "little")
                if bytes(data[i + 46:i + 46 + n]) == name.encode():
                    data[i + 8] |= 1
                i = data.find(b"PK\\x01\\x02", i + 4)
            open(dst, "wb").write(data)
            """, [p.path, out])
        let r = try p.verifier().verify(out)
        #expect(codes(r) == ["archive.encrypted"], "\(codes(r))")
    }

    /// The shared package re-zipped by Python with `rename` applied to each entry name.
    func renamed(_ rename: String) throws -> String {
        let p = SignedPackage.shared
        let out = p.directory + "/renamed-" + UUID().uuidString + ".zip"
        try python("""
            import sys, zipfile
            src, dst, old, new = sys.argv[1:5]
            with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as o:
                for i in z.infolist():
                    o.writestr(i.filename.replace(old, new), z.read(i.filename))
            """, [p.path, out, "events/", rename])
        return out
    }

    @Test("a package whose events file is stored as events\\main.jsonl is refused by verify and by every reader (inspect, export)")
    func backslashInStoredName() throws {
        let crafted = try renamed("events\\")
        let r = try SignedPackage.shared.verifier().verify(crafted)
        #expect(codes(r) == ["archive.unsafePath"], "\(codes(r))")
        #expect(r.findings.first?.path == "events\\main.jsonl")
        let e = refusal({ _ = try ReplayPackage.open(crafted) }, "a package with a backslash in a name")
        #expect(e?.code == "archive.unsafePath")
        #expect(e?.entry == "events\\main.jsonl")
        // The same package with its names as they were still opens.
        #expect(try ReplayPackage.open(try renamed("events/")).files.keys.contains("events/main.jsonl"))
    }

    /// The shared package rebuilt byte by byte by Python with one twist that zipfile would not
    /// write: readers that go by the central directory (Python, Go, JavaScript players) and
    /// readers that go by the local headers (libarchive, streaming unzippers) see different files.
    func handBuilt(_ twist: String, entry: String) throws -> String {
        let p = SignedPackage.shared
        let out = p.directory + "/hand-" + twist + "-" + UUID().uuidString + ".zip"
        try python("""
            import sys, zipfile, zlib, struct
            src, dst, twist, target = sys.argv[1:5]
            z = zipfile.ZipFile(src)
            entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
            if twist == "directory":
                entries.append((target, b'{"type":4}\\n'))
            out = bytearray(); cd = bytearray()
            def local(name, method, crc, csize, usize, body):
                return struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0x800, method, 0, 0, crc, csize, usize, len(name), 0) + name + body
            for name, data in entries:
                lname = cname = name.encode()
                c = zlib.compressobj(3, zlib.DEFLATED, -15); body = c.compress(data) + c.flush()
                method, attr, stored = 8, 0o100644 << 16, data
                if name == target and twist == "cdName":
                    cname = name.replace("main", "mxin").encode()
                if name == target and twist == "storedSize":
                    # The local header covers the signed bytes; the directory, those and one more line.
                    method, stored = 0, data + b'{"type":4}\\n'
                    body = stored
                if name == target and twist == "directory":
                    attr = (0o040755 << 16) | 0x10
                if name == target and twist == "hidden":
                    # A local entry no directory record names, before the target: a streaming reader extracts it.
                    out += local(b"events/hidden.jsonl", 0, zlib.crc32(b"{}\\n"), 3, 3, b"{}\\n")
                offset = len(out)
                lsize = len(data) if method == 0 else len(body)
                out += local(lname, method, zlib.crc32(data), lsize, len(data), body)
                record = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20, 0x800, method, 0, 0, zlib.crc32(stored),
                                     len(body), len(stored), len(cname), 0, 0, 0, 0, attr, offset)
                cd += record + cname
                if name == target and twist == "extraRecord":
                    extra = record + name.replace("main", "mxin").encode()
            start = len(out); out += cd
            if twist == "shadowDirectory":
                # A second copy of the package after the directory, its target named with a
                # backslash, and its own directory just before the end record, which still gives
                # the first directory's offset. libarchive and Python read the directory that ends
                # at the end record (offsets shifted by the difference, as for prepended data).
                shadow = bytearray(); records = []
                for name, data in entries:
                    lname = name.replace("/", "\\\\").encode() if name == target else name.encode()
                    c = zlib.compressobj(3, zlib.DEFLATED, -15); body = c.compress(data) + c.flush()
                    records.append((lname, data, body, len(out) + len(shadow)))
                    shadow += local(lname, 8, zlib.crc32(data), len(body), len(data), body)
                out += shadow
                size = sum(46 + len(r[0]) for r in records)
                shift = len(out) - start  # where the directory is found, less where the end record says
                for lname, data, body, offset in records:
                    out += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20, 0x800, 8, 0, 0, zlib.crc32(data),
                                       len(body), len(data), len(lname), 0, 0, 0, 0, 0o100644 << 16, offset - shift) + lname
                cd = bytearray(size)
            if twist == "extraRecord":
                # One record more than the end record counts: Python reads it (the directory's size
                # says it is there), a reader going by the count does not.
                out += extra; cd += extra
            out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(entries), len(entries), len(cd), start, 0)
            open(dst, "wb").write(out)
            """, [p.path, out, twist, entry])
        return out
    }

    @Test("a ZIP whose local headers disagree with its central directory (name, sizes), or that holds an entry the directory does not list, is refused",
          arguments: [("cdName", "events/main.jsonl"), ("storedSize", "events/main.jsonl"), ("hidden", "redaction/report.json")])
    func centralDirectoryAndLocalHeadersAgree(twist: String, entry: String) throws {
        let p = SignedPackage.shared
        // The same construction without a twist passes: the refusals below are the twists'.
        #expect(try p.verifier().verify(try handBuilt("none", entry: entry)).verdict == .pass)
        let crafted = try handBuilt(twist, entry: entry)
        let r = try p.verifier().verify(crafted)
        #expect(codes(r) == ["archive.unreadable"], "\(twist): \(codes(r))")
        // The entry as the central directory names it (the local header's name is in the message).
        let named = twist == "cdName" ? "events/mxin.jsonl" : entry
        #expect(r.findings.first?.path == named, "\(twist): the finding names the entry: \(String(describing: r.findings.first?.path))")
        if twist == "cdName" { #expect(r.findings.first?.message.contains("events/main.jsonl") == true) }
        let e = refusal({ _ = try ReplayPackage.open(crafted) }, "a package its readers disagree on (\(twist))")
        #expect(e?.code == "archive.unreadable" && e?.entry == named, "\(String(describing: e))")
    }

    @Test("a ZIP central directory holding a record more than its end record counts (an unsigned second name for a signed entry) is refused")
    func uncountedDirectoryRecord() throws {
        let p = SignedPackage.shared
        let crafted = try handBuilt("extraRecord", entry: "events/main.jsonl")
        let r = try p.verifier().verify(crafted)
        #expect(codes(r) == ["archive.unreadable"], "\(codes(r))")
        let e = refusal({ _ = try ReplayPackage.readFiles(crafted) }, "the files of a directory with an uncounted record")
        #expect(e?.code == "archive.unreadable", "\(String(describing: e))")
    }

    @Test("a ZIP whose end record's directory offset is not where its directory ends (a second directory read by libarchive and Python) is refused")
    func shadowDirectory() throws {
        let p = SignedPackage.shared
        let crafted = try handBuilt("shadowDirectory", entry: "events/main.jsonl")
        let r = try p.verifier().verify(crafted)
        #expect(codes(r) == ["archive.unreadable"], "\(codes(r))")
    }

    @Test("a ZIP entry named as a file but marked a directory (which unzip and Python extract as a file, unsigned) is refused")
    func directoryMarkedFile() throws {
        let p = SignedPackage.shared
        let crafted = try handBuilt("directory", entry: "events/extra.jsonl")
        let r = try p.verifier().verify(crafted)
        #expect(codes(r) == ["archive.unsafePath"], "\(codes(r))")
        #expect(r.findings.first?.path == "events/extra.jsonl")
        let e = refusal({ _ = try ReplayPackage.open(crafted) }, "a package with a file marked as a directory")
        #expect(e?.code == "archive.unsafePath" && e?.entry == "events/extra.jsonl", "\(String(describing: e))")
    }

    @Test("entry names: absolute, `..`, backslash and NUL are unsafe; ordinary names are not")
    func entryNames() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "a\\b", "a\u{0}b", "a/.."] {
            #expect(!ReplayPackage.isSafeEntryName(Array(bad.utf8)), "\(bad)")
        }
        for good in ["manifest.json", "events/main.jsonl", "a/..b/c", "assets/x..y.png", "événements/ü.jsonl"] {
            #expect(ReplayPackage.isSafeEntryName(Array(good.utf8)), "\(good)")
        }
    }

    @Test("a manifest that is not JSON names its byte, line and column; one of the wrong shape its JSON pointer")
    func manifestErrorsArePlaced() throws {
        let p = SignedPackage.shared
        func withManifest(_ text: String) throws -> VerificationResult {
            let entries = p.entries.map { e -> ArchiveEntry in
                guard e.path == "manifest.json" else { return e }
                return ArchiveEntry(path: e.path, data: Array(text.utf8))
            }
            return try p.verifier().verify(try p.write(entries, "manifest"))
        }
        let broken = try withManifest("{\n  \"format\": \"scrubjay-replay\",\n  \"files\": [")
        let message = try #require(broken.findings.first { $0.code == "manifest.invalid" }?.message)
        #expect(message.contains("not valid JSON") && message.contains("(line 3, column"), "\(message)")
        #expect(!message.contains("DecodingError"), "\(message)")

        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(p.entries.first { $0.path == "manifest.json" }!.data)) as? [String: Any])
        var files = try #require(manifest["files"] as? [[String: Any]])
        files[0]["size"] = "large"
        manifest["files"] = files
        let wrongType = try withManifest(String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self))
        let typeMessage = try #require(wrongType.findings.first { $0.code == "manifest.invalid" }?.message)
        #expect(typeMessage == "/files/0/size: expected a number", "\(typeMessage)")
        manifest.removeValue(forKey: "files")
        let missing = try withManifest(String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self))
        let missingMessage = try #require(missing.findings.first { $0.code == "manifest.invalid" }?.message)
        #expect(missingMessage == "missing member \"files\" in the top level", "\(missingMessage)")
    }
}
