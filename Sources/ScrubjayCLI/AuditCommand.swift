import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayRedaction
import ScrubjayRules

/// The rule packs a run uses: `--rules` (repeatable), or the built-in defaults.
struct RulePackOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "A rule pack file or a directory of packs (repeatable); replaces the built-in default packs.")
    var paths: [String] = []

    func load() throws -> RuleSet {
        do { return try RuleSet.load(paths) } catch let e as RuleError {
            printError(e.description)
            throw ExitStatus.malformedInput.exitCode
        }
    }
}

/// `scrubjay audit INPUT...`: findings, nothing rewritten.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the personal data rules find in a recording or package, without rewriting anything.",
        discussion: """
        Each finding names its rule, category, severity, channel, window, event index, \
        timestamp, JSON pointer and node id, with a masked preview (j***@e***.org), never the \
        value. Exit 1 when a finding reaches --fail-on; without it, findings alone exit 0.
        """
    )

    @Argument(help: "A recording (any shape `pack` reads, several files for one recording) or a package.")
    var inputs: [String]

    @OptionGroup var packs: RulePackOptions

    @Option(help: "text or json.")
    var format: String = "text"

    @Option(help: "Exit 1 when a finding has this severity or higher: low, medium or high.")
    var failOn: String?

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not \(format)") }
        if let f = failOn, Severity(rawValue: f) == nil { throw ValidationError("--fail-on must be low, medium or high, not \(f)") }
    }

    func run() throws {
        let rules = try packs.load()
        let result = try reportingErrors { try RedactionJob.audit(inputs: inputs, rules: rules) }
        if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(AuditCommand.text(result, inputs: inputs))
        }
        if let f = failOn.flatMap(Severity.init(rawValue:)), let top = result.highestSeverity, top >= f {
            let n = result.findings.filter { $0.severity >= f }.count
            printError("\(n) finding\(n == 1 ? "" : "s") at or above severity \(f.rawValue) (--fail-on \(f.rawValue))")
            throw ExitStatus.checkFailed.exitCode
        }
    }

    static func text(_ r: AuditResult, inputs: [String]) -> String {
        var lines: [String] = []
        let rules = r.rulePacks.reduce(0) { $0 + $1.rules }
        lines.append("\(inputs.joined(separator: ", ")): \(r.events) events, \(r.strings) strings scanned with \(r.rulePacks.map(\.name).joined(separator: ", ")) (\(rules) rules)")
        for f in r.findings {
            var where_ = "window \(f.window.isEmpty ? "-" : f.window) event \(f.eventIndex)"
            if let t = f.timestamp { where_ += " at \(isoTime(t))" }
            var line = "  \(where_)  \(f.channel.rawValue)  \(f.pointer)"
            if let n = f.nodeId { line += "  node \(n)" }
            line += "  \(f.rule) (\(f.category.rawValue), \(f.severity.rawValue)\(f.kind == "rule.limit" ? ", rule.limit" : ""))  \(f.preview)"
            lines.append(line)
        }
        let c = r.counts
        if c.total == 0 {
            lines.append("findings: none")
        } else {
            let sev = Severity.allCases.reversed().compactMap { s in c.bySeverity[s.rawValue].map { "\(s.rawValue) \($0)" } }
            lines.append("findings: \(c.total) (\(sev.joined(separator: ", ")))")
            lines.append("  by rule: " + c.byRule.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            lines.append("  by channel: " + c.byChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for n in r.notScanned {
            lines.append("not scanned: \(n.kind), \(n.values) value\(n.values == 1 ? "" : "s") (\(n.bytes) bytes): \(n.reason)")
        }
        return lines.joined(separator: "\n")
    }

    static func isoTime(_ ms: Double) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: ms / 1000))
    }
}

/// `scrubjay redact INPUT... -o OUT.zip`.
struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Rewrite the personal data rules find into a redacted package, with redaction/report.json.",
        discussion: """
        Without --rules the built-in default packs apply. Only strings with findings are \
        re-encoded; every other byte, the event structure and node ids stay as they were. \
        The `hash` action uses HMAC-SHA256 with the key in --pseudonym-key-file (at least 16 \
        bytes, read as they are), or a random key for this run that is never written.
        """
    )

    @Argument(help: "A recording (any shape `pack` reads, several files for one recording) or a package.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The redacted package to write (ZIP). Written atomically.")
    var output: String

    @OptionGroup var packs: RulePackOptions

    @Option(help: "A file whose bytes key the `hash` action (default: a random key per run, never written).")
    var pseudonymKeyFile: String?

    @OptionGroup var facts: PackageFacts

    /// The shortest pseudonym key accepted, in bytes.
    static let minimumKeyBytes = 16

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input") }
        try checkOutputIsNotAnInput(output, inputs)
    }

    func run() throws {
        let rules = try packs.load()
        var key: [UInt8]?
        if let path = pseudonymKeyFile {
            let bytes = try reportingErrors { try InputFile.read(path) }
            guard bytes.count >= RedactCommand.minimumKeyBytes else {
                printError("\(path): the pseudonym key holds \(bytes.count) bytes; at least \(RedactCommand.minimumKeyBytes) are needed (for example: head -c 32 /dev/urandom > \(path))")
                throw ExitStatus.malformedInput.exitCode
            }
            key = bytes
        }
        let (manifest, report) = try reportingErrors {
            try RedactionJob.redact(inputs: inputs, output: output, rules: rules, pseudonymKey: key, options: facts.options)
        }
        let f = report.findings
        var line = "\(output): \(manifest.recording.eventCount) events, \(f.total) finding\(f.total == 1 ? "" : "s") rewritten in \(report.stringsChanged) string\(report.stringsChanged == 1 ? "" : "s")"
        if f.total > 0 {
            line += " (" + f.byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        }
        print(line)
        print("report: redaction/report.json in the package")
    }
}
