import ArgumentParser
import Foundation
import ScrubjayFormats
import ScrubjayIO
import ScrubjayRedaction
import ScrubjayRules

/// `scrubjay audit INPUT...`: findings, nothing rewritten.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the personal data rules find in a recording or package, without rewriting anything.",
        discussion: """
        Each finding names its rule, category, severity, channel, window, event index, \
        timestamp, JSON pointer and node id, with a masked preview (j***@e***.org), never the \
        value; with several inputs, also the input file it came from. Exit 1 when a finding \
        reaches --fail-on; without it, findings alone exit 0.
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
        let inputs = try StandardInput.resolve(self.inputs, command: "audit")
        defer { StandardInput.removeCopy() }
        try checkInputsDistinct(inputs)
        let rules = try packs.load()
        let result = try reportingErrors { try RedactionJob.audit(inputs: inputs, rules: rules) }
        if format == "json" {
            FileHandle.standardOutput.write(Data(StandardInput.display(try result.prettyJSON()) + [UInt8(ascii: "\n")]))
        } else {
            print(StandardInput.display(AuditCommand.text(result, inputs: inputs)))
        }
        if let f = failOn.flatMap(Severity.init(rawValue:)), let top = result.highestSeverity, top >= f {
            let n = result.findings.filter { $0.severity >= f }.count
            printError("\(plural(n, "finding")) at or above severity \(f.rawValue) (--fail-on \(f.rawValue))")
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
            // Several inputs: each finding starts with the file it came from.
            var line = "  " + (f.input.map { "\($0)  " } ?? "") + "\(where_)  \(f.channel.rawValue)  \(f.pointer)"
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
            if inputs.count > 1 {
                lines.append("  by input: " + inputs.map { i in "\(i) \(r.findings.filter { $0.input == i }.count)" }.joined(separator: ", "))
            }
        }
        for n in r.notScanned {
            lines.append("not scanned: \(n.kind), \(plural(n.values, "value")) (\(n.bytes) bytes): \(n.reason)")
        }
        // A file name, a window id or a key may hold control characters (a newline would split
        // a finding's line, an escape would drive the terminal): escaped, as on standard error.
        return lines.map(DisplayText.escapingControls).joined(separator: "\n")
    }

    static func isoTime(_ ms: Double) -> String { RFC3339Time.milliseconds(ms) }
}
