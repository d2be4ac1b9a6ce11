import ArgumentParser
import ScrubjayIO
import ScrubjayNative
import ScrubjayProvenance
import ScrubjayRedaction
import ScrubjayReport

/// `scrubjay redact INPUT... -o OUT.zip`.
struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Rewrite the personal data rules find into a redacted package, with redaction/report.json and report.md.",
        discussion: """
        Without --rules the built-in default packs apply. Only strings with findings are \
        re-encoded; every other byte, the event structure and node ids stay as they were. \
        The `hash` action uses HMAC-SHA256 with the key in --pseudonym-key-file (at least 16 \
        bytes, read as they are), or a random key for this run that is never written.

        With --sign-key the package also holds redaction/statement.dsse.json: an in-toto \
        statement in a DSSE envelope, signed with the key, naming every other file of the \
        package with its SHA-256, the input's digests, the rule files and every finding's \
        location (docs/MANIFEST.md). The key is read before any work is done.

        The package also holds redaction/report.md, the Markdown report (docs/REPORTS.md), \
        listed in the manifest like report.json. --report-html FILE writes the HTML report of \
        the finished package beside it (what `scrubjay report --format html` writes).
        """
    )

    @Argument(help: "A recording (any shape `pack` reads, several files for one recording) or a package.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The redacted package to write (ZIP; not a .tar.gz name). Written atomically.")
    var output: String

    @OptionGroup var packs: RulePackOptions

    @Option(help: "A file whose bytes key the `hash` action (default: a random key per run, never written).")
    var pseudonymKeyFile: String?

    @OptionGroup var signing: SigningKeyOptions

    @OptionGroup var facts: PackageFacts

    @Option(help: "Also write the HTML report of the package here (atomically).")
    var reportHtml: String?

    @OptionGroup var templates: TemplateOptions

    /// The shortest pseudonym key accepted, in bytes.
    static let minimumKeyBytes = 16

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input") }
        try validatePackageName(output)
    }

    func run() throws {
        let inputs = try StandardInput.resolve(self.inputs, command: "redact")
        defer { StandardInput.removeCopy() }
        try checkInputsDistinct(inputs)
        try checkOutputs(given("-o", output) + given("--report-html", reportHtml),
                         inputs: given("input", inputs) + packs.inputFiles + given("--pseudonym-key-file", pseudonymKeyFile)
                            + signing.inputFiles + self.templates.inputFiles)
        let signingKey = try signing.load()
        let rules = try packs.load()
        let templates = try templates.load()
        var reportOptions = ReportOptions()
        reportOptions.toolVersion = ScrubjayCommand.version
        let signers = signingKey.map { [$0.publicKey.keyID] } ?? []
        var key: [UInt8]?
        if let path = pseudonymKeyFile {
            let bytes = try reportingErrors { try InputFile.read(path) }
            guard bytes.count >= RedactCommand.minimumKeyBytes else {
                printError("\(path): the pseudonym key holds \(bytes.count) bytes; at least \(RedactCommand.minimumKeyBytes) are needed (for example: head -c 32 /dev/urandom > \(path))")
                throw ExitStatus.malformedInput.exitCode
            }
            key = bytes
        }
        let redacted = try reportingErrors {
            try RedactionJob.redact(inputs: inputs, output: output, rules: rules, pseudonymKey: key,
                                    signingKey: signingKey, options: facts.options,
                                    summaries: ReportBuilder.packageSummaries(templates: templates, signerKeyIds: signers, options: reportOptions))
        }
        if let reportHtml {
            let html = try reportingErrors {
                try ReportBuilder.report(ofPackage: output, options: reportOptions).rendered(as: .html, templates: templates)
            }
            try reportingErrors { try AtomicFileWriter.write(html, to: reportHtml) }
        }
        let manifest = redacted.manifest, report = redacted.report
        let f = report.findings
        let dropped = report.events - manifest.recording.eventCount
        var details = plural(manifest.recording.eventCount, "event") + (dropped > 0 ? ", \(dropped) of \(report.events) dropped" : "")
            + ", \(plural(f.total, "finding")) rewritten in \(plural(report.stringsChanged, "string"))"
        if f.total > 0 {
            details += ": " + f.byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if let statement = redacted.statement {
            details += "; signed by \(statement.signatures.map(\.keyid).joined(separator: ", "))"
        }
        printWrote([output] + (reportHtml.map { [$0] } ?? []), details)
    }
}
