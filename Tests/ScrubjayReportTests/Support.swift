import Foundation
import Testing
import ScrubjayPackage
import ScrubjayRedaction
import ScrubjayReport
import ScrubjayRules
import ScrubjayTestSupport

let repository: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let fixtures = repository + "/Tests/Fixtures"

/// Every real recording of Tests/Fixtures (not the accuracy cases, which are not recordings).
let recordings: [String] = {
    let e = FileManager.default.enumerator(atPath: fixtures)!
    var out: [String] = []
    while let n = e.nextObject() as? String {
        if (n.hasSuffix(".json") || n.hasSuffix(".jsonl")) && !n.hasPrefix("accuracy/") { out.append(n) }
    }
    return out.sorted()
}()

let defaults: RuleSet = try! RuleSet.defaults()
let builtinTemplates: ReportTemplates = try! ReportTemplates()

/// A fresh temporary directory.
func temporaryDirectory() throws -> String {
    let d = scratchPath("scrubjay-report")
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// Redacts `inputs` into `output` as `scrubjay redact` does (with redaction/report.md).
@discardableResult
func redact(_ inputs: [String], to output: String, options: PackOptions = PackOptions()) throws -> RedactionJob.Redacted {
    try RedactionJob.redact(inputs: inputs, output: output, rules: defaults, pseudonymKey: nil, options: options,
                            summaries: ReportBuilder.packageSummaries(templates: builtinTemplates, signerKeyIds: [], options: ReportOptions()))
}

/// Runs a Python script of Tests/Support; returns its exit status and what it printed.
func runPython(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", repository + "/Tests/Support/" + script] + arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Every JSON report at `paths` matches docs/schemas/report.schema.json (Tests/Support/validate_report.py).
func expectValidReports(_ paths: [String]) throws {
    let r = try runPython("validate_report.py", paths)
    #expect(r.status == 0, "a report does not match docs/schemas/report.schema.json: \(r.output)")
}

extension Report {
    func text(_ format: ReportFormat, templates: ReportTemplates = builtinTemplates) throws -> String {
        String(decoding: try rendered(as: format, templates: templates), as: UTF8.self)
    }
}
