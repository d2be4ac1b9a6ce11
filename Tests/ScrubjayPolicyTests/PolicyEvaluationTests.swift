import Foundation
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayRedaction
import ScrubjayRules
@testable import ScrubjayPolicy
@testable import ScrubjayVerify
import ScrubjayTestSupport

/// A scratch directory for one test.
struct Scratch {
    let path = scratchPath("scrubjay-policy")
    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
        return file(name)
    }
}

let createdAt = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
let recording = fixtures + "/posthog/with-pageviews.json"
/// Planted into a real posthog.com recording: a card number, its security code and an email.
let plantedText = "Card 4242 4242 4242 4242, CVV: 123, mail jane.doe@example.org"

func pack(_ scratch: Scratch, _ name: String, ingestHost: String? = nil, storageEndpoint: String? = nil,
          storageRegion: String? = nil) throws -> String {
    var options = PackOptions()
    options.createdAt = createdAt
    options.ingestHost = ingestHost
    options.storageEndpoint = storageEndpoint
    options.storageRegion = storageRegion
    let out = scratch.file(name)
    _ = try PackageWriter(options: options).write(inputs: [recording], to: out)
    return out
}

/// with-pageviews.json with `plantedText` in place of a heading, redacted with `rules` and signed.
func redactPlanted(_ scratch: Scratch, rules: RuleSet, key: PrivateKey, ingestHost: String = "eu.i.posthog.com") throws -> String {
    let text = try String(contentsOfFile: recording, encoding: .utf8)
    let heading = "Watch how real users use your product"
    #expect(text.contains(heading))
    let input = try scratch.write("planted.json", text.replacingOccurrences(of: heading, with: plantedText))
    var options = PackOptions()
    options.createdAt = createdAt
    options.ingestHost = ingestHost
    let out = scratch.file("planted-\(UUID().uuidString).zip")
    try RedactionJob.redact(inputs: [input], output: out, rules: rules, pseudonymKey: nil, signingKey: key, options: options)
    return out
}

func verifier(_ policies: [Policy], keys: [PublicKey] = [], rescan: RuleSet? = nil) -> Verifier {
    var v = Verifier()
    v.policies = policies
    v.trustedKeys = keys.map { TrustedKey(name: "officer", key: $0) }
    v.rescanRules = rescan
    v.now = createdAt.addingTimeInterval(86_400)
    return v
}

func policy(_ name: String) throws -> Policy { try PolicyLoader.load(repository + "/Policies/\(name).yml") }

func check(_ r: VerificationResult, _ id: String) throws -> CheckResult {
    try #require(r.checks.first { $0.id == id }, "no check \(id) in \(r.checks.map(\.id))")
}

