import Foundation
import ScrubjayNative

/// `verify --format sarif`: SARIF 2.1.0 as GitHub code scanning reads it (docs/CI.md). One
/// run per package; one rule per finding code; one result per finding, located at the
/// package file. Rule ids are the stable finding codes, and each result carries a
/// fingerprint made of code, check, entry, line and expected/actual (never a recorded value),
/// so the same problem keeps its identity across runs.
public enum SARIFReport {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    /// The SARIF log for `results` (several packages: several runs), as UTF-8 JSON.
    public static func render(_ results: [VerificationResult], toolVersion: String) throws -> [UInt8] {
        let log = Log(runs: results.map { run(for: $0, toolVersion: toolVersion) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(log)) + [0x0A]
    }

    static func run(for result: VerificationResult, toolVersion: String) -> Run {
        let findings = result.findings
        var ruleIds: [String] = []
        for f in findings where !ruleIds.contains(f.code) { ruleIds.append(f.code) }
        let rules = ruleIds.map { id in
            let level = findings.filter { $0.code == id }.map(\.severity).max() ?? .error
            return Rule(id: id, name: ruleName(id), shortDescription: .init(text: FindingCodes.describe(id)),
                        help: .init(text: FindingCodes.describe(id) + " See docs/VERIFY.md (finding codes) and docs/POLICIES.md."),
                        defaultConfiguration: .init(level: level.rawValue))
        }
        let uri = artifactURI(result.package)
        let sarifResults = findings.map { f in
            var message = f.message
            if let p = f.path { message = "\(p)" + (f.line.map { ":\($0)" } ?? "") + ": " + message }
            if let e = f.expected { message += "; expected \(e)" }
            if let a = f.actual { message += "; actual \(a)" }
            let key = [f.code, f.check, f.path ?? "", f.line.map(String.init) ?? "", f.expected ?? "", f.actual ?? ""].joined(separator: "\u{1F}")
            var properties: [String: String] = ["check": f.check]
            if let p = f.path { properties["entry"] = p }
            if let l = f.line { properties["entryLine"] = String(l) }
            return Result(
                ruleId: f.code, ruleIndex: ruleIds.firstIndex(of: f.code) ?? 0, level: f.severity.rawValue, message: .init(text: message),
                locations: [.init(physicalLocation: .init(artifactLocation: .init(uri: uri), region: .init(startLine: 1)))],
                partialFingerprints: ["scrubjayFinding/v1": String(Hex.encode(Digest.sha256(Array(key.utf8))).prefix(32))],
                properties: properties)
        }
        let verdict = result.verdict.rawValue
        return Run(
            tool: .init(driver: .init(name: "scrubjay", semanticVersion: toolVersion, version: toolVersion,
                                      informationUri: "https://scrubjay.dev/docs/VERIFY", rules: rules)),
            automationDetails: .init(id: "scrubjay-verify/\(automationName(result.package))/"),
            invocations: [.init(executionSuccessful: true)],
            results: sarifResults,
            properties: ["verdict": verdict, "package": result.package])
    }

    /// The package's part of `automationDetails.id`: a relative path as given (without a
    /// leading `./`), so `a/pkg.zip` and `b/pkg.zip` uploaded together stay apart and keep
    /// their category from run to run; an absolute path's file name (a temporary directory's
    /// path would change every run).
    static func automationName(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return (path as NSString).lastPathComponent }
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2).drop { $0 == "/" } }
        return String(p)
    }

    /// A readable rule name from a code: `digest.mismatch` → `DigestMismatch`.
    static func ruleName(_ code: String) -> String {
        code.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The package path as a URI reference: relative paths stay relative (code scanning maps
    /// them to the repository), absolute ones become `file://` URIs.
    static func artifactURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }.joined(separator: "/")
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    struct Log: Encodable {
        let schema = SARIFReport.schemaURI
        let version = "2.1.0"
        let runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }
    struct Run: Encodable {
        let tool: Tool
        let automationDetails: AutomationDetails
        let invocations: [Invocation]
        let results: [Result]
        let properties: [String: String]
    }
    struct Tool: Encodable { let driver: Driver }
    struct Driver: Encodable {
        let name: String
        let semanticVersion: String
        let version: String
        let informationUri: String
        let rules: [Rule]
    }
    struct Rule: Encodable {
        let id: String
        let name: String
        let shortDescription: Text
        let help: Text
        let defaultConfiguration: Configuration
    }
    struct Configuration: Encodable { let level: String }
    struct Text: Encodable { let text: String }
    struct AutomationDetails: Encodable { let id: String }
    struct Invocation: Encodable { let executionSuccessful: Bool }
    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Text
        let locations: [Location]
        let partialFingerprints: [String: String]
        let properties: [String: String]
    }
    struct Location: Encodable { let physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }
    struct ArtifactLocation: Encodable { let uri: String }
    struct Region: Encodable { let startLine: Int }
}
