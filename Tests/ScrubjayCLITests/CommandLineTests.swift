import Foundation
import Testing
@testable import ScrubjayCLI

/// Runs the built `scrubjay` binary (built beside the test bundle by `swift build --build-tests`).
func runScrubjay(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let productsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug")
    let candidates = [
        Bundle.main.bundleURL.appendingPathComponent("scrubjay"),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("scrubjay"),
        productsDir.appendingPathComponent("scrubjay"),
    ]
    let binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

@Suite("The scrubjay command line")
struct CommandLineTests {
    @Test func helpListsTheProductsCommands() {
        let help = ScrubjayCommand.helpMessage()
        for command in ["inspect", "pack", "export", "audit", "redact", "rules", "keygen", "sign", "verify", "facts", "report", "view"] {
            #expect(help.contains("  \(command) "), "help should list \(command)")
        }
        #expect(help.contains("Exit codes: 0 success; 1 a check failed; 2 usage error or missing input;"))
    }

    @Test func version() throws {
        let r = try runScrubjay(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout == ScrubjayCommand.version + "\n")
    }

    @Test func inspectARecording() throws {
        let r = try runScrubjay(["inspect", fixtures + "/rrweb/integration--record-integration-tests-can-record-form-interactions-1.json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("format:    rrweb-json (a JSON array of rrweb events)"))
        #expect(r.stdout.contains("events:    38\n"))
        #expect(r.stdout.contains("  Input                21\n"))
    }

    @Test func inspectAsJSON() throws {
        let r = try runScrubjay(["inspect", "--json", fixtures + "/posthog-shapes/wide-layout.blob_v2.jsonl"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["format"] as? String == "posthog-blob-v2")
        #expect(obj["events"] as? Int == 489)
        #expect((obj["windows"] as? [String: Int])?["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"] == 489)
        #expect((obj["pageURLs"] as? [String])?.first == "https://posthog-revert-2477-rev-9tm5r0.herokuapp.com/insights")
    }

    @Test func missingInputIsAUsageError() throws {
        let r = try runScrubjay(["inspect", "/nonexistent/recording.json"])
        #expect(r.status == ExitStatus.usage.rawValue)
        #expect(r.stderr == "scrubjay: error: /nonexistent/recording.json: cannot open: No such file or directory\n")
    }

    @Test func malformedInputNamesThePlace() throws {
        let path = NSTemporaryDirectory() + "/scrubjay-bad-\(UUID().uuidString).json"
        try Data("[{\"type\":4},\n{\"type\":3,}]".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runScrubjay(["inspect", path])
        #expect(r.status == ExitStatus.malformedInput.rawValue)
        #expect(r.stderr.contains("\(path): a comma before '}' (trailing comma) at byte 22 (line 2, column 10, event 1)"))
    }

    @Test func unknownShapeIsMalformedInput() throws {
        let r = try runScrubjay(["inspect", fixtures + "/accuracy/relay_cases.jsonl"])
        #expect(r.status == ExitStatus.malformedInput.rawValue)
        #expect(r.stderr.contains("not a recording shape Scrubjay reads. Supported shapes:"))
    }

    @Test func privacyMarkersAndMaskedInputs() throws {
        let r = try runScrubjay(["inspect", "--json", fixtures + "/posthog/recording_snapshots.json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((obj["privacyMarkers"] as? [String: Int])?["ph-no-capture"] == 2)
        #expect((obj["windows"] as? [String: Int])?.count == 2)
        let masked = try runScrubjay(["inspect", "--json", fixtures + "/rrweb/integration--record-integration-tests-should-not-record-input-values-if-maskallinputs-is-enab.json"])
        let m = try #require(try JSONSerialization.jsonObject(with: Data(masked.stdout.utf8)) as? [String: Any])
        #expect(m["maskedInputs"] as? Int == 26)
    }

    @Test func unknownFlagIsAUsageError() throws {
        let r = try runScrubjay(["inspect", "--no-such-flag", "x"])
        #expect(r.status == ExitStatus.usage.rawValue)
        #expect(r.stderr.contains("Unknown option '--no-such-flag'"))
    }
}
