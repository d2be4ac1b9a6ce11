import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayProvenance
import ScrubjayVerify

/// `scrubjay verify PACKAGE`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a package offline: archive safety, checksums, signatures from trusted keys, coverage, chain of custody.",
        discussion: """
        Runs every check of docs/VERIFY.md and reports each problem with a stable dotted code \\
        (signature.invalid, key.untrusted, digest.mismatch, subject.missing, archive.extraFile, \\
        archive.unsafePath, chain.inputMismatch, time.future, ...), its severity, the file and \\
        what was expected. Nothing is extracted to disk.

        Exit 0: the package passes. Exit 1: it fails (an error, or a warning with \\
        --fail-on-warn); a damaged or tampered package always fails this way. Exit 2: bad \\
        flags, a missing input or key file, or an input that is not a package at all.
        """
    )

    @Argument(help: "The package to verify (ZIP or tar.gz).")
    var package: String

    @Option(name: .customLong("trusted-key"), help: "A public key (PEM) whose signatures count; repeatable.")
    var trustedKeys: [String] = []

    @Option(help: "A trust file (YAML): keys with validity windows and revocation (docs/VERIFY.md).")
    var trustFile: String?

    @Option(name: .customLong("original"), help: "The original input; its SHA-256 must be one the statement records. Repeatable.")
    var originals: [String] = []

    @Option(help: "text (default) or json.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: "Write the result here (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "Fail (exit 1) on warnings too, such as a missing signature when no trusted key is given.")
    var failOnWarn = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() throws {
        var verifier = Verifier()
        verifier.originals = originals
        verifier.trustedKeys = try usageErrors { try trustedKeys.map(TrustedKey.pemFile) + (trustFile.map(TrustFile.load) ?? []) }
        let result = try usageErrors { try verifier.verify(package) }
        let rendered: String
        switch format {
        case .text: rendered = VerifyCommand.text(result)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            rendered = String(decoding: try encoder.encode(result), as: UTF8.self) + "\n"
        }
        if let output {
            try reportingErrors { try AtomicFileWriter.write(Array(rendered.utf8), to: output) }
        } else {
            print(rendered, terminator: "")
        }
        if result.fails(failOnWarn: failOnWarn) { throw ExitStatus.checkFailed.exitCode }
    }

    /// Runs `body`; a missing or unusable key or trust file, a missing package or one that is
    /// not a package at all is a usage problem for `verify` (exit 2), with its message on stderr.
    /// A package that is damaged is never an error here: it is a finding.
    private func usageErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as any Error & CustomStringConvertible where error is KeyFileError || error is FileError || error is NotAPackageError {
            printError(error.description)
            throw ExitStatus.usage.exitCode
        }
    }

    static func text(_ r: VerificationResult) -> String {
        let errors = r.findings.filter { $0.severity == .error }.count
        let warnings = r.findings.filter { $0.severity == .warning }.count
        var lines = ["\(r.package): \(r.verdict.rawValue.uppercased()) (\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"))"]
        for c in r.checks {
            let head = "  \(c.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(c.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(c.title)"
            lines.append(c.detail.isEmpty ? head : head + ": " + c.detail)
            for f in c.findings {
                var line = "        \(f.severity.rawValue) \(f.code)" + (f.path.map { " \($0)" } ?? "") + ": \(f.message)"
                if let e = f.expected { line += "; expected \(e)" }
                if let a = f.actual { line += "; actual \(a)" }
                lines.append(line)
            }
        }
        for s in r.signatures {
            lines.append("  signature \(s.keyid): " + (s.valid ? "valid, trusted as \(s.trustedAs ?? "?")" : "not verified by a trusted key"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
