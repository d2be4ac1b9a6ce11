import ArgumentParser
import ScrubjayFormats
import ScrubjayIO
import ScrubjayJSON
#if canImport(Glibc)
import Glibc
#endif

/// `scrubjay inspect PATH`: what a recording holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a recording holds: layout, events by type and source, duration.",
        discussion: "Reads the file once with the byte-level JSON engine; a malformed file is reported with its byte offset, line, column and event index (exit 3)."
    )

    @Argument(help: "A recording: an rrweb JSON array, JSON Lines, or a single JSON document.")
    var path: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let report: InspectReport
        do {
            report = try InspectReport.make(path: path)
        } catch let error as FileError {
            printError(error.description)
            throw (error.errno == ENOENT || error.errno == EISDIR ? ExitStatus.usage : .malformedInput).exitCode
        } catch let error as JSONError {
            printError(error.description)
            throw ExitStatus.malformedInput.exitCode
        }
        print(json ? report.json : report.text)
    }
}

func printError(_ message: String) {
    var stderr = StandardError()
    print("scrubjay: error: \(message)", to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
