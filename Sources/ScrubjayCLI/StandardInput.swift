import Foundation
import ScrubjayIO
#if canImport(Glibc)
import Glibc
#endif

/// `-` as an input file: standard input (`curl … | scrubjay audit -`). It is copied whole into
/// a private temporary file (`StandardInputCopy`: the readers look at a file's first bytes and
/// then read it again, which a pipe cannot do), named `stdin` in messages and output, and
/// deleted when the command ends.
enum StandardInput {
    /// The copy of this run, if `-` was given. Set once, before any other work and any thread.
    nonisolated(unsafe) private static var copy: StandardInputCopy?

    /// `paths` with `-` replaced by the path of a copy of standard input. `-` may be given
    /// once; standard input must not be a terminal (nothing piped in: reading would wait for
    /// typing). Both are usage errors (exit 2).
    static func resolve(_ paths: [String], command: String) throws -> [String] {
        let dashes = paths.filter { $0 == "-" }.count
        guard dashes > 0 else { return paths }
        guard dashes == 1 else {
            printError("- (standard input) is given \(dashes) times; it can be read once")
            throw ExitStatus.usage.exitCode
        }
        guard !StandardInputCopy.isTerminal() else {
            printError("-: standard input is a terminal; pipe a file in (scrubjay \(command) - < FILE) or name it")
            throw ExitStatus.usage.exitCode
        }
        let made = try reportingErrors { try StandardInputCopy() }
        copy = made
        return paths.map { $0 == "-" ? made.path : $0 }
    }

    /// `resolve` for a command with one input.
    static func resolve(_ path: String, command: String) throws -> String {
        try resolve([path], command: command)[0]
    }

    /// `text` with the copy's path written as `stdin`, as the user knows the input.
    static func display(_ text: String) -> String {
        guard let copy, text.contains(copy.path) else { return text }
        return text.replacingOccurrences(of: copy.path, with: StandardInputCopy.name)
    }

    /// `display` for UTF-8 output (JSON): unchanged, without a copy, when `-` was not given.
    static func display(_ bytes: [UInt8]) -> [UInt8] {
        guard copy != nil else { return bytes }
        return Array(display(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// What a command that reads a package by name says when given `-` (no such file).
    static let notReadHere = "-: standard input is read by inspect, pack, audit and redact; name the file here"

    /// Whether `error` is the failure to open `-`, a file that is standard input elsewhere.
    static func isDash(_ error: FileError) -> Bool { error.path == "-" && error.errno == ENOENT }

    /// Deletes the copy, if one was made.
    static func removeCopy() {
        copy?.remove()
        copy = nil
    }
}
