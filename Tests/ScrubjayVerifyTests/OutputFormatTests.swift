import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayPolicy
import ScrubjayRules
@testable import ScrubjayVerify
import ScrubjayTestSupport

/// Results to render: a passing signed package, a tampered one, and a packed (unredacted)
/// one judged by a failing policy with a rescan (findings with lines), each rendered in
/// every format.
struct RenderCases {
    static func results() throws -> [(String, VerificationResult)] {
        let signed = SignedPackage.shared
        var out: [(String, VerificationResult)] = []
        out.append(("pass", try signed.verifier().verify(signed.path)))
        var entries = signed.entries
        let i = entries.firstIndex { $0.path.hasPrefix("events/") }!
        entries[i].data[10] ^= 0x20
        entries.append(ArchiveEntry(path: "extra & <odd> \"name\".txt", data: Array("x".utf8)))
        out.append(("tampered", try signed.verifier().verify(try signed.write(entries, "tampered"))))
        let packed = signed.directory + "/packed-\(UUID().uuidString).zip"
        _ = try PackageWriter(options: PackOptions()).write(inputs: [signed.input], to: packed)
        var v = signed.verifier()
        v.policies = [try PolicyLoader.parse(text: """
            version: 1
            policy: strict
            require:
              ingest_host: {allow: [eu.i.posthog.com]}
              rescan: {max_findings: {total: 0}}
            exceptions:
              - {requirement: rescan, reason: old, expires: 2020-01-01}
            """, file: "strict.yml", sha256: "0")]
        v.rescanRules = try RuleSet.defaults()
        out.append(("policy", try v.verify(packed)))
        return out
    }
}

@Suite struct OutputFormatTests {
    @Test("the SARIF output validates against the SARIF 2.1.0 schema, with stable rule ids and fingerprints")
    func sarifValidates() throws {
        let cases = try RenderCases.results()
        let directory = scratchPath("scrubjay-sarif")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for (name, result) in cases {
            let bytes = try SARIFReport.render([result], toolVersion: "0.1.0")
            let path = directory + "/\(name).sarif"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            let log = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
            let run = (log["runs"] as! [[String: Any]])[0]
            let results = run["results"] as! [[String: Any]]
            #expect(results.count == result.findings.count)
            #expect(results.map { $0["ruleId"] as! String } == result.findings.map(\.code))
            // Rendering again gives the same bytes: ids and fingerprints are stable.
            #expect(try SARIFReport.render([result], toolVersion: "0.1.0") == bytes)
        }
        let tampered = cases[1].1
        #expect(tampered.findings.contains { $0.code == "digest.mismatch" })
        #expect(tampered.findings.contains { $0.code == "archive.extraFile" })
        #expect(cases[2].1.findings.contains { $0.code == "policy.exceptionExpired" })
        #expect(cases[2].1.findings.contains { $0.code == "rescan.residual" && $0.line != nil })

        let (status, message) = try validateSARIF(paths)
        #expect(status == 0, "SARIF does not validate: \(message)")
    }

    @Test("automationDetails.id keeps a relative path, so two packages of one file name stay apart; an absolute path gives its file name")
    func automationIds() throws {
        #expect(SARIFReport.automationName("dist/a/pkg.zip") == "dist/a/pkg.zip")
        #expect(SARIFReport.automationName("./dist/b/pkg.zip") == "dist/b/pkg.zip")
        #expect(SARIFReport.automationName("pkg.zip") == "pkg.zip")
        #expect(SARIFReport.automationName("/tmp/x-123/pkg.zip") == "pkg.zip")
        var a = try SignedPackage.shared.verifier().verify(SignedPackage.shared.path)
        var b = a
        a.package = "a/pkg.zip"
        b.package = "b/pkg.zip"
        func id(_ r: VerificationResult) throws -> String? {
            let log = try JSONSerialization.jsonObject(with: Data(try SARIFReport.render([r], toolVersion: "0.1.0"))) as! [String: Any]
            return ((log["runs"] as! [[String: Any]])[0]["automationDetails"] as? [String: Any])?["id"] as? String
        }
        #expect(try id(a) == "scrubjay-verify/a/pkg.zip/")
        #expect(try id(b) == "scrubjay-verify/b/pkg.zip/")
    }

    /// Runs Tests/Support/validate_sarif.py on `paths`: its exit status and what it said.
    func validateSARIF(_ paths: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repositoryRoot + "/Tests/Support/validate_sarif.py"] + paths
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, message)
    }

    @Test("the SARIF validator is not a rubber stamp: a bad level is refused")
    func sarifValidatorRefuses() throws {
        let bad = #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"a"}]}},"results":[{"ruleId":"a","level":"fatal","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"p.zip"},"region":{"startLine":1}}}],"partialFingerprints":{"k":"v"}}]}]}"#
        let path = scratchPath("scrubjay-bad") + ".sarif"
        try bad.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, message) = try validateSARIF([path])
        #expect(status != 0)
        #expect(message.contains("'fatal' is not one of"))
    }

    #if canImport(FoundationXML)
    @Test("the JUnit output parses as XML with one test case per check, classname+name unique")
    func junitParses() throws {
        for (name, result) in try RenderCases.results() {
            for failOnWarn in [false, true] {
                let bytes = JUnitReport.render([result], failOnWarn: failOnWarn)
                let doc = try XMLDocument(data: Data(bytes), options: [])
                let root = try #require(doc.rootElement())
                #expect(root.name == "testsuites")
                let suites = root.elements(forName: "testsuite")
                #expect(suites.count == 1)
                let cases = suites[0].elements(forName: "testcase")
                #expect(cases.count == result.checks.count, "\(name)")
                #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == result.checks.map(\.id))
                let keys = cases.map { ($0.attribute(forName: "classname")?.stringValue ?? "") + "/" + ($0.attribute(forName: "name")?.stringValue ?? "") }
                #expect(Set(keys).count == keys.count)
                let failing = result.checks.filter { $0.status == .fail || (failOnWarn && $0.status == .warn) }.count
                #expect(cases.filter { !$0.elements(forName: "failure").isEmpty }.count == failing)
                #expect(suites[0].attribute(forName: "failures")?.stringValue == String(failing))
                #expect(suites[0].attribute(forName: "tests")?.stringValue == String(result.checks.count))
                let skipped = result.checks.filter { $0.status == .skip }.count
                #expect(cases.filter { !$0.elements(forName: "skipped").isEmpty }.count == skipped)
            }
        }
    }
    #endif
}

let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
