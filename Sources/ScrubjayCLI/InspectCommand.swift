import ArgumentParser
import ScrubjayFormats
import ScrubjayIO
import ScrubjayJSON
import ScrubjayPackage
#if canImport(Glibc)
import Glibc
#endif

/// `scrubjay inspect PATH`: what a recording holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a recording holds: format, windows, events by type and source, URLs, channels, privacy markers.",
        discussion: """
        Reads the file once with the byte-level JSON engine; a malformed file is reported with its \
        byte offset, line, column and event index (exit 3). For a package, also checks its \
        manifest checksums and, when it has a signed statement, that the statement's subjects \
        match its files (exit 1 when either does not hold). Signatures are listed by key id, \
        not verified.
        """
    )

    @Argument(help: "A recording (rrweb JSON or JSON Lines, a PostHog export, API response or blob file) or a package.")
    var path: String

    @Flag(help: "Print the result as JSON (the same as --format json).")
    var json = false

    @Option(help: "text (default) or json, as audit, verify and report take it.")
    var format: String?

    func validate() throws {
        if let format, !["text", "json"].contains(format) { throw ValidationError("--format must be text or json, not \(format)") }
        if json && format == "text" { throw ValidationError("--json and --format text disagree: give one") }
    }

    func run() throws {
        let path = try StandardInput.resolve(self.path, command: "inspect")
        defer { StandardInput.removeCopy() }
        let json = self.json || format == "json"
        let head = try reportingErrors { try InputFile.readPrefix(path, count: 4) }
        if ReplayPackage.looksLikeArchive(head) {
            let pkg = try reportingErrors { try ReplayPackage.open(path) }
            let problems = pkg.verifyChecksums()
            let inspection = PackageInspection(package: pkg, problems: problems)
            print(StandardInput.display(json ? inspection.json : inspection.text))
            let statementProblems = (inspection.statement?.coverageProblems ?? []) + (inspection.statement?.unreadable.map { [$0] } ?? [])
            if !problems.isEmpty || !statementProblems.isEmpty {
                for p in problems { printError("\(path): checksum does not hold: \(p)") }
                for p in statementProblems { printError("\(path): the signed statement does not hold: \(p)") }
                throw ExitStatus.checkFailed.exitCode
            }
            return
        }
        let report = try reportingErrors { try InspectReport.make(path: path) }
        print(StandardInput.display(json ? report.json : report.text))
    }
}

func printError(_ message: String) {
    var stderr = StandardError()
    // Messages name archive entries and other input text: control characters are escaped.
    print("scrubjay: error: \(DisplayText.escapingControls(StandardInput.display(message)))", to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
