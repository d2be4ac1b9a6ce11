import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayPackage
import ScrubjayReport
import ScrubjayVerify

/// `--template-dir`, shared by `report`, `redact` and `view`.
struct TemplateOptions: ParsableArguments {
    @Option(help: "A directory of templates (report.html.mustache, report-style.css.mustache, report.md.mustache, viewer.html.mustache) used instead of the built-in ones of the same name (docs/REPORTS.md).")
    var templateDir: String?

    func validate() throws {
        var isDirectory: ObjCBool = false
        if let templateDir, !(FileManager.default.fileExists(atPath: templateDir, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ValidationError("--template-dir \(templateDir): not a directory")
        }
    }

    /// The template files these options read, for `checkOutputs`.
    var inputFiles: [GivenFile] { given("--template-dir", directory: templateDir) { $0.hasSuffix(".mustache") } }

    /// The templates: a template that does not parse is malformed input (exit 3), named with its line and column.
    func load() throws -> ReportTemplates {
        try reportingErrors { try ReportTemplates(directory: templateDir) }
    }
}

/// `scrubjay report PACKAGE --format html|md|json|sarif|junit -o FILE`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a package's redaction report: HTML, Markdown, JSON, SARIF or JUnit.",
        discussion: """
        The report says what was removed, where and when in the recording, on which pages, \
        what was not scanned, whether the package passes the verifier and the policies given \
        (residency verdict and exceptions), which HIPAA Safe Harbor identifiers and PCI DSS \
        requirements the applied rules cover, with the input and output digests, rule pack and \
        policy digests and signer key ids. No redacted value appears in any format.

        html: one self-contained page (inline CSS and SVG charts, no script, nothing fetched) \
        with a static preview of each window's first full snapshot after redaction, redacted \
        elements outlined. md: Markdown. json: the report document \
        (docs/schemas/report.schema.json). sarif and junit: the verifier's result, as `verify \
        --format` writes it. Templates are in Reports/ (docs/REPORTS.md); --template-dir \
        restyles them.

        Without -o the report goes to standard output; HTML (the default format) is refused \
        when standard output is a terminal (exit 2): give -o or redirect it.

        Exit 0: the report was written, whatever it says (use `verify` to gate on it). Exit 2: \
        bad flags, a missing input, key, policy or rule file, an input that is not a package, \
        or HTML with no -o to a terminal. \
        Exit 3: a package, report file or template that cannot be read (the message names the \
        file and place). Exit 4: the output could not be written.
        """
    )

    @Argument(help: "The package (ZIP or tar.gz).")
    var package: String

    @Option(help: "html (default), md, json, sarif or junit.")
    var format: ReportFormat = .html

    @Option(name: .shortAndLong, help: "Write the report here (atomically) instead of standard output.")
    var output: String?

    @Option(name: .customLong("policy"), help: "A policy file (YAML, docs/POLICIES.md) to judge the package by; repeatable.")
    var policies: [String] = []

    @OptionGroup var options: VerifierOptions

    @OptionGroup var templates: TemplateOptions

    func run() throws {
        try ReportCommand.refuseHTMLOnTerminal(format: format, output: output, stdoutIsTerminal: isatty(STDOUT_FILENO) == 1)
        try checkOutputs(given("-o", output),
                         inputs: given("the package", package) + given("--policy", policies) + options.inputFiles + self.templates.inputFiles)
        let templates = try templates.load()
        var reportOptions = ReportOptions()
        reportOptions.toolVersion = ScrubjayCommand.version
        let verifier = try options.verifier()
        reportOptions.trustedKeys = verifier.trustedKeys
        reportOptions.rescanRules = verifier.rescanRules
        reportOptions.policies = try loadPolicies(policies)
        let report = try usageErrors { try reportingErrors { try ReportBuilder.report(ofPackage: package, options: reportOptions) } }
        let bytes = try reportingErrors { try report.rendered(as: format, templates: templates) }
        if let output {
            try reportingErrors { try AtomicFileWriter.write(bytes, to: output) }
            printWrote([output], "\(format.rawValue) report")
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

extension ReportCommand {
    /// The HTML report is a page for a browser: written to a terminal it is a screenful of
    /// markup. With no -o and standard output a terminal, it is refused before any work (exit 2,
    /// naming -o); redirected or piped (`> report.html`) it is written as before.
    static func refuseHTMLOnTerminal(format: ReportFormat, output: String?, stdoutIsTerminal: Bool) throws {
        guard format == .html, output == nil, stdoutIsTerminal else { return }
        printError("the HTML report is a page for a browser, not a terminal: write it to a file with -o FILE (for example -o report.html) or redirect standard output (> report.html); --format md prints a report to read here")
        throw ExitStatus.usage.exitCode
    }
}

extension ReportFormat: ExpressibleByArgument {}
