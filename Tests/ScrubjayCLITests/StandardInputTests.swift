import Foundation
import ScrubjayNative
import ScrubjayTestSupport
import Testing

/// `-` as an input: standard input, for the commands that read recordings (inspect, pack,
/// audit, redact); named `stdin` wherever the input is named; the copy it takes is gone when
/// the command ends, whatever the outcome.
@Suite("Standard input as an input file")
struct StandardInputTests {
    static let recording = fixtures + "/posthog/with-pageviews.json"

    /// A fresh TMPDIR for the child, so that what the copy leaves behind can be seen.
    func withTemporaryDirectory<T>(_ body: (_ tmp: String, _ env: [String: String]) throws -> T) throws -> T {
        let tmp = makeTemporaryDirectory("scrubjay-stdin-tmp")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let result = try body(tmp, ["TMPDIR": tmp])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "the copy of standard input was left behind")
        return result
    }

    @Test func auditReadsStandardInputAsItReadsTheFile() throws {
        try withTemporaryDirectory { _, env in
            let file = try runScrubjay(["audit", StandardInputTests.recording])
            let piped = try runScrubjay(["audit", "-"], stdinFile: StandardInputTests.recording, environment: env)
            #expect(piped.status == 0 && file.status == 0, "\(piped.stderr)")
            // The same findings; the input named `stdin`.
            #expect(piped.stdout == file.stdout.replacingOccurrences(of: StandardInputTests.recording, with: "stdin"), "\(piped.stdout)")
            #expect(piped.stdout.hasPrefix("stdin: 178 events"))
            // With a second input, each finding names its input: `stdin` for the piped one.
            let two = try runScrubjay(["audit", "-", StandardInputTests.recording, "--format", "json"],
                                      stdinFile: StandardInputTests.recording, environment: env)
            #expect(two.status == 0)
            #expect(two.stdout.contains(#""input" : "stdin""#) && !two.stdout.contains("scrubjay-stdin."), "\(two.stdout.prefix(2000))")
        }
    }

    @Test func redactAndPackWriteFromStandardInput() throws {
        let out = makeTemporaryDirectory("scrubjay-stdin-out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try withTemporaryDirectory { _, env in
            let r = try runScrubjay(["redact", "-", "-o", out + "/r.zip"], stdinFile: StandardInputTests.recording, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("(178 events, 37 findings rewritten in 37 strings"), "\(r.stderr)")
            let entries = try Archive.read(contentsOf: out + "/r.zip")
            let manifest = try #require(entries.first { $0.path == "manifest.json" })
            let inputs = try #require((try JSONSerialization.jsonObject(with: Data(manifest.data)) as? [String: Any])?["provenance"] as? [String: Any])
            let first = try #require((inputs["inputs"] as? [[String: Any]])?.first)
            // The input's name is `stdin`; its digest is the file's.
            #expect(first["path"] as? String == "stdin")
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: StandardInputTests.recording)))
            #expect(first["sha256"] as? String == Hex.encode(Digest.sha256(bytes)))
            let p = try runScrubjay(["pack", "-", "-o", out + "/p.zip"], stdinFile: StandardInputTests.recording, environment: env)
            #expect(p.status == 0 && p.stderr.contains("178 events"), "\(p.stderr)")
            let i = try runScrubjay(["inspect", "-"], stdinFile: StandardInputTests.recording, environment: env)
            #expect(i.status == 0 && i.stdout.hasPrefix("file:      stdin\n"), "\(i.stdout)")
        }
    }

    @Test func badInputOnStandardInputIsNamedStdinAndLeavesNothing() throws {
        let bad = scratchPath("scrubjay-stdin-bad") + ".json"
        try Data(#"[{"type":4,"data":{},"timestamp":1},"#.utf8).write(to: URL(fileURLWithPath: bad))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let out = makeTemporaryDirectory("scrubjay-stdin-out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try withTemporaryDirectory { _, env in
            let r = try runScrubjay(["redact", "-", "-o", out + "/r.zip"], stdinFile: bad, environment: env)
            #expect(r.status == 3)
            #expect(r.stderr.hasPrefix("scrubjay: error: stdin: the input ends in the middle of the event array"), "\(r.stderr)")
            #expect(!r.stderr.contains("scrubjay-stdin."))
            #expect(!FileManager.default.fileExists(atPath: out + "/r.zip"))
        }
    }

    @Test func standardInputIsReadOnceAndNeverFromATerminal() throws {
        try withTemporaryDirectory { _, env in
            let twice = try runScrubjay(["audit", "-", "-"], stdinFile: StandardInputTests.recording, environment: env)
            #expect(twice.status == 2 && twice.stderr.contains("- (standard input) is given 2 times; it can be read once"), "\(twice.stderr)")
            let terminal = try runScrubjay(["audit", "-"], stdinOnTerminal: true, environment: env)
            #expect(terminal.status == 2, "\(terminal.stderr)")
            #expect(terminal.stderr.contains("-: standard input is a terminal; pipe a file in (scrubjay audit - < FILE) or name it"), "\(terminal.stderr)")
        }
    }

    /// A signal that ends the command while it copies standard input (a closed pipe, a
    /// timeout's SIGTERM) deletes the copy too: found left behind, whole, by a review.
    @Test func aSignalLeavesNoCopyBehind() throws {
        try withTemporaryDirectory { tmp, env in
            let productsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/scrubjay")
            let process = Process()
            process.executableURL = productsDir
            process.arguments = ["audit", "-"]
            process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Part of a recording, the pipe left open: the command waits in its copy.
            input.fileHandleForWriting.write(Data(#"[{"type":4,"data":{"href":"https://s.test/"},"timestamp":1},"#.utf8))
            var waited = 0
            while (try FileManager.default.contentsOfDirectory(atPath: tmp)).isEmpty && waited < 500 { usleep(10_000); waited += 1 }
            #expect(try !FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "the copy was never made")
            process.terminate()
            // Bounded: a command that ignored the signal must not hang the tests.
            var polls = 0
            while process.isRunning && polls < 1000 { usleep(10_000); polls += 1 }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("the command did not end on SIGTERM")
            }
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
            try? input.fileHandleForWriting.close()
        }
    }

    /// The commands that read a package by name say so, where they said "no such file".
    @Test func commandsThatReadAPackageByNameSaySo() throws {
        for args in [["verify", "-"], ["facts", "-"], ["report", "-", "--format", "json"], ["export", "-", "-o", scratchPath("x") + ".json"]] {
            let r = try runScrubjay(args, stdinFile: StandardInputTests.recording)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("-: standard input is read by inspect, pack, audit and redact; name the file here"), "\(args): \(r.stderr)")
        }
    }
}
