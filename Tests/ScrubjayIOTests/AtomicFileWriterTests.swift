import Foundation
import Testing
@testable import ScrubjayIO
import ScrubjayTestSupport

@Suite("Files are read whole and written atomically")
struct AtomicFileWriterTests {
    let dir: String = {
        let d = scratchPath("scrubjay-io")
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func listing() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] }

    @Test func commitPutsTheFileInPlace() throws {
        let path = dir + "/out.json"
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Array("[1,".utf8))
        #expect(!FileManager.default.fileExists(atPath: path), "nothing appears before commit")
        try writer.write(Array("2]".utf8))
        try writer.commit()
        #expect(try InputFile.read(path) == Array("[1,2]".utf8))
        #expect(listing() == ["out.json"], "no temporary file is left")
    }

    @Test func discardLeavesTheOldFileAlone() throws {
        let path = dir + "/out.json"
        try AtomicFileWriter.write(Array("old".utf8), to: path)
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(Array("half written".utf8))
            // dropped without commit, as when an error interrupts the work
        }
        #expect(try InputFile.read(path) == Array("old".utf8))
        #expect(listing() == ["out.json"])
    }

    @Test func missingDirectoryIsAClearError() throws {
        let path = dir + "/no/such/dir/out.json"
        #expect(throws: FileError.self) { try AtomicFileWriter(path: path) }
        do {
            _ = try AtomicFileWriter(path: path)
        } catch {
            #expect(error.description.hasPrefix(path + ": cannot write: No such file or directory"))
        }
    }

    /// `-o` naming a symbolic link replaces the file it names; the link stays a link.
    @Test func aSymbolicLinkIsFollowed() throws {
        let target = dir + "/real.zip", link = dir + "/link.zip"
        try AtomicFileWriter.write(Array("old".utf8), to: target)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.zip")
        try AtomicFileWriter.write(Array("new".utf8), to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.zip")
        #expect(try InputFile.read(target) == Array("new".utf8))
        #expect(Set(listing()) == ["real.zip", "link.zip"], "no temporary file is left")
    }

    /// A device, a FIFO, a directory or a link to nothing is refused, and left as it was
    /// (the rename would have replaced a device such as /dev/full with a regular file).
    @Test func whatIsNotARegularFileIsRefusedAndLeftAlone() throws {
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let dangling = dir + "/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "nowhere")
        for (path, words) in [(fifo, "a FIFO"), (dir, "a directory"), ("/dev/null", "a device"), (dangling, "a symbolic link to nothing")] {
            let error = #expect(throws: FileError.self) { try AtomicFileWriter(path: path) }
            #expect(error?.description.hasPrefix(path + ": cannot write: " + words) == true, "\(error?.description ?? "")")
        }
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        #expect(Set(listing()) == ["pipe", "dangling"], "no temporary file is left")
    }

    @Test func readingAMissingFileNamesIt() throws {
        do {
            _ = try InputFile.read(dir + "/missing.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.errno == ENOENT)
            #expect(error.description == dir + "/missing.json: cannot open: No such file or directory")
        }
    }

    @Test func readingADirectoryIsRefused() throws {
        #expect(throws: FileError.self) { try InputFile.read(dir) }
    }

    @Test func paddedReadEndsInZeros() throws {
        let path = dir + "/x.json"
        try AtomicFileWriter.write(Array("{}".utf8), to: path)
        let (buffer, count) = try InputFile.readPadded(path, padding: 16)
        defer { buffer.deallocate() }
        #expect(count == 2)
        #expect(Array(buffer[0..<2]) == Array("{}".utf8))
        #expect(buffer[2..<18].allSatisfy { $0 == 0 })
    }
}

@Suite("Atomic writes keep permissions")
struct AtomicPermissionTests {
    @Test func replacingAPrivateFileKeepsItPrivate() throws {
        let path = scratchPath("scrubjay-perm")
        defer { unlink(path) }
        try AtomicFileWriter.write(Array("secret".utf8), to: path, permissions: 0o600)
        try AtomicFileWriter.write(Array("new".utf8), to: path)
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o777 == 0o600)
    }
}