@Suite struct ResidencyTests {
    @Test("a package packed with --ingest-host us.i.posthog.com fails gdpr-eea and passes us-only")
    func usIngestHost() throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "us.zip", ingestHost: "us.i.posthog.com")

        let gdpr = try verifier([try policy("gdpr-eea")]).verify(package)
        let g = try check(gdpr, "policy.gdpr-eea")
        #expect(g.status == .fail)
        let errors = g.findings.filter { $0.severity == .error }
        #expect(errors.map(\.code).sorted() == ["residency.hostNotAllowed", "residency.regionNotAllowed"])
        #expect(errors.contains { $0.actual == "us.i.posthog.com" && $0.message.hasPrefix("ingest_host:") })
        #expect(errors.contains { $0.actual == "us-east-1" })
        #expect(gdpr.fails(failOnWarn: false))

        let us = try verifier([try policy("us-only")]).verify(package)
        let u = try check(us, "policy.us-only")
        #expect(u.status == .pass, "\(u.findings)")
        #expect(!us.fails(failOnWarn: false))
        #expect(us.facts?.storageRegion == "us-east-1")
        #expect(us.facts?.storageRegionSource == "ingestHost")
    }

    @Test("an EEA ingest host passes gdpr-eea (site and asset hosts outside it only warn) and fails us-only")
    func euIngestHost() throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "eu.zip", ingestHost: "eu.i.posthog.com")
        let gdpr = try verifier([try policy("gdpr-eea")]).verify(package)
        let g = try check(gdpr, "policy.gdpr-eea")
        #expect(g.status == .warn)
        #expect(g.findings.allSatisfy { $0.severity == .warning && $0.code == "residency.hostNotAllowed" })
        // The recording loads Google Fonts: an asset host outside the EEA's domains.
        #expect(g.findings.contains { $0.actual == "fonts.gstatic.com" && $0.message.hasPrefix("asset_hosts:") })
        #expect(!gdpr.fails(failOnWarn: false))
        #expect(gdpr.fails(failOnWarn: true))

        let us = try verifier([try policy("us-only")]).verify(package)
        #expect(try check(us, "policy.us-only").status == .fail)
    }

    @Test("a storage region given or named by the endpoint decides, before the ingest host")
    func storageRegionSources() throws {
        let scratch = try Scratch()
        let endpoint = try pack(scratch, "endpoint.zip", ingestHost: "eu.i.posthog.com",
                                storageEndpoint: "https://s3.us-west-2.amazonaws.com/replays")
        let e = try verifier([try policy("gdpr-eea")]).verify(endpoint)
        #expect(e.facts?.storageRegion == "us-west-2")
        #expect(e.facts?.storageRegionSource == "storageEndpoint")
        #expect(try check(e, "policy.gdpr-eea").findings.contains { $0.code == "residency.regionNotAllowed" && $0.severity == .error })

        let given = try pack(scratch, "given.zip", ingestHost: "eu.i.posthog.com",
                             storageEndpoint: "https://s3.us-west-2.amazonaws.com/replays", storageRegion: "eu-west-1")
        let g = try verifier([try policy("gdpr-eea")]).verify(given)
        #expect(g.facts?.storageRegion == "eu-west-1")
        #expect(g.facts?.storageRegionSource == "given")
        #expect(try check(g, "policy.gdpr-eea").status == .warn)
    }

    @Test("an unknown fact is handled as the policy says: fail, warn or pass", arguments: [
        ("fail", FindingSeverity.error, CheckResult.Status.fail), ("warn", .warning, .warn), ("pass", .note, .pass),
    ])
    func unknownFacts(_ outcome: String, _ severity: FindingSeverity, _ status: CheckResult.Status) throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "plain.zip")
        let p = try PolicyLoader.load(try scratch.write("p.yml", """
        version: 1
        policy: unknown-\(outcome)
        unknown: \(outcome)
        require:
          ingest_host: {allow: [eu.i.posthog.com]}
          storage_region: {allow: [eea]}
        """))
        let r = try verifier([p]).verify(package)
        let c = try check(r, "policy.unknown-\(outcome)")
        #expect(c.status == status)
        #expect(c.findings.map(\.code) == ["residency.unknown", "residency.unknown"])
        #expect(c.findings.allSatisfy { $0.severity == severity })
    }

    @Test("an exception past its expiry fails; a live one turns what it matches into a note")
    func exceptions() throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "eu.zip", ingestHost: "eu.i.posthog.com")
        func run(_ expires: String) throws -> CheckResult {
            let p = try PolicyLoader.load(try scratch.write("p-\(expires).yml", """
            version: 1
            policy: fonts
            require:
              ingest_host: {allow: [eu.i.posthog.com]}
              asset_hosts: {allow: ["*.eu"]}
            exceptions:
              - requirement: asset_hosts
                match: "*.gstatic.com"
                reason: Google Fonts serve glyphs only, no personal data
                expires: \(expires)
            """))
            return try check(try verifier([p]).verify(package), "policy.fonts")
        }
        let expired = try run("2025-12-31")
        #expect(expired.status == .fail)
        let e = try #require(expired.findings.first { $0.code == "policy.exceptionExpired" })
        #expect(e.severity == .error)
        #expect(e.actual == "2025-12-31")
        #expect(e.message.contains("Google Fonts serve glyphs only"))
        // The expired exception no longer excuses the host.
        #expect(expired.findings.contains { $0.code == "residency.hostNotAllowed" && $0.actual == "fonts.gstatic.com" && $0.severity == .error })

        let live = try run("2026-06-30")
        #expect(live.status == .pass, "\(live.findings)")
        let excused = try #require(live.findings.first { $0.actual == "fonts.gstatic.com" })
        #expect(excused.severity == .note)
        #expect(excused.message.contains("excepted until 2026-06-30"))
    }

    @Test("max_age judges the creation time the package states")
    func maxAge() throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "plain.zip")
        func status(_ max: String) throws -> CheckResult {
            let p = try parse("version: 1\npolicy: age\nrequire:\n  max_age: \(max)\n")
            return try check(try verifier([p]).verify(package), "policy.age")
        }
        #expect(try status("2d").status == .pass)
        let old = try status("12h")
        #expect(old.status == .fail)
        #expect(old.findings.first?.code == "policy.tooOld")
        #expect(old.findings.first?.actual == "1.0 days")
    }
}

