import ArgumentParser
import ScrubjayIO
#if canImport(Glibc)
import Glibc
#endif

/// The `scrubjay` command: makes recorded web sessions (rrweb, PostHog, Sentry Replay)
/// safe to share. Subcommands are thin: they parse flags, call the library, print, and
/// map the result to a documented exit code (`ExitStatus`).
public struct ScrubjayCommand: ParsableCommand {
    /// The tool's version, printed by `--version` and written into packages later.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "scrubjay",
        abstract: "Make recorded web sessions (rrweb, PostHog, Sentry Replay) safe to share.",
        discussion: """
        Scrubjay reads a stored session recording, rewrites the personal data it carries \
        with a rule engine, and writes a portable replay package with a signed redaction \
        manifest and a report of what was removed.

        Available now:
          inspect    what a recording or package holds: format, windows, events, URLs,
                     channels; a package's checksums and signers
          pack       turn any supported recording into a portable package
          export     write a package back as rrweb JSON, JSON Lines or PostHog export
          rules      list, test and explain rules
          audit      list personal data found, without rewriting
          redact     rewrite a recording with rule packs into a redacted package
                     (--sign-key: signed statement)
          keygen     create a signing key (Ed25519 or ECDSA P-256)
          sign       co-sign a package's redaction statement
          verify     check a package offline: archive safety, checksums, signatures,
                     coverage, chain, residency and compliance policies, rescan;
                     text, JSON, SARIF or JUnit
          facts      print the facts a policy is judged on, as JSON (conftest, OPA)
          report     render a package's report: HTML (with page previews), Markdown,
                     JSON, SARIF, JUnit
          view       write one HTML page that replays a package in rrweb-player
                     (offline with --player-dir)

        Exit codes: 0 success; 1 a check failed; 2 usage error or missing input; \
        3 malformed input; 4 the output could not be written; 70 internal error.
        """,
        version: ScrubjayCommand.version,
        subcommands: [InspectCommand.self, PackCommand.self, ExportCommand.self, RulesCommand.self, AuditCommand.self, RedactCommand.self, KeygenCommand.self, SignCommand.self, VerifyCommand.self, FactsCommand.self, ReportCommand.self, ViewCommand.self]
    )

    public init() {}

    /// Parses the process's arguments, runs the command and exits with a documented code.
    /// Differs from `main()` in one way: a usage error exits 2 (as the README documents),
    /// not ArgumentParser's 64.
    public static func runAndExit() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Glibc.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                let message = fullMessage(for: error)
                if !message.isEmpty { print(message) }
                Glibc.exit(0)
            }
            let (status, message) = exitStatus(for: error)
            if !message.isEmpty {
                var stderr = StandardError()
                print(message, to: &stderr)
            }
            Glibc.exit(status)
        }
    }

    /// The exit status and message for an error a command ended with: the code of an
    /// `ExitCode` (its message already printed), 2 for a usage error (ArgumentParser's 64), and
    /// 70 for any other error: one no command turned into a documented code is a bug, not a
    /// failed check (exit 1 would tell a pipeline the package failed).
    static func exitStatus(for error: any Error) -> (status: Int32, message: String) {
        let code = exitCode(for: error)
        if code == .failure && !(error is ExitCode) {
            return (ExitStatus.internalError.rawValue,
                    "scrubjay: error: internal error (a bug: please report it): " + DisplayText.escapingControls("\(error)"))
        }
        return (code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue, fullMessage(for: error))
    }
}
