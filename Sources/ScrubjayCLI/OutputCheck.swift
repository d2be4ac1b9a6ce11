import Foundation
import ScrubjayIO

/// A file named on the command line, with the flag or argument that named it (for messages).
struct GivenFile {
    let role: String
    let path: String
}

/// The files `paths` given with `role` (none when the option was not given).
func given(_ role: String, _ paths: String?...) -> [GivenFile] { given(role, paths.compactMap { $0 }) }

func given(_ role: String, _ paths: [String]) -> [GivenFile] { paths.map { GivenFile(role: role, path: $0) } }

/// The files a command reads from the directory `directory` (given with `role`): the entries
/// whose names `reads` accepts. A directory that cannot be listed gives none (reading it fails later).
func given(_ role: String, directory: String?, reads: (String) -> Bool) -> [GivenFile] {
    guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.filter(reads).sorted().map { GivenFile(role: role, path: (directory as NSString).appendingPathComponent($0)) }
}

/// The recording files of one `pack`, `redact` or `audit` run are read one after another as
/// parts of one recording: one file given twice (however named: `a.json` and `./a.json`, a
/// link and its target) would be read twice, every event doubled, so it is refused (exit 2).
func checkInputsDistinct(_ inputs: [String]) throws {
    var seen: [String: String] = [:]
    for path in inputs {
        let key = FileIdentity.key(path)
        if let first = seen[key] {
            printError(first == path ? "the input \(path) is given twice; each file is one part of the recording, read once"
                : "the inputs \(first) and \(path) are the same file; each file is one part of the recording, read once")
            throw ExitStatus.usage.exitCode
        }
        seen[key] = path
    }
}

/// The check every command that writes files makes before any work, so that nothing the
/// user gave is lost and nothing is left half done:
/// - an output may not be any input (the same file however named: `./a.zip` and `a.zip`, a
///   symbolic link and its target, hard links), nor another output of the same command
///   (exit 2, naming both);
/// - each output's directory must exist and be writable, and nothing but a regular file may be
///   at the output's path (exit 4), so a late output does not fail after an earlier one was written.
func checkOutputs(_ outputs: [GivenFile], inputs: [GivenFile]) throws {
    // `-o -` reads as "standard output" to anyone used to Unix tools; here it would be a file
    // named "-" and nothing on standard output, so it is refused before any work.
    if let dash = outputs.first(where: { $0.path == "-" }) {
        printError("\(dash.role) -: '-' is not standard output here; name a file (report, verify and facts write to standard output when -o is left out)")
        throw ExitStatus.usage.exitCode
    }
    let inputKeys = inputs.map { FileIdentity.key($0.path) }
    var outputKeys: [String] = []
    for output in outputs {
        let key = FileIdentity.key(output.path)
        if let i = outputKeys.firstIndex(of: key) {
            let other = outputs[i]
            printError("the outputs \(other.path) (\(other.role)) and \(output.path) (\(output.role)) are the same file; give each output its own file")
            throw ExitStatus.usage.exitCode
        }
        if let i = inputKeys.firstIndex(of: key) {
            let input = inputs[i]
            printError("the output \(output.path) (\(output.role)) is also an input (\(input.role) \(input.path)); write the result to another file")
            throw ExitStatus.usage.exitCode
        }
        outputKeys.append(key)
    }
    for output in outputs {
        try reportingErrors { try AtomicFileWriter.checkWritable(output.path) }
    }
}

/// The one line every command that writes files prints when it succeeds, on standard error
/// (standard output is for results a program reads): `wrote OUT (details)`, then the other
/// files it wrote (`and A, B`). Counts and names only, never a recorded value.
func printWrote(_ files: [String], _ details: String? = nil) {
    guard let first = files.first else { return }
    printNote("wrote \(first)" + (details.map { " (\($0))" } ?? "") + (files.count > 1 ? " and " + files.dropFirst().joined(separator: ", ") : ""))
}

/// A line on standard error that is not an error (file names escaped, as in `printError`).
func printNote(_ line: String) {
    var stderr = StandardError()
    print(DisplayText.escapingControls(line), to: &stderr)
}

/// `1 event`, `2 events`.
func plural(_ n: Int, _ thing: String) -> String { "\(n) \(thing)\(n == 1 ? "" : "s")" }
