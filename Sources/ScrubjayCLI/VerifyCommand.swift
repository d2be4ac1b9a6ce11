import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayPolicy
import ScrubjayProvenance
import ScrubjayRules
import ScrubjayVerify

/// The inputs `verify` and `facts` share: trusted keys, the rescan's rules, and turning
/// their problems into usage errors (exit 2).
struct VerifierOptions: ParsableArguments {
    @Option(name: .customLong("trusted-key"), help: "A public key (PEM) whose signatures count; repeatable.")
    var trustedKeys: [String] = []

    @Option(help: "A trust file (YAML): keys with validity windows and revocation (docs/VERIFY.md).")
    var trustFile: String?

    @Flag(help: "Scan the package's events again with rules: what still matches is reported (and judged by policies).")
    var rescan = false

    @Option(name: .customLong("rules"), help: "With --rescan: a rule pack file or directory (repeatable) instead of the built-in packs.")
    var rulePaths: [String] = []

    /// The files these options read, for `checkOutputs`.
    var inputFiles: [GivenFile] {
        given("--trusted-key", trustedKeys) + given("--trust-file", trustFile) + ruleFiles(rulePaths)
    }

    func validate() throws {
        if !rulePaths.isEmpty && !rescan { throw ValidationError("--rules is for --rescan: add --rescan") }
    }

    /// A verifier set up with these options (keys and rules read now: a problem with them is a usage error).
    func verifier() throws -> Verifier {
        var verifier = Verifier()
        verifier.trustedKeys = try usageErrors { try trustedKeys.map(TrustedKey.pemFile) + (trustFile.map(TrustFile.load) ?? []) }
        if rescan { verifier.rescanRules = try usageErrors { try RuleSet.load(rulePaths) } }
        return verifier
    }
}

/// Runs `body`; a missing or unusable key, trust, policy or rule file, a missing package or
/// one that is not a package at all is a usage problem for `verify` and `facts` (exit 2), with
/// its message on stderr. A package that is damaged is never an error here: it is a finding.
func usageErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as FileError where StandardInput.isDash(error) {
        printError(StandardInput.notReadHere)
        throw ExitStatus.usage.exitCode
    } catch let error as any Error & CustomStringConvertible where error is KeyFileError || error is FileError
                || error is NotAPackageError || error is PolicyError || error is RuleError {
        printError(error.description)
        throw ExitStatus.usage.exitCode
    }
}

/// The policy files at `paths` (`--policy`), for `verify` and `report`: a missing or bad file,
/// or two policies of one name (each is one check), is a usage error (exit 2).
func loadPolicies(_ paths: [String]) throws -> [Policy] {
    let policies = try usageErrors { try paths.map(PolicyLoader.load) }
    var seen: [String: String] = [:]
    for p in policies {
        if let other = seen[p.name] {
            printError("\(p.file): policy name \(p.name) is also the name of \(other); each policy is one check, so names must differ")
            throw ExitStatus.usage.exitCode
        }
        seen[p.name] = p.file
    }
    return policies
}