@Suite struct FactsTests {
    @Test("hosts come from the events: pages, fetched assets and CSS url(), not links or SVG namespaces")
    func hostsOfARealRecording() throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "p.zip")
        var v = verifier([])
        v.collectFacts = true
        let facts = try #require(try v.verify(package).facts)
        #expect(facts.siteHosts == ["localhost"])
        #expect(facts.assetHosts?.contains("fonts.gstatic.com") == true)
        #expect(facts.assetHosts?.contains("www.w3.org") == false)
        #expect(facts.networkHosts == [])
        #expect(facts.recording?.eventCount == 178)
        #expect(facts.signed == false)
        #expect(facts.trustedSigners == nil)
        #expect(facts.createdAt == "2026-01-01T00:00:00Z")
        #expect(facts.createdAtSource == "manifest")
        #expect(facts.ageSeconds == 86_400)
        #expect(facts.rules == nil)
    }

    @Test("a request URL written as browsers still read it is judged by the host it reaches, not left out of the facts",
          arguments: ["HTTPS://us.i.posthog.com/e", " https://us.i.posthog.com/e", "https://us.i.post\thog.com/e",
                      "https:\\\\us.i.posthog.com\\e", "https://us.i.posthog%2Ecom/e",
                      "https://us.i.posthog\u{FF0E}com/e", "https://\u{FF35}\u{FF33}.i.posthog.com/e", "https://us.i.posthog\u{3002}com/e"])
    func networkHostsInOddForms(url: String) throws {
        let window = try JSONDecoder().decode(PackageManifest.Window.self, from: Data(#"{"id":"","file":"events/main.jsonl","eventCount":1}"#.utf8))
        let request: [String: Any] = ["name": url, "method": "POST", "status": 200]
        let event: [String: Any] = ["type": 6, "timestamp": 1, "data": ["plugin": "rrweb/network@1", "payload": ["requests": [request]]]]
        var scan = EventScan(rules: nil)
        try scan.event(Array(try JSONSerialization.data(withJSONObject: event)), window: window, index: 0)
        #expect(scan.networkHosts == ["us.i.posthog.com"], "\(url.debugDescription): \(scan.networkHosts)")
    }

    @Test("hosts with letters beyond ASCII are judged in their DNS (punycode) form, never dropped")
    func internationalHosts() {
        #expect(Hosts.host(of: "https://bücher.example/") == "xn--bcher-kva.example")
        #expect(Hosts.host(of: "https://BÜCHER.example/") == "xn--bcher-kva.example")
        #expect(Hosts.host(of: "https://例え.テスト/") == "xn--r8jz45g.xn--zckzah")
        #expect(Hosts.host(of: "eu.i.posthog.com") == "eu.i.posthog.com")
        #expect(Hosts.host(of: "https://eu.i.posthog.com:443/x") == "eu.i.posthog.com")
        #expect(Hosts.host(of: "https://us.i.posthog.com@eu.i.posthog.com/") == "eu.i.posthog.com")
        #expect(Hosts.host(of: "https://[2001:DB8::1]:8443/") == "[2001:db8::1]")
        #expect(Hosts.host(of: "/relative/path") == nil)
    }

    @Test func cssURLsAndTheirLookalikes() {
        let css = """
        @import url("https://fonts.googleapis.com/css?family=Inter"); @import 'https://cdn.example.eu/a.css';
        .a { background: url(//img.example.com/x.png) } .b { background-image: url( 'https://assets.example.org/y.svg' ) }
        .c { background: url("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>") }
        .d::after { content: "see https://not-fetched.example.net" }
        """
        #expect(EventScan.hostsInText(css) == ["fonts.googleapis.com", "cdn.example.eu", "img.example.com", "assets.example.org"])
    }
}

@Suite struct ComplianceTests {
    @Test("pci-dss: a signed package redacted with the default rules passes, with a rescan that finds no card")
    func pciPasses() throws {
        let scratch = try Scratch()
        let key = try PrivateKey.generate()
        let package = try redactPlanted(scratch, rules: try RuleSet.defaults(), key: key)
        let r = try verifier([try policy("pci-dss"), try policy("hipaa-safe-harbor")], keys: [key.publicKey],
                             rescan: try RuleSet.defaults()).verify(package)
        let pci = try check(r, "policy.pci-dss"), hipaa = try check(r, "policy.hipaa-safe-harbor")
        #expect(pci.status == .pass, "\(pci.findings)")
        #expect(hipaa.status == .pass, "\(hipaa.findings)")
        #expect(r.facts?.rescan?.findings.byRule["payment_card"] == nil)
        #expect(r.facts?.rules?.source == "statement")
        #expect(r.facts?.rules?.rules.first { $0.id == "payment_card" }?.action == .keep_last)
        #expect(r.facts?.trustedSigners == [key.publicKey.keyID])
        #expect(!r.fails(failOnWarn: false))
        // Only the last four digits of the card remain in the package.
        let events = try ReplayPackage.open(package).files.filter { $0.key.hasPrefix("events/") }.values.map { String(decoding: $0, as: UTF8.self) }.joined()
        #expect(events.contains("**** **** **** 4242"))
        #expect(!events.contains("4242 4242 4242 4242"))
    }

    @Test("pci-dss: a package redacted without the card rules fails: rules missing, residual cards on rescan")
    func pciFails() throws {
        let scratch = try Scratch()
        let key = try PrivateKey.generate()
        let emailOnly = try scratch.write("email-only.yml", """
        version: 1
        pack: email-only
        rules:
          - id: email
            description: 'Email addresses.'
            category: contact
            severity: medium
            kind: pattern
            pattern: '[\\w.+-]+@[\\w-]+\\.[\\w.]+'
            action: mask
            examples:
              match:
                - input: 'a@b.org'
                  output: '*******'
        """)
        let package = try redactPlanted(scratch, rules: try RuleSet.load([emailOnly]), key: key)
        let r = try verifier([try policy("pci-dss")], keys: [key.publicKey], rescan: try RuleSet.defaults()).verify(package)
        let c = try check(r, "policy.pci-dss")
        #expect(c.status == .fail)
        let codes = Set(c.findings.filter { $0.severity == .error }.map(\.code))
        #expect(codes == ["policy.ruleMissing", "policy.categoryMissing", "policy.residualFindings"])
        // The heading the card was planted in appears twice in the recording.
        #expect(c.findings.contains { $0.code == "policy.residualFindings" && $0.message.contains("payment_card") && $0.actual == "2" }, "\(c.findings)")
        // The rescan check locates the card: events file and line, rule, pointer; no value.
        let rescan = try check(r, "rescan")
        #expect(rescan.status == .warn)
        let card = try #require(rescan.findings.first { $0.actual == "payment_card" })
        #expect(card.path?.hasPrefix("events/") == true)
        #expect((card.line ?? 0) >= 1)
        let encoded = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(!encoded.contains("4242 4242"))
        #expect(!encoded.contains("4242424242424242"))
    }

    @Test("a signature requirement: unknown without trusted keys, and a named key must be the signer")
    func signatureRequirement() throws {
        let scratch = try Scratch()
        let key = try PrivateKey.generate(), other = try PrivateKey.generate()
        let package = try redactPlanted(scratch, rules: try RuleSet.defaults(), key: key)
        let anyKey = try parse("version: 1\npolicy: signed\nrequire:\n  signature: {}\n")
        #expect(try check(try verifier([anyKey]).verify(package), "policy.signed").findings.map(\.code) == ["policy.signatureUnknown"])
        #expect(try check(try verifier([anyKey], keys: [key.publicKey]).verify(package), "policy.signed").status == .pass)
        // Trusting only another key: the signature does not count.
        #expect(try check(try verifier([anyKey], keys: [other.publicKey]).verify(package), "policy.signed").findings.map(\.code) == ["policy.signatureMissing"])
        let named = try parse("version: 1\npolicy: named\nrequire:\n  signature: {key_ids: [\"\(other.publicKey.keyID)\"]}\n")
        let c = try check(try verifier([named], keys: [key.publicKey, other.publicKey]).verify(package), "policy.named")
        #expect(c.findings.map(\.code) == ["policy.signerNotAllowed"])
    }

    @Test("key_ids judge the key a signature verifies with, not the keyid it claims (a hint)")
    func signerIsTheVerifyingKey() throws {
        let scratch = try Scratch()
        let junior = try PrivateKey.generate(), officer = try PrivateKey.generate()
        let package = try redactPlanted(scratch, rules: try RuleSet.defaults(), key: junior)
        // The junior's signature, claiming to be the officer's.
        var entries = try Archive.read(contentsOf: package)
        let i = try #require(entries.firstIndex { $0.path == PackageStatement.path })
        var envelope = try DSSEEnvelope.decode(entries[i].data, source: "test")
        envelope.signatures[0].keyid = officer.publicKey.keyID
        entries[i] = ArchiveEntry(path: PackageStatement.path, data: try envelope.encoded())
        let claimed = scratch.file("claimed.zip")
        try Archive.write(entries, format: .zip, to: claimed)
        let named = try parse("version: 1\npolicy: named\nrequire:\n  signature: {key_ids: [\"\(officer.publicKey.keyID)\"]}\n")
        let r = try verifier([named], keys: [junior.publicKey, officer.publicKey]).verify(claimed)
        let c = try check(r, "policy.named")
        #expect(c.findings.map(\.code) == ["policy.signerNotAllowed"], "\(c.findings)")
        #expect(r.facts?.trustedSigners == [junior.publicKey.keyID])
    }

    @Test("an unsigned redacted package: rules come from its report")
    func rulesFromTheReport() throws {
        let scratch = try Scratch()
        var options = PackOptions()
        options.createdAt = createdAt
        let out = scratch.file("unsigned.zip")
        try RedactionJob.redact(inputs: [recording], output: out, rules: try RuleSet.defaults(), pseudonymKey: nil, options: options)
        let p = try parse("version: 1\npolicy: rules\nrequire:\n  rules_applied: {files: [default], rules: [email], categories: [contact]}\n")
        let r = try verifier([p]).verify(out)
        #expect(try check(r, "policy.rules").status == .pass)
        #expect(r.facts?.rules?.source == "report")
        #expect(r.facts?.rules?.findingsByAction["mask"] ?? 0 > 0)
        let missing = try parse("version: 1\npolicy: rules\nrequire:\n  rules_applied: {files: [cards]}\n")
        #expect(try check(try verifier([missing]).verify(out), "policy.rules").findings.map(\.code) == ["policy.ruleFileMissing"])
    }
}

@Suite struct RegoTests {
    /// Runs Policies/rego/scrubjay.rego (through Tests/Support/check_rego.py) on the facts.
    func rego(_ facts: PackageFacts, _ policyFile: String) throws -> (deny: [String], warn: [String]) {
        let scratch = try Scratch()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let factsPath = scratch.file("facts.json")
        try encoder.encode(facts).write(to: URL(fileURLWithPath: factsPath))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repository + "/Tests/Support/check_rego.py", factsPath, policyFile]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "check_rego.py failed: \(message)")
        let json = try JSONSerialization.jsonObject(with: data) as! [String: [String]]
        return (json["deny"] ?? [], json["warn"] ?? [])
    }

    @Test("the Rego in docs/POLICIES.md, fed the facts and gdpr-eea.yml, agrees with verify --policy",
          arguments: ["us.i.posthog.com", "eu.i.posthog.com", nil] as [String?])
    func regoAgrees(_ ingestHost: String?) throws {
        let scratch = try Scratch()
        let package = try pack(scratch, "p.zip", ingestHost: ingestHost)
        let policyFile = repository + "/Policies/gdpr-eea.yml"
        let r = try verifier([try PolicyLoader.load(policyFile)]).verify(package)
        let facts = try #require(r.facts)
        let c = try check(r, "policy.gdpr-eea")
        let (deny, warn) = try rego(facts, policyFile)
        #expect(deny.count == c.findings.filter { $0.severity == .error }.count, "\(deny) vs \(c.findings)")
        #expect(warn.count == c.findings.filter { $0.severity == .warning }.count, "\(warn) vs \(c.findings)")
        if ingestHost == "us.i.posthog.com" {
            #expect(deny == ["the ingest host us.i.posthog.com is not allowed", "the storage region us-east-1 is not allowed"])
        }
        #expect(warn.contains("asset host fonts.gstatic.com is not allowed"))
    }
}
