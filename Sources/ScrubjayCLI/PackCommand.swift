import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayPackage

/// `scrubjay pack INPUT... -o OUT.zip`: a portable replay package from any supported recording.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Turn recordings (any supported container, several files for one recording) into a portable package.",
        discussion: "The package is a ZIP: manifest.json, events/<window>.jsonl with compressed fields expanded, and assets/<sha256>.<ext> for large inline data. See docs/FORMAT.md."
    )

    @Argument(help: "Recording files: rrweb JSON or JSON Lines, PostHog exports, API responses or blob files.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The package to write (ZIP; not a .tar.gz name). Written atomically.")
    var output: String

    @OptionGroup var facts: PackageFacts

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input") }
        try validatePackageName(output)
    }

    func run() throws {
        let inputs = try StandardInput.resolve(self.inputs, command: "pack")
        defer { StandardInput.removeCopy() }
        try checkInputsDistinct(inputs)
        try checkOutputs(given("-o", output), inputs: given("input", inputs))
        let options = facts.options
        let manifest = try reportingErrors {
            try PackageWriter(options: options).write(inputs: inputs, to: output)
        }
        let r = manifest.recording
        printWrote([output], "\(plural(r.eventCount, "event")) in \(plural(r.windows.count, "window")), \(plural(manifest.assets.count, "asset")), fidelity \(manifest.fidelity)")
    }
}

/// `pack` and `redact` write ZIP packages only (tar.gz ones are read): an output named as a tar
/// archive would be a ZIP under a name `tar` cannot open, so it is a usage error.
func validatePackageName(_ output: String) throws {
    let lower = output.lowercased()
    if let suffix = [".tar.gz", ".tgz", ".tar"].first(where: { lower.hasSuffix($0) }) {
        throw ValidationError("-o \(output): packages are written as ZIP, not \(suffix); name the output .zip (tar.gz packages are read, not written)")
    }
}

/// The package facts `pack` and `redact` accept (docs/FORMAT.md, "provenance").
struct PackageFacts: ParsableArguments {
    @Option(help: "Recording id for the manifest (default: the input package's, or derived from the inputs' digests).")
    var recordingId: String?

    @Option(help: "Ingest host the recording was sent to (e.g. eu.i.posthog.com).")
    var ingestHost: String?

    @Option(help: "Storage endpoint the recording was kept at.")
    var storageEndpoint: String?

    @Option(help: "Storage region (e.g. eu-central-1).")
    var storageRegion: String?

    @Option(help: "full (everything) or summary (pointer movement thinned to 10 per second, inline media dropped).")
    var fidelity: String = "full"

    func validate() throws {
        guard Fidelity(rawValue: fidelity) != nil else {
            throw ValidationError("--fidelity must be full or summary, not \(fidelity)")
        }
    }

    var options: PackOptions {
        var options = PackOptions()
        options.recordingId = recordingId
        options.ingestHost = ingestHost
        options.storageEndpoint = storageEndpoint
        options.storageRegion = storageRegion
        options.fidelity = Fidelity(rawValue: fidelity)!
        options.toolVersion = ScrubjayCommand.version
        return options
    }
}

/// `scrubjay export PACKAGE -o OUT --format ...`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a package back as a replayable recording (assets restored)."
    )

    @Argument(help: "A Scrubjay package (ZIP or tar.gz).")
    var package: String

    @Option(name: .shortAndLong, help: "The recording to write. Written atomically.")
    var output: String

    @Option(help: "rrweb-json, rrweb-jsonl or posthog (Export to JSON 2023-04-28).")
    var format: String = "rrweb-json"

    @Option(help: "Only this window (default: every window, merged by timestamp).")
    var window: String?

    func validate() throws {
        guard ExportFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try checkOutputs(given("-o", output), inputs: given("the package", package))
        let pkg = try reportingErrors { try ReplayPackage.open(package) }
        let windows = pkg.manifest.recording.windows
        if let window, !windows.contains(where: { $0.id == window }) {
            // A window the package does not have is a mistake in the flags (exit 2), not a damaged package.
            let known = windows.map { $0.id.isEmpty ? "\"\" (no id)" : $0.id }.joined(separator: ", ")
            printError("\(package): no window \"\(window)\" (--window); its windows: \(known)")
            throw ExitStatus.usage.exitCode
        }
        let bytes = try reportingErrors { try Exporter.export(pkg, format: ExportFormat(rawValue: format)!, window: window) }
        try reportingErrors { try AtomicFileWriter.write(bytes, to: output) }
        let events = windows.first { $0.id == window }?.eventCount ?? pkg.manifest.recording.eventCount
        printWrote([output], plural(events, "event") + (window.map { " of window \($0)" } ?? "") + ", \(format)")
    }
}