/// `scrubjay verify PACKAGE`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a package offline: archive safety, checksums, signatures from trusted keys, coverage, chain of custody, policies.",
        discussion: """
        Runs every check of docs/VERIFY.md and reports each problem with a stable dotted code \
        (signature.invalid, key.untrusted, digest.mismatch, subject.missing, archive.extraFile, \
        archive.unsafePath, chain.inputMismatch, time.future, residency.hostNotAllowed, ...), its \
        severity, the file and what was expected. Nothing is extracted to disk. Each --policy \
        (docs/POLICIES.md; Policies/ has gdpr-eea, us-only, pci-dss, hipaa-safe-harbor) is one \
        more check; --rescan scans the events again with rules.

        Formats: text, json, sarif (SARIF 2.1.0 for code scanning) and junit (one test case per \
        check). docs/CI.md shows GitHub Actions and GitLab CI jobs.

        Exit 0: the package passes. Exit 1: it fails (an error, or a warning with \
        --fail-on-warn); a damaged or tampered package always fails this way. Exit 2: bad \
        flags, a missing input, key, policy or rule file, or an input that is not a package at all.
        """
    )

    @Argument(help: "The package to verify (ZIP or tar.gz).")
    var package: String

    @OptionGroup var options: VerifierOptions

    @Option(name: .customLong("policy"), help: "A policy file (YAML, docs/POLICIES.md); repeatable.")
    var policies: [String] = []

    @Option(name: .customLong("original"), help: "The original input; its SHA-256 must be one the statement records. Repeatable.")
    var originals: [String] = []

    @Option(help: "text (default), json, sarif or junit.")
    var format: OutputFormat = .text

    @Option(name: .shortAndLong, help: "Write the result here (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Also write SARIF 2.1.0 here (atomically), whatever --format says.")
    var sarifOutput: String?

    @Option(help: "Also write JUnit XML here (atomically), whatever --format says.")
    var junitOutput: String?

    @Flag(help: "Fail (exit 1) on warnings too, such as a missing signature when no trusted key is given.")
    var failOnWarn = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif, junit
    }

    func run() throws {
        try checkOutputs(given("-o", output) + given("--sarif-output", sarifOutput) + given("--junit-output", junitOutput),
                         inputs: given("the package", package) + options.inputFiles + given("--policy", policies) + given("--original", originals))
        var verifier = try options.verifier()
        verifier.originals = originals
        verifier.policies = try loadPolicies(policies)
        let result = try usageErrors { try verifier.verify(package) }
        func render(_ format: OutputFormat) throws -> [UInt8] {
            switch format {
            case .text: return Array(VerifyCommand.text(result).utf8)
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                return Array(try encoder.encode(result)) + [0x0A]
            case .sarif: return try SARIFReport.render([result], toolVersion: ScrubjayCommand.version)
            case .junit: return JUnitReport.render([result], failOnWarn: failOnWarn)
            }
        }
        let rendered = try render(format)
        if let sarifOutput { try reportingErrors { try AtomicFileWriter.write(try render(.sarif), to: sarifOutput) } }
        if let junitOutput { try reportingErrors { try AtomicFileWriter.write(try render(.junit), to: junitOutput) } }
        if let output {
            try reportingErrors { try AtomicFileWriter.write(rendered, to: output) }
        } else {
            FileHandle.standardOutput.write(Data(rendered))
        }
        printWrote([output, sarifOutput, junitOutput].compactMap { $0 }, "\(result.verdict.rawValue.uppercased()): \(VerifyCommand.tally(result))")
        if result.fails(failOnWarn: failOnWarn) { throw ExitStatus.checkFailed.exitCode }
    }

    /// `4 errors, 40 warnings`.
    static func tally(_ r: VerificationResult) -> String {
        plural(r.findings.filter { $0.severity == .error }.count, "error") + ", " + plural(r.findings.filter { $0.severity == .warning }.count, "warning")
    }

    static func text(_ r: VerificationResult) -> String {
        var lines = ["\(r.package): \(r.verdict.rawValue.uppercased()) (\(tally(r)))"]
        // Columns: status, check id, title, as wide as the widest of each (policy.<name> ids are long).
        let width = r.checks.map(\.id.count).max() ?? 0
        for c in r.checks {
            let head = "  \(c.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(c.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(c.title)"
            lines.append(c.detail.isEmpty ? head : head + ": " + c.detail)
            for f in c.findings {
                var line = "        \(f.severity.rawValue) \(f.code)" + (f.path.map { " \($0)" + (f.line.map { ":\($0)" } ?? "") } ?? "") + ": \(f.message)"
                if let e = f.expected { line += "; expected \(e)" }
                if let a = f.actual { line += "; actual \(a)" }
                lines.append(line)
            }
        }
        for s in r.signatures {
            lines.append("  signature \(s.keyid): " + (s.accepted ? "valid, trusted as \(s.trustedAs ?? "?")"
                : s.valid ? "valid, but key \(s.trustedAs ?? "?") may not be trusted for it" : "not verified by a trusted key"))
        }
        // Entry names, key ids and statement fields come from the package: a control character
        // in one must not start, overwrite or colour a line of the verdict.
        return lines.map(DisplayText.escapingControls).joined(separator: "\n") + "\n"
    }
}

/// `scrubjay facts PACKAGE`: the facts policies are judged on, as JSON (for conftest/OPA too).
struct FactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "Print the facts a policy is judged on (hosts, regions, rules applied, signers, age, rescan) as JSON.",
        discussion: """
        The same facts `verify --policy` judges, for feeding to conftest or OPA (docs/POLICIES.md \
        shows a Rego rule). Signers are listed only when --trusted-key or --trust-file is given; \
        residual findings only with --rescan. Never a recorded value: hosts, regions, rule ids, \
        counts and key ids. Exit 0 when the facts were printed, 1 when the package could not be \
        read safely, 2 for usage errors.
        """
    )

    @Argument(help: "The package (ZIP or tar.gz).")
    var package: String

    @OptionGroup var options: VerifierOptions

    @Option(name: .shortAndLong, help: "Write the facts here (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        try checkOutputs(given("-o", output), inputs: given("the package", package) + options.inputFiles)
        var verifier = try options.verifier()
        verifier.collectFacts = true
        let result = try usageErrors { try verifier.verify(package) }
        guard let facts = result.facts else {
            let why = result.findings.first { $0.check == "archive" }.map { "\($0.code): \($0.message)" } ?? "unreadable"
            printError("\(package): the package could not be read safely (\(why)); `scrubjay verify` says more")
            throw ExitStatus.checkFailed.exitCode
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = Array(try encoder.encode(facts)) + [0x0A]
        if let output {
            try reportingErrors { try AtomicFileWriter.write(data, to: output) }
            printWrote([output], "facts")
        } else {
            FileHandle.standardOutput.write(Data(data))
        }
    }
}
