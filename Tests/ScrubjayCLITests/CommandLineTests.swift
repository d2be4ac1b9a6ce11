import ArgumentParser
import Foundation
import Testing
@testable import ScrubjayCLI
import ScrubjayTestSupport

/// Runs the built `scrubjay` binary (built beside the test bundle by `swift build --build-tests`).
/// `stdoutOnTerminal`: its standard output is a pseudo-terminal (as when a person runs it), and
/// `stdout` is what reached that terminal. Standard input: the file `stdinFile`, or a
/// pseudo-terminal with `stdinOnTerminal`. `environment`: variables set or changed.
func runScrubjay(_ arguments: [String], stdoutOnTerminal: Bool = false, stdinFile: String? = nil, stdinOnTerminal: Bool = false,
                 environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
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
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    if let stdinFile { process.standardInput = try #require(FileHandle(forReadingAtPath: stdinFile)) }
    let input = stdinOnTerminal ? try PseudoTerminal() : nil
    if let input { process.standardInput = input.child }
    let out = Pipe(), err = Pipe()
    let terminal = stdoutOnTerminal ? try PseudoTerminal() : nil
    process.standardOutput = terminal?.child ?? out
    process.standardError = err
    try process.run()
    let o = try terminal?.readWhile(process) ?? out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if let input { try? input.child.close(); close(input.master) }
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A pseudo-terminal to give a child as its standard output (`isatty` holds there).
struct PseudoTerminal {
    let master: Int32
    let child: FileHandle

    init() throws {
        var master: Int32 = -1, fd: Int32 = -1
        guard openpty(&master, &fd, nil, nil, nil) == 0 else { throw CocoaError(.fileReadUnknown) }
        self.master = master
        child = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        _ = fcntl(master, F_SETFL, O_NONBLOCK)
    }

    /// What the child writes to the terminal, read while it runs (so that it never blocks on a
    /// full terminal) and until it is gone; closes the terminal.
    func readWhile(_ process: Process) throws -> Data {
        try child.close()
        defer { close(master) }
        var data = Data(), buffer = [UInt8](repeating: 0, count: 65536)
        func drain() {
            while case let n = read(master, &buffer, buffer.count), n > 0 { data.append(contentsOf: buffer[0..<n]) }
        }
        while process.isRunning { drain(); usleep(10_000) }
        drain()
        return data
    }
}

/// A new, empty directory under the temporary directory, named `prefix-<UUID>`.
func makeTemporaryDirectory(_ prefix: String) -> String {
    let d = scratchPath(prefix)
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
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

    /// The list of commands in `scrubjay --help` is laid out by hand: at 80 columns no line of it
    /// may be re-wrapped (lines of 86 to 101 characters once left "channels", "JUnit" and
    /// "(offline with --player-dir)" alone at the start of a line, out of the columns).
    @Test func theCommandListFitsEightyColumns() throws {
        let help = ScrubjayCommand.helpMessage(columns: 80)
        let discussion = ScrubjayCommand.configuration.discussion
        let list = discussion.split(separator: "\n").filter { $0.hasPrefix("  ") }
        #expect(list.count >= 12)
        for line in list {
            #expect(line.count <= 80, "\(line)")
            #expect(help.contains("\n" + line + "\n"), "re-wrapped in the help: \(line)")
        }
        let r = try runScrubjay(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    /// An error no command turned into a documented code is a bug: exit 70, as the README says,
    /// with "internal error" in its message. It was exit 1, which a pipeline reads as a failed
    /// check, under ArgumentParser's bare "Error: ...".
    @Test func anUnexpectedErrorIsAnInternalError() {
        struct Unexpected: Error, CustomStringConvertible { var description: String { "something unforeseen" } }
        let unexpected = ScrubjayCommand.exitStatus(for: Unexpected())
        #expect(unexpected.status == 70)
        #expect(unexpected.message == "scrubjay: error: internal error (a bug: please report it): something unforeseen")
        #expect(ScrubjayCommand.exitStatus(for: ExitCode(1)).status == 1)
        #expect(ScrubjayCommand.exitStatus(for: ExitCode(3)).status == 3)
        #expect(ScrubjayCommand.exitStatus(for: ValidationError("bad")).status == 2)
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

    @Test func inspectListsNetworkHostsAndConsoleLevels() throws {
        let r = try runScrubjay(["inspect", fixtures + "/synthetic/synthetic-seed7.json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("network hosts:\n  api.example.com                46 requests\n"))
        #expect(r.stdout.contains("console levels:\n  error                18\n  log                  21\n  warn                 10\n"))
        let sentry = try runScrubjay(["inspect", "--json", fixtures + "/relay/rrweb-request.json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(sentry.stdout.utf8)) as? [String: Any])
        #expect(obj["networkHosts"] as? [String: Int] == ["domain.com": 1])
        #expect(obj["consoleLevels"] as? [String: Int] == [:])
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

    /// audit, verify and report take `--format json`; inspect took only `--json` and refused
    /// `--format` as an unknown option (exit 2). Both spellings now give the same JSON.
    @Test func inspectTakesFormatLikeTheOtherCommands() throws {
        let file = fixtures + "/posthog-shapes/wide-layout.blob_v2.jsonl"
        let flag = try runScrubjay(["inspect", "--json", file])
        let option = try runScrubjay(["inspect", "--format", "json", file])
        #expect(option.status == 0, "\(option.stderr)")
        #expect(option.stdout == flag.stdout)
        let text = try runScrubjay(["inspect", "--format", "text", file])
        #expect(text.status == 0 && text.stdout.hasPrefix("file:      "))
        #expect(try runScrubjay(["inspect", "--format", "sarif", file]).status == ExitStatus.usage.rawValue)
    }

    /// Page URLs as reports show them: query and fragment values `***`, user information
    /// dropped. inspect printed `?email=ana.lima@mail.test&card=4242424242424242` whole, on a
    /// terminal or in a CI log, where it lists network requests by host only.
    @Test func inspectMasksQueryValuesOfPageURLs() throws {
        let dir = makeTemporaryDirectory("scrubjay-inspect-urls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/r.json"
        try #"[{"type":4,"data":{"href":"https://ana:pw@shop.test/account?email=ana.lima@mail.test&card=4242424242424242#tab=orders","width":1,"height":1},"timestamp":1},{"type":4,"data":{"href":"https://shop.test/account?email=bob@mail.test&card=1","width":1,"height":1},"timestamp":2}]"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let text = try runScrubjay(["inspect", path])
        #expect(text.stdout.contains("page URLs:\n  https://shop.test/account?email=***&card=***#tab=***\n  https://shop.test/account?email=***&card=***\n"), "\(text.stdout)")
        let json = try runScrubjay(["inspect", "--json", path])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(obj["pageURLs"] as? [String] == ["https://shop.test/account?email=***&card=***#tab=***", "https://shop.test/account?email=***&card=***"])
        #expect(try runScrubjay(["pack", path, "-o", dir + "/p.zip"]).status == 0)
        let package = try runScrubjay(["inspect", dir + "/p.zip"])
        for out in [text.stdout, json.stdout, package.stdout] {
            #expect(!out.contains("ana.lima@mail.test") && !out.contains("4242424242424242") && !out.contains("ana:pw"), "\(out)")
        }
    }

    @Test func missingInputIsAUsageError() throws {
        let r = try runScrubjay(["inspect", "/nonexistent/recording.json"])
        #expect(r.status == ExitStatus.usage.rawValue)
        #expect(r.stderr == "scrubjay: error: /nonexistent/recording.json: cannot open: No such file or directory\n")
    }

    @Test func malformedInputNamesThePlace() throws {
        let path = scratchPath("scrubjay-bad") + ".json"
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
        // One shape a line, as docs/INPUTS.md shows it (the list was one line of \n escapes).
        #expect(r.stderr.hasPrefix("scrubjay: error: \(fixtures)/accuracy/relay_cases.jsonl: not a recording shape Scrubjay reads. Supported shapes:\n  rrweb-json: a JSON array of rrweb events\n  rrweb-jsonl: "), "\(r.stderr)")
        #expect(!r.stderr.contains("\\n"))
        #expect(r.stderr.hasSuffix("  posthog-window-lines: PostHog blob lines ({\"window_id\", \"data\": [events]})\n"))
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

/// Checks a manifest the CLI wrote against the schema (Tests/Support/validate_manifest.py).
func expectValidManifest(_ manifest: Any) throws {
    let path = scratchPath("scrubjay-manifest") + ".json"
    try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let v = Process()
    v.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    v.arguments = ["python3", fixtures + "/../Support/validate_manifest.py", path]
    try v.run()
    v.waitUntilExit()
    #expect(v.terminationStatus == 0, "the manifest does not match docs/schemas/package-manifest.schema.json")
}

@Suite("pack, inspect and export from the command line")
struct PackageCommandTests {
    let dir = makeTemporaryDirectory("scrubjay-cli")

    @Test func packInspectExport() throws {
        let pkg = dir + "/rec.zip"
        let p = try runScrubjay(["pack", fixtures + "/posthog/recording_snapshots.jsonl", "-o", pkg, "--storage-region", "eu-central-1", "--recording-id", "rec-1"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stdout.isEmpty && p.stderr == "wrote \(pkg) (49 events in 2 windows, 0 assets, fidelity full)\n", "\(p.stderr)")
        let i = try runScrubjay(["inspect", "--json", pkg])
        #expect(i.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(i.stdout.utf8)) as? [String: Any])
        #expect(obj["checksumsHold"] as? Bool == true)
        let manifest = try #require(obj["manifest"] as? [String: Any])
        #expect((manifest["provenance"] as? [String: Any])?["storageRegion"] as? String == "eu-central-1")
        #expect((manifest["recording"] as? [String: Any])?["id"] as? String == "rec-1")
        try expectValidManifest(manifest)
        let out = dir + "/rec.json"
        let e = try runScrubjay(["export", pkg, "-o", out, "--format", "rrweb-jsonl"])
        #expect(e.status == 0, "\(e.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 49)
    }

    @Test func tamperedPackageFailsInspect() throws {
        let pkg = dir + "/t.zip"
        _ = try runScrubjay(["pack", fixtures + "/rrweb/record--record-can-add-custom-event-1.json", "-o", pkg])
        let before = try runScrubjay(["inspect", "--json", pkg])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any])
        try expectValidManifest(try #require(obj["manifest"]))
        // Flip one byte of the stored (uncompressed or deflated) events entry via libarchive-free means:
        var data = try Data(contentsOf: URL(fileURLWithPath: pkg))
        let marker = Data("events/main.jsonl".utf8)
        let at = try #require(data.range(of: marker, options: [], in: 0..<data.count)?.upperBound)
        data[at + 3] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: pkg))
        let r = try runScrubjay(["inspect", pkg])
        #expect(r.status != 0)
        #expect(r.stderr.contains(pkg))
    }

    @Test func exportWritesNothingOnError() throws {
        let out = dir + "/never.json"
        let r = try runScrubjay(["export", fixtures + "/posthog/docs.json", "-o", out])
        // A usage problem, as verify, facts and report say it (export, view and sign said 3,
        // malformed input).
        #expect(r.status == ExitStatus.usage.rawValue)
        // A recording where a package is expected is named as such (it was libarchive's
        // "cannot read archive '...': Unrecognized archive format"), as verify and report say it.
        #expect(r.stderr == "scrubjay: error: \(fixtures)/posthog/docs.json: not a package (neither a ZIP nor a tar.gz archive); `scrubjay pack` or `redact` makes one of a recording\n")
        let view = try runScrubjay(["view", fixtures + "/posthog/docs.json", "-o", out])
        #expect(view.status == ExitStatus.usage.rawValue)
        #expect(view.stderr.contains("docs.json: not a package (neither a ZIP nor a tar.gz archive)"), "\(view.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir)).isEmpty)
    }

    /// `pack -o x.tar.gz` once wrote a ZIP under that name, which `tar -xzf` cannot open: a
    /// package is written as ZIP only, so a tar name is refused (exit 2) before any work.
    @Test func aTarNameForAPackageIsAUsageError() throws {
        for (command, name) in [("pack", "x.tar.gz"), ("redact", "x.TGZ"), ("pack", "x.tar")] {
            let out = dir + "/" + name
            let r = try runScrubjay([command, fixtures + "/posthog/docs.json", "-o", out])
            #expect(r.status == ExitStatus.usage.rawValue, "\(command) \(name): \(r.stderr)")
            #expect(r.stderr.contains("-o \(out): packages are written as ZIP"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test func badFidelityIsAUsageError() throws {
        let r = try runScrubjay(["pack", fixtures + "/posthog/docs.json", "-o", dir + "/x.zip", "--fidelity", "tiny"])
        #expect(r.status == ExitStatus.usage.rawValue)
        #expect(r.stderr.contains("--fidelity must be full or summary"))
    }
}

@Suite("inspect recognises mobile recordings")
struct MobileInspectTests {
    @Test(arguments: ["posthog-mobile/increment-with-child-duplication.json", "posthog-mobile/encoded-snapshot-data.jsonl"])
    func mobileChannel(_ file: String) throws {
        let r = try runScrubjay(["inspect", "--json", fixtures + "/" + file])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((obj["channels"] as? [String])?.contains("mobile") == true, "\(file)")
    }
}

@Suite("scrubjay rules")
struct RulesCommandTests {
    let pack: String = {
        let path = scratchPath("scrubjay-rules") + ".yml"
        let yaml = """
        version: 1
        pack: cli-test
        rules:
          - id: email
            description: Email addresses
            category: contact
            severity: medium
            pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}'
            keywords: ['@']
            action: mask
            examples:
              match:
                - input: 'mail ana@shop.test'
                  output: 'mail *************'
              no_match: ['ana at shop']
          - id: wrong
            description: An example that fails
            category: identifier
            severity: low
            pattern: '[0-9]{3}'
            action: replace
            replacement: '[n]'
            examples:
              match:
                - input: 'id 123'
                  output: 'id 123'

        """
        try! yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    @Test func testReportsEachFailureAtItsLineAndExits1() throws {
        let r = try runScrubjay(["rules", "test", pack])
        #expect(r.status == ExitStatus.checkFailed.rawValue)
        #expect(r.stdout.contains("\(pack):25: rule wrong: rewrites \"id 123\" to \"id [n]\", expected \"id 123\""))
        #expect(r.stdout.hasSuffix("2 rules, 3 examples: 1 failed\n"))
    }

    /// The README gives `rules list|test|explain [--rules FILE|DIR]`: `test` takes `--rules` as
    /// the other two do (it once refused it as an unknown option, exit 2), and its files too.
    @Test func testTakesRulesLikeListAndExplain() throws {
        let r = try runScrubjay(["rules", "test", "--rules", pack])
        #expect(r.status == ExitStatus.checkFailed.rawValue, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("2 rules, 3 examples: 1 failed\n"))
        let builtin = try runScrubjay(["rules", "test"])
        #expect(builtin.status == 0, "\(builtin.stdout)")
        #expect(builtin.stdout.hasPrefix("70 rules, "))
    }

    @Test func listAndExplain() throws {
        let l = try runScrubjay(["rules", "list", "--rules", pack])
        #expect(l.status == 0)
        #expect(l.stdout.contains("cli-test (\(pack), sha256 "))
        #expect(l.stdout.contains("  email "))
        let e = try runScrubjay(["rules", "explain", "email", "--rules", pack])
        #expect(e.status == 0)
        #expect(e.stdout.contains("  keywords:   @"))
        #expect(e.stdout.contains("  example:    mail ana@shop.test  ->  mail *************"))
        let missing = try runScrubjay(["rules", "explain", "nope", "--rules", pack])
        #expect(missing.status == ExitStatus.usage.rawValue)
    }

    /// A field or selector rule is explained by what it matches on: its paths, its selector and
    /// attributes. It showed "channels:" empty and "pattern: [\s\S]+", an internal default.
    @Test func explainShowsPathsAndSelectors() throws {
        let field = try runScrubjay(["rules", "explain", "network.auth_header"])
        #expect(field.status == 0)
        #expect(field.stdout.contains("  kind:       field\n  path:       network.request.headers.authorization\n"), "\(field.stdout)")
        #expect(field.stdout.contains("  pattern:    (the whole value)\n"))
        let selector = try runScrubjay(["rules", "explain", "privacy.block_marker"])
        #expect(selector.stdout.contains("  kind:       selector\n  selector:   .ph-no-capture, .rr-block, "), "\(selector.stdout)")
        let attribute = try runScrubjay(["rules", "explain", "privacy.marked_attributes"])
        #expect(attribute.stdout.contains("  attributes: title, alt, placeholder, "), "\(attribute.stdout)")
        #expect(attribute.stdout.contains("(and every element below)\n"))
        for r in [field, selector, attribute] {
            #expect(!r.stdout.contains("channels:   \n") && !r.stdout.contains(#"[\s\S]+"#), "\(r.stdout)")
        }
        let pattern = try runScrubjay(["rules", "explain", "email"])
        #expect(pattern.stdout.contains("  kind:       pattern\n  channels:   all\n  pattern:    "), "\(pattern.stdout)")
        // An echo rule by where it looks and what it learns from, not its placeholder pattern.
        let echo = try runScrubjay(["rules", "explain", "privacy.echoed_value"])
        #expect(echo.stdout.contains("  kind:       echo\n  channels:   all\n"
                                     + "  learns from: privacy.mask_marker_input, privacy.personal_field, privacy.payment_field\n  action:     mask\n"), "\(echo.stdout)")
        #expect(!echo.stdout.contains("pattern:"))
        // The prefilters a pattern needs beyond its keywords and digits.
        let dni = try runScrubjay(["rules", "explain", "es_dni"])
        #expect(dni.stdout.contains("  min digits: 7\n  needs:      at least 1 letter, 7 digits in a row\n"), "\(dni.stdout)")
        let userinfo = try runScrubjay(["rules", "explain", "url_credentials"])
        #expect(userinfo.stdout.contains("  keywords:   ://\n  requires:   @\n"), "\(userinfo.stdout)")
    }

    @Test func aBrokenPackIsMalformedInput() throws {
        let path = scratchPath("scrubjay-bad") + ".yml"
        try "version: 1\npack: bad\nrules:\n  - id: x\n    category: contact\n    severity: low\n    pattern: 'a(b'\n    action: mask\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runScrubjay(["rules", "list", "--rules", path])
        #expect(r.status == ExitStatus.malformedInput.rawValue)
        #expect(r.stderr.contains("\(path):7: rule x: invalid pattern: "))
    }
}

/// Every command that writes files says so in one line on standard error, `wrote OUT (...)`,
/// and leaves standard output to results a program reads (keygen: the key id alone). pack and
/// redact printed their line on standard output, sign and keygen two lines there, export, view
/// and report -o nothing at all.
@Test func everyCommandThatWritesFilesSaysSoInOneLineOnStandardError() throws {
    let dir = makeTemporaryDirectory("scrubjay-wrote")
    let input = dir + "/in.json"
    try #"[{"type":5,"data":{"tag":"signup","payload":{"email":"ana.lopez@shop.test"}},"timestamp":1700000000000}]"#
        .write(toFile: input, atomically: true, encoding: .utf8)
    let key = dir + "/k.pem", pkg = dir + "/r.zip"
    let steps: [(arguments: [String], line: String)] = [
        (["keygen", "-o", key], "wrote \(key) (Ed25519 private key, mode 0600; key id sha256:"),
        (["pack", input, "-o", dir + "/p.zip"], "wrote \(dir)/p.zip (1 event in 1 window, 0 assets, fidelity full)"),
        (["redact", input, "-o", pkg, "--sign-key", key, "--report-html", dir + "/r.html"],
         "wrote \(pkg) (1 event, 1 finding rewritten in 1 string: contact 1; signed by sha256:"),
        (["export", pkg, "-o", dir + "/e.json"], "wrote \(dir)/e.json (1 event, rrweb-json)"),
        (["view", pkg, "-o", dir + "/v.html"], "wrote \(dir)/v.html (1 event in 1 window, rrweb-player loaded from "),
        (["report", pkg, "--format", "md", "-o", dir + "/r.md"], "wrote \(dir)/r.md (md report)"),
        (["verify", pkg, "--trusted-key", dir + "/k.pub.pem", "-o", dir + "/v.txt", "--sarif-output", dir + "/v.sarif"],
         "wrote \(dir)/v.txt (PASS: 0 errors, 0 warnings) and \(dir)/v.sarif"),
        (["facts", pkg, "-o", dir + "/f.json"], "wrote \(dir)/f.json (facts)"),
        (["sign", pkg, "--key", key, "-o", dir + "/s.zip"], "wrote \(dir)/s.zip (a copy of \(pkg), already signed by sha256:"),
    ]
    for step in steps {
        let r = try runScrubjay(step.arguments)
        #expect(r.status == 0, "\(step.arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix(step.line) && r.stderr.filter { $0 == "\n" }.count == 1 && r.stderr.hasSuffix("\n"), "\(step.arguments): \(r.stderr)")
        if step.arguments[0] == "keygen" {
            #expect(r.stdout.hasPrefix("sha256:") && r.stdout.count == 72 && r.stderr.contains(r.stdout.dropLast()), "\(r.stdout)")
        } else {
            #expect(r.stdout.isEmpty, "\(step.arguments): \(r.stdout)")
        }
        #expect(!r.stdout.contains("ana.lopez") && !r.stderr.contains("ana.lopez"), "a value leaked")
    }
}

@Suite("scrubjay audit and redact")
struct AuditRedactCommandTests {
    let recording = fixtures + "/posthog/with-pageviews.json"

    func temp(_ name: String) -> String { scratchPath("scrubjay-cli") + "-\(name)" }

    @Test func auditPrintsFindingsWithMaskedPreviews() throws {
        let r = try runScrubjay(["audit", recording])
        #expect(r.status == 0)
        #expect(r.stdout.contains("strings scanned with default, network, privacy-markers (70 rules)"))
        #expect(r.stdout.contains("  email (contact, medium)  "))
        #expect(r.stdout.contains("findings: "))
        #expect(!r.stdout.contains("john@gmail.com"), "a value leaked into the audit output")
    }

    @Test func auditJSONHasEveryFieldOfAFinding() throws {
        let r = try runScrubjay(["audit", "--format", "json", recording])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let findings = try #require(obj["findings"] as? [[String: Any]])
        #expect(!findings.isEmpty)
        for key in ["rule", "kind", "category", "severity", "channel", "action", "window", "eventIndex", "timestamp", "pointer", "preview"] {
            #expect(findings.allSatisfy { $0[key] != nil }, "a finding without \(key)")
        }
        #expect(!r.stdout.contains("john@gmail.com"))
    }

    /// Several inputs are parts of one recording, but a finding must say which file to look
    /// in: each text line starts with its input (and counts by input follow), each JSON finding
    /// has `input`. One input: no `input` key and no prefix, as before.
    @Test func auditNamesTheInputOfEachFindingWhenGivenSeveral() throws {
        let dir = makeTemporaryDirectory("scrubjay-audit-inputs")
        let a = dir + "/a.json", b = dir + "/b.json"
        try #"[{"type":5,"data":{"tag":"signup","payload":{"email":"ana.lopez@shop.test"}},"timestamp":1700000000000}]"#
            .write(toFile: a, atomically: true, encoding: .utf8)
        try #"[{"type":5,"data":{"tag":"contact","payload":{"note":"call bob.smith@corp.test please"}},"timestamp":1700000001000},"#
            .appending(#"{"type":5,"data":{"tag":"x","payload":{"ip":"192.168.10.20"}},"timestamp":1700000002000}]"#)
            .write(toFile: b, atomically: true, encoding: .utf8)
        let values = ["ana.lopez", "bob.smith", "192.168.10.20"]

        let text = try runScrubjay(["audit", a, b])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("  \(a)  window - event 0 ") && $0.contains(" email ") }, "\(text.stdout)")
        #expect(lines.contains { $0.hasPrefix("  \(b)  window - event 1 ") && $0.contains(" email ") }, "\(text.stdout)")
        #expect(lines.contains { $0.hasPrefix("  \(b)  window - event 2 ") && $0.contains(" ipv4 ") }, "\(text.stdout)")
        #expect(lines.contains("  by input: \(a) 1, \(b) 2"), "\(text.stdout)")

        let json = try runScrubjay(["audit", "--format", "json", a, b])
        #expect(json.status == 0, "\(json.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let findings = try #require(obj["findings"] as? [[String: Any]])
        #expect(findings.map { $0["input"] as? String } == [a, b, b])

        let one = try runScrubjay(["audit", "--format", "json", b])
        #expect(!one.stdout.contains("\"input\""), "one input: findings as before")
        let oneText = try runScrubjay(["audit", b])
        #expect(!oneText.stdout.contains("by input") && !oneText.stdout.contains("  \(b)  "))
        for r in [text, json, one, oneText] {
            for v in values { #expect(!r.stdout.contains(v) && !r.stderr.contains(v), "a value leaked: \(v)") }
        }
        // A file name with a line break and an escape: one line per finding still, the
        // escape shown, not sent to the terminal.
        let odd = dir + "/odd\u{1B}[31m\nname.json"
        try FileManager.default.copyItem(atPath: b, toPath: odd)
        let oddText = try runScrubjay(["audit", a, odd])
        #expect(!oddText.stdout.contains("\u{1B}"), "\(oddText.stdout)")
        #expect(oddText.stdout.split(separator: "\n").filter { $0.contains(" event ") }.count == 3, "\(oddText.stdout)")
    }

    @Test func failOnSetsTheExitCode() throws {
        #expect(try runScrubjay(["audit", "--fail-on", "low", recording]).status == ExitStatus.checkFailed.rawValue)
        let high = try runScrubjay(["audit", "--fail-on", "high", recording])
        #expect(high.status == 0, "with-pageviews has no high-severity finding: \(high.stderr)")
        #expect(try runScrubjay(["audit", "--fail-on", "extreme", recording]).status == ExitStatus.usage.rawValue)
        let clean = fixtures + "/rrweb/integration--record-integration-tests-can-record-clicks-1.json"
        #expect(try runScrubjay(["audit", "--fail-on", "low", clean]).status == 0)
    }

    @Test func redactWritesAPackageWithItsReport() throws {
        let out = temp("r.zip")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runScrubjay(["redact", recording, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.hasPrefix("wrote \(out) ("), "\(r.stderr)")
        #expect(r.stderr.contains(": contact "))
        let inspect = try runScrubjay(["inspect", out])
        #expect(inspect.status == 0, "checksums of the redacted package must hold: \(inspect.stderr)")
        let audit = try runScrubjay(["audit", "--format", "json", out])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let left = try #require(obj["findings"] as? [[String: Any]])
        #expect(!left.contains { $0["rule"] as? String == "email" }, "a redacted package has no emails left")
    }

    @Test func redactRefusesBadKeysAndRulesAndWritesNothing() throws {
        let out = temp("r.zip"), key = temp("key"), rules = temp("bad.yml")
        defer { for p in [out, key, rules] { try? FileManager.default.removeItem(atPath: p) } }
        try "short".write(toFile: key, atomically: true, encoding: .utf8)
        let shortKey = try runScrubjay(["redact", recording, "-o", out, "--pseudonym-key-file", key])
        #expect(shortKey.status == ExitStatus.malformedInput.rawValue)
        #expect(shortKey.stderr.contains("\(key): the pseudonym key holds 5 bytes"))
        #expect(try runScrubjay(["redact", recording, "-o", out, "--pseudonym-key-file", key + ".missing"]).status == ExitStatus.usage.rawValue)
        try "version: 1\npack: bad\nrules:\n  - id: x\n    category: contact\n    severity: low\n    pattern: 'a(b'\n    action: mask\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let badRules = try runScrubjay(["redact", recording, "-o", out, "--rules", rules])
        #expect(badRules.status == ExitStatus.malformedInput.rawValue)
        #expect(badRules.stderr.contains("\(rules):7: rule x: invalid pattern: "))
        #expect(!FileManager.default.fileExists(atPath: out))
        let overwrite = try runScrubjay(["redact", recording, "-o", recording])
        #expect(overwrite.status == ExitStatus.usage.rawValue)
        #expect(overwrite.stderr.contains("is also an input"))
    }

    @Test func aKeyFileGivesReproduciblePseudonyms() throws {
        let a = temp("a.zip"), b = temp("b.zip"), key = temp("key"), rules = temp("hash.yml")
        defer { for p in [a, b, key, rules] { try? FileManager.default.removeItem(atPath: p) } }
        try "0123456789abcdef-a-test-key".write(toFile: key, atomically: true, encoding: .utf8)
        try """
        version: 1
        pack: hash
        rules:
          - id: email_hash
            description: emails to pseudonyms
            category: contact
            severity: medium
            pattern: '[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+'
            keywords: ['@']
            action: hash
            examples:
              match:
                - input: 'a@b.co'
                  output: '[email_hash:7c8e8e30c5bb0d6e]'
        """.write(toFile: rules, atomically: true, encoding: .utf8)
        // The example's expected output is checked by `rules test` with its own key; here only
        // that two runs with one key file agree.
        for out in [a, b] {
            let r = try runScrubjay(["redact", recording, "-o", out, "--rules", rules, "--pseudonym-key-file", key])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let ea = try runScrubjay(["export", a, "-o", a + ".json"]), eb = try runScrubjay(["export", b, "-o", b + ".json"])
        #expect(ea.status == 0 && eb.status == 0)
        defer { try? FileManager.default.removeItem(atPath: a + ".json"); try? FileManager.default.removeItem(atPath: b + ".json") }
        let ja = try String(contentsOfFile: a + ".json", encoding: .utf8), jb = try String(contentsOfFile: b + ".json", encoding: .utf8)
        #expect(ja == jb)
        #expect(ja.contains("[email_hash:"))
    }
}
