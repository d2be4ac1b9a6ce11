import Foundation
import Testing
@testable import ScrubjayCLI

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// `verify --policy`, `--rescan`, SARIF and JUnit outputs, `facts`, and the CI script, as a
/// pipeline runs them.
@Suite("Policies on the command line")
struct PolicyCommandTests {
    let recording = fixtures + "/posthog/with-pageviews.json"

    typealias Dir = KeyCommandTests.Dir

    func policy(_ name: String) -> String { repositoryRoot + "/Policies/\(name).yml" }

    @Test("--ingest-host us.i.posthog.com: gdpr-eea exits 1, us-only exits 0; SARIF and JUnit written alongside")
    func residencyExitCodes() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["pack", recording, "--ingest-host", "us.i.posthog.com", "-o", dir.file("us.zip")]).status == 0)
        let gdpr = try runScrubjay(["verify", dir.file("us.zip"), "--policy", policy("gdpr-eea"),
                                    "--sarif-output", dir.file("v.sarif"), "--junit-output", dir.file("v.xml")])
        #expect(gdpr.status == ExitStatus.checkFailed.rawValue)
        #expect(gdpr.stdout.contains("FAIL  policy.gdpr-eea"))
        #expect(gdpr.stdout.contains("error residency.hostNotAllowed: ingest_host: the ingest host us.i.posthog.com is not allowed"))
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("v.sarif")))) as? [String: Any])
        #expect(sarif["version"] as? String == "2.1.0")
        let junit = try String(contentsOfFile: dir.file("v.xml"), encoding: .utf8)
        #expect(junit.contains("<testcase classname=\"scrubjay.verify.us.zip\" name=\"policy.gdpr-eea\">"))

        let us = try runScrubjay(["verify", dir.file("us.zip"), "--policy", policy("us-only")])
        #expect(us.status == 0, "\(us.stdout)\(us.stderr)")
        #expect(us.stdout.contains("PASS  policy.us-only"))
        // Both at once: the failing one decides.
        #expect(try runScrubjay(["verify", dir.file("us.zip"), "--policy", policy("us-only"), "--policy", policy("gdpr-eea")]).status == 1)
    }

    @Test("verify's text: each check's title starts in one column, two spaces after the longest check id")
    func textColumnsLineUp() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["pack", recording, "--ingest-host", "us.i.posthog.com", "-o", dir.file("us.zip")]).status == 0)
        let long = try dir.write("long.yml", try String(contentsOfFile: policy("us-only"), encoding: .utf8)
            .replacingOccurrences(of: "policy: us-only", with: "policy: us-only-with-a-much-longer-name"))
        let r = try runScrubjay(["verify", dir.file("us.zip"), "--policy", policy("us-only"), "--policy", long])
        let checks = r.stdout.split(separator: "\n").filter { ["PASS", "FAIL", "WARN", "SKIP"].contains($0.dropFirst(2).prefix(4)) }
        #expect(checks.count >= 9, "\(r.stdout)")
        #expect(checks.contains { $0.hasPrefix("  PASS  policy.us-only-with-a-much-longer-name  Policy us-only-with-a-much-longer-name") }, "\(r.stdout)")
        // The title starts where the id column (as wide as the longest id) and two spaces end.
        let titleColumn = 8 + "policy.us-only-with-a-much-longer-name".count + 2
        for line in checks {
            let id = line.dropFirst(8).prefix { $0 != " " }
            #expect(line.dropFirst(8 + id.count).prefix(titleColumn - 8 - id.count).allSatisfy { $0 == " " }
                    && line.dropFirst(titleColumn).first != " ", "not in the column: \(line)")
        }
    }

    @Test("SARIF and JUnit as the main output, to stdout or a file")
    func formats() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["pack", recording, "-o", dir.file("p.zip")]).status == 0)
        let sarif = try runScrubjay(["verify", dir.file("p.zip"), "--format", "sarif"])
        #expect(sarif.status == 0)
        #expect(sarif.stdout.contains("\"$schema\" : \"https://json.schemastore.org/sarif-2.1.0.json\""))
        let junit = try runScrubjay(["verify", dir.file("p.zip"), "--format", "junit", "--fail-on-warn", "-o", dir.file("j.xml")])
        #expect(junit.status == 1)
        #expect(junit.stdout.isEmpty)
        let xml = try String(contentsOfFile: dir.file("j.xml"), encoding: .utf8)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(xml.contains("<failure message=\"signature.missing: "))
    }

    @Test("a bad policy, a missing one, duplicate names, --rules without --rescan: usage errors (exit 2) naming the file and line")
    func usageErrors() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["pack", recording, "-o", dir.file("p.zip")]).status == 0)
        let bad = try dir.write("bad.yml", "version: 1\npolicy: bad\nrequire:\n  ingest_hosts: {allow: [x]}\n")
        let r = try runScrubjay(["verify", dir.file("p.zip"), "--policy", bad])
        #expect(r.status == ExitStatus.usage.rawValue)
        #expect(r.stderr.contains("\(bad):4: unknown key 'ingest_hosts' in require"))
        #expect(r.stdout.isEmpty)
        let missing = try runScrubjay(["verify", dir.file("p.zip"), "--policy", dir.file("none.yml")])
        #expect(missing.status == ExitStatus.usage.rawValue)
        // The path once (it was "none.yml: cannot read: none.yml: cannot open: ...").
        #expect(missing.stderr == "scrubjay: error: \(dir.file("none.yml")): cannot open: No such file or directory\n")
        let copy = try dir.write("copy.yml", try String(contentsOfFile: policy("us-only"), encoding: .utf8))
        let dup = try runScrubjay(["verify", dir.file("p.zip"), "--policy", policy("us-only"), "--policy", copy])
        #expect(dup.status == ExitStatus.usage.rawValue)
        #expect(dup.stderr.contains("names must differ"))
        #expect(try runScrubjay(["verify", dir.file("p.zip"), "--rules", repositoryRoot + "/Rules/default.yml"]).status == ExitStatus.usage.rawValue)
        let badRules = try dir.write("rules.yml", "version: 1\npack: x\nrules:\n  - id: Bad Id\n")
        #expect(try runScrubjay(["verify", dir.file("p.zip"), "--rescan", "--rules", badRules]).status == ExitStatus.usage.rawValue)
    }

    /// YAML that does not parse, in a policy or a rule pack: `file:line: not valid YAML: ...` on
    /// one line, as a trust file says it. It was `file: not valid YAML: 3:8: error: parser: ...`
    /// with Yams' quoted lines shown as `\n` escapes.
    @Test("YAML syntax errors in a policy or a rule pack name the file and line on one line")
    func yamlSyntaxErrors() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["pack", recording, "-o", dir.file("p.zip")]).status == 0)
        let policy = try dir.write("bad.yml", "version: 1\npolicy: x\n  bad: [\n")
        let p = try runScrubjay(["verify", dir.file("p.zip"), "--policy", policy])
        #expect(p.status == ExitStatus.usage.rawValue)
        #expect(p.stderr == "scrubjay: error: \(policy):3: not valid YAML: mapping values are not allowed in this context\n")
        let rules = try dir.write("rules.yml", "version: 1\npack: x\nrules:\n  - id: a\n   category: [\n")
        let r = try runScrubjay(["audit", dir.file("p.zip"), "--rules", rules])
        #expect(r.status == ExitStatus.malformedInput.rawValue)
        #expect(r.stderr == "scrubjay: error: \(rules):5: not valid YAML: while parsing a block collection did not find expected '-' indicator\n")
    }

    @Test("--rescan lists what still matches; facts prints the judged facts as JSON, with no recorded value")
    func rescanAndFacts() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        // Packed, not redacted: the rescan finds the emails the recording carries.
        #expect(try runScrubjay(["pack", recording, "--ingest-host", "eu.i.posthog.com", "-o", dir.file("p.zip")]).status == 0)
        let r = try runScrubjay(["verify", dir.file("p.zip"), "--rescan"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("WARN  rescan"))
        #expect(r.stdout.contains("warning rescan.residual events/"))
        #expect(try runScrubjay(["verify", dir.file("p.zip"), "--rescan", "--fail-on-warn"]).status == 1)

        let facts = try runScrubjay(["facts", dir.file("p.zip"), "--rescan", "-o", dir.file("facts.json")])
        #expect(facts.status == 0, "\(facts.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("facts.json")))
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(obj["ingestHost"] as? String == "eu.i.posthog.com")
        #expect(obj["storageRegion"] as? String == "eu-central-1")
        #expect(obj["storageRegionGroups"] as? [String] == ["eea"])
        #expect((obj["assetHosts"] as? [String])?.contains("fonts.gstatic.com") == true)
        let rescan = try #require(obj["rescan"] as? [String: Any])
        let total = try #require((rescan["findings"] as? [String: Any])?["total"] as? Int)
        #expect(total > 0)
        // The emails the rescan found are not in the facts.
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("@posthog.com"))
        #expect(try runScrubjay(["facts", recording]).status == ExitStatus.usage.rawValue)
    }

    @Test("docs/ci/verify-packages.sh: every package verified, SARIF and JUnit for each, exit 1 when one fails, 2 on usage errors")
    func ciScript() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["pack", recording, "--ingest-host", "eu.i.posthog.com", "-o", dir.file("eu.zip")]).status == 0)
        #expect(try runScrubjay(["pack", recording, "--ingest-host", "us.i.posthog.com", "-o", dir.file("us.zip")]).status == 0)
        let binary = repositoryRoot + "/.build/debug/scrubjay"
        func script(_ args: [String], scrubjay: String = binary) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [repositoryRoot + "/docs/ci/verify-packages.sh"] + args
            p.environment = ProcessInfo.processInfo.environment.merging(["SCRUBJAY": scrubjay]) { $1 }
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let results = dir.file("results")
        let (status, text) = try script([results, dir.file("us.zip"), dir.file("eu.zip"), "--", "--policy", policy("gdpr-eea")])
        #expect(status == 1, "\(text)")
        #expect(text.contains("2 package(s) verified, 1 failed"))
        for name in ["us", "eu"] {
            #expect(FileManager.default.fileExists(atPath: results + "/\(name).sarif"))
            #expect(FileManager.default.fileExists(atPath: results + "/\(name).junit.xml"))
        }
        let (pass, _) = try script([results, dir.file("eu.zip"), "--", "--policy", policy("gdpr-eea")])
        #expect(pass == 0)
        let (usage, usageText) = try script([results, dir.file("eu.zip"), dir.file("us.zip"), "--", "--policy", dir.file("missing.yml")])
        #expect(usage == 2)
        #expect(usageText.contains("stopping"))
        #expect(usageText.contains("exit 2 (a usage error)"))
        // No scrubjay to run: said so before any package (it was "exit 127 (a usage error)").
        let (missing, missingText) = try script([results, dir.file("eu.zip")], scrubjay: dir.file("no-such-scrubjay"))
        #expect(missing == 2)
        #expect(missingText.contains("no-such-scrubjay: no such command; set SCRUBJAY to the scrubjay binary"), "\(missingText)")
        #expect(!missingText.contains("results:"))

        // Two packages of one file name (and one differing only in case and extension): each
        // keeps its own results; the failing one's are not overwritten by the passing one's.
        for sub in ["a", "b", "c"] { try FileManager.default.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: dir.file("us.zip"), toPath: dir.file("a/pkg.zip"))
        try FileManager.default.copyItem(atPath: dir.file("eu.zip"), toPath: dir.file("b/pkg.zip"))
        try FileManager.default.copyItem(atPath: dir.file("eu.zip"), toPath: dir.file("c/PKG.tar.gz"))
        let same = dir.file("same")
        let (sameStatus, sameText) = try script([same, dir.file("a/pkg.zip"), dir.file("b/pkg.zip"), dir.file("c/PKG.tar.gz"),
                                                 "--", "--policy", policy("gdpr-eea")])
        #expect(sameStatus == 1, "\(sameText)")
        #expect(sameText.contains("3 package(s) verified, 1 failed"))
        #expect(sameText.contains("results: \(dir.file("b/pkg.zip")) -> \(same)/pkg-2.sarif"), "\(sameText)")
        let written = try FileManager.default.contentsOfDirectory(atPath: same).sorted()
        #expect(written == ["PKG-3.junit.xml", "PKG-3.sarif", "pkg-2.junit.xml", "pkg-2.sarif", "pkg.junit.xml", "pkg.sarif"], "\(written)")
        let failing = try String(contentsOfFile: same + "/pkg.junit.xml", encoding: .utf8)
        #expect(!failing.contains("failures=\"0\""), "the failing package's results are kept")
        let passing = try String(contentsOfFile: same + "/pkg-2.junit.xml", encoding: .utf8)
        #expect(passing.contains("failures=\"0\""))
    }
}

extension KeyCommandTests.Dir {
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
        return file(name)
    }
}
