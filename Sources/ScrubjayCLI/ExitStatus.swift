import ArgumentParser

/// The exit codes every subcommand uses (documented in the README and `scrubjay --help`).
public enum ExitStatus: Int32, Sendable {
    /// Success.
    case success = 0
    /// A check failed: findings above the threshold, or verification failed.
    case checkFailed = 1
    /// Bad flags, or an input that does not exist.
    case usage = 2
    /// An input exists but is malformed (bad JSON, unknown shape, corrupt archive).
    case malformedInput = 3
    /// The output could not be written (nothing half-written is left behind).
    case outputFailed = 4
    /// A bug in Scrubjay.
    case internalError = 70

    var exitCode: ExitCode { ExitCode(rawValue) }
}
