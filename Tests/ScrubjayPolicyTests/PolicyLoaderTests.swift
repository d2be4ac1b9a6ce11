import Foundation
import Testing
@testable import ScrubjayPolicy

let repository: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
let fixtures = repository + "/Tests/Fixtures"

func parse(_ yaml: String) throws -> Policy {
    try PolicyLoader.parse(text: yaml, file: "test.yml", sha256: "0")
}

/// The error a policy text gives: file, line and message.
func loadError(_ yaml: String) -> PolicyError? {
    do { _ = try parse(yaml); return nil } catch let e as PolicyError { return e } catch { return nil }
}

@Suite struct PolicyLoaderTests {
    @Test(arguments: ["gdpr-eea", "us-only", "pci-dss", "hipaa-safe-harbor"])
    func bundledPoliciesLoad(_ name: String) throws {
        let p = try PolicyLoader.load(repository + "/Policies/\(name).yml")
        #expect(p.name == name)
        #expect(p.sha256.count == 64)
        #expect(!p.description.isEmpty)
        #expect(p.exceptions.isEmpty)
    }

    @Test func gdprPolicyReadsItsAliasesAndGroups() throws {
        let p = try PolicyLoader.load(repository + "/Policies/gdpr-eea.yml")
        #expect(p.assetHosts?.allow == p.siteHosts?.allow)
        #expect(p.siteHosts?.allow.contains("*.de") == true)
        #expect(p.siteHosts?.violation == .warn)
        #expect(p.ingestHost?.unknown == .fail)
        #expect(p.regionAllowed("eu-central-1", ["eea"]))
        #expect(!p.regionAllowed("eu-west-2", ["eea"]))     // London is not in the EEA
        #expect(!p.regionAllowed("us-east-1", ["eea"]))
    }

    @Test func hipaaPolicyCoversDatesAndURLs() throws {
        let p = try PolicyLoader.load(repository + "/Policies/hipaa-safe-harbor.yml")
        let rules = try #require(p.rulesApplied)
        #expect(rules.rules.contains("date_of_birth"))
        #expect(rules.rules.contains("url_sensitive_param"))
        #expect(rules.categories.contains("location"))
        #expect(p.rescan?.maxBySeverity == ["high": 0, "medium": 0])
        #expect(p.signature?.keyIds == [])
    }

    @Test func everyProblemNamesItsLine() throws {
        let cases: [(String, Int?, String)] = [
            ("version: 1\npolicy: x\nrequire:\n  ingest_hosts: {allow: [a]}\n", 4, "unknown key 'ingest_hosts'"),
            ("version: 2\npolicy: x\n", 1, "version 2"),
            ("version: 1\n", 1, "missing 'policy: NAME'"),
            ("version: 1\npolicy: x\nunknown: maybe\n", 3, "fail, warn, pass"),
            ("version: 1\npolicy: x\nrequire:\n  storage_region: {allow: [eeaa]}\n", 4, "'eeaa' is neither a region group"),
            ("version: 1\npolicy: x\nrequire:\n  max_age: 3 months\n", 4, "duration"),
            ("version: 1\npolicy: x\nrequire:\n  rules_applied: {categories: [money]}\n", 4, "'money' is not a category"),
            ("version: 1\npolicy: x\nrequire:\n  rules_applied: {actions: {payment_card: [shred]}}\n", 4, "'shred' is not an action"),
            ("version: 1\npolicy: x\nrequire:\n  rescan: {max_findings: {severity: {critical: 0}}}\n", 4, "'critical' is not one of"),
            ("version: 1\npolicy: x\nrequire:\n  signature: {key_ids: [abc]}\n", 4, "not a key id"),
            ("version: 1\npolicy: x\nexceptions:\n  - requirement: asset_hosts\n    expires: 2027-01-01\n", 4, "needs a 'reason:'"),
            ("version: 1\npolicy: x\nexceptions:\n  - requirement: asset_hosts\n    reason: r\n", 4, "needs 'expires:'"),
            ("version: 1\npolicy: x\nexceptions:\n  - requirement: asset_hosts\n    reason: r\n    expires: next year\n", 6, "neither a date"),
            ("version: 1\npolicy: x\nexceptions:\n  - requirement: hosts\n    reason: r\n    expires: 2027-01-01\n", 4, "needs 'requirement:'"),
            ("version: 1\npolicy: x\n  bad: [\n", 3, "not valid YAML: mapping values are not allowed"),
            // A group inside itself: judging a region against it would never end.
            ("version: 1\npolicy: x\nregion_groups:\n  a: [b]\n  b: [c, a]\n  c: [eu-west-1]\n", 4, "'a' includes itself (a → b → a)"),
            ("version: 1\npolicy: x\nregion_groups:\n  loop: [loop]\n", 4, "'loop' includes itself (loop → loop)"),
        ]
        for (yaml, line, message) in cases {
            let e = try #require(loadError(yaml), "accepted: \(yaml)")
            #expect(e.line == line, "\(yaml) → \(e)")
            #expect(e.description.contains(message), "\(yaml) → \(e)")
            #expect(e.description.hasPrefix("test.yml"))
        }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: PolicyError.self) { try PolicyLoader.load(fixtures + "/no-such-policy.yml") }
    }

    @Test func exceptionsAndDurations() throws {
        let p = try parse("""
        version: 1
        policy: x
        region_groups:
          home: [eu-central-1, uk]
        require:
          storage_region: {allow: [home]}
          max_age: {max: 2w, violation: warn}
        exceptions:
          - requirement: asset_hosts
            match: "*.gstatic.com"
            reason: Google Fonts serve glyphs only
            expires: 2027-06-30
        """)
        #expect(p.maxAge?.seconds == 1_209_600)
        #expect(p.maxAge?.violation == .warn)
        #expect(p.regionAllowed("eu-central-1", ["home"]))
        #expect(p.regionAllowed("eu-west-2", ["home"]))     // through the built-in group uk
        #expect(!p.regionAllowed("eu-west-1", ["home"]))
        let e = try #require(p.exceptions.first)
        #expect(e.match == "*.gstatic.com")
        #expect(e.line == 9)
        // A date expires at the end of that day, UTC.
        #expect(PackageWriterTime.string(e.expires) == "2027-06-30T23:59:59Z")
    }
}

enum PackageWriterTime {
    static func string(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
}

@Suite struct HostsTests {
    @Test func hostsOfURLs() {
        let cases: [(String, String?)] = [
            ("https://Example.COM/path?q=1", "example.com"),
            ("http://user:pw@cdn.example.org:8080/x", "cdn.example.org"),
            ("//fonts.gstatic.com/s/roboto.woff2", "fonts.gstatic.com"),
            ("eu.i.posthog.com", "eu.i.posthog.com"),
            ("https://[2001:db8::1]:443/", "[2001:db8::1]"),
            ("http://localhost:8000/", "localhost"),
            ("/relative/path.png", nil),
            ("images/logo.png", nil),
            ("data:image/png;base64,AAAA", nil),
            ("mailto:someone@example.com", nil),
            ("https://exa mple.com/", nil),
            ("https://example.com./", "example.com"),
        ]
        for (url, host) in cases { #expect(Hosts.host(of: url) == host, "\(url)") }
    }

    @Test func patterns() {
        #expect(Hosts.matches("eu.i.posthog.com", pattern: "eu.i.posthog.com"))
        #expect(Hosts.matches("EU.I.PostHog.com", pattern: "eu.i.posthog.com"))
        #expect(Hosts.matches("o1.ingest.de.sentry.io", pattern: "*.ingest.de.sentry.io"))
        #expect(!Hosts.matches("ingest.de.sentry.io", pattern: "*.ingest.de.sentry.io"))
        #expect(!Hosts.matches("evil-ingest.de.sentry.io.example.com", pattern: "*.ingest.de.sentry.io"))
        #expect(!Hosts.matches("us.i.posthog.com", pattern: "eu.i.posthog.com"))
        #expect(Hosts.matches("shop.example.de", pattern: "*.de"))
        #expect(!Hosts.matches("example.de.com", pattern: "*.de"))
        #expect(Hosts.matches("anything.example", pattern: "*"))
        #expect(Hosts.matches("cdn3.example.com", pattern: "cdn*.example.com"))
        #expect(!Hosts.matches("cdn.evil.example.com", pattern: "cdn*.example.com"))
    }

    @Test("text that is not a host (a path, user information) matches no host pattern but `*` and names no region")
    func notAHost() {
        // Packed with --ingest-host us.i.posthog.com/.eu.i.posthog.com: the host is us.i.posthog.com.
        #expect(!Hosts.matches("us.i.posthog.com/.eu.i.posthog.com", pattern: "*.eu.i.posthog.com"))
        #expect(!Hosts.matches("x@us.i.posthog.com/.eu.i.posthog.com", pattern: "*.eu.i.posthog.com"))
        #expect(Hosts.matches("us.i.posthog.com/.eu.i.posthog.com", pattern: "*"))
        #expect(Regions.region(ofIngestHost: "us.sentry.io/.ingest.de.sentry.io") == nil)
        #expect(Regions.region(ofStorageEndpoint: "minio.us.example/.s3.eu-central-1.amazonaws.com") == nil)
    }

    @Test func regionsFromEndpointsAndIngestHosts() {
        #expect(Regions.region(ofStorageEndpoint: "https://s3.eu-central-1.amazonaws.com/bucket") == "eu-central-1")
        #expect(Regions.region(ofStorageEndpoint: "my-bucket.s3.us-west-2.amazonaws.com") == "us-west-2")
        #expect(Regions.region(ofStorageEndpoint: "s3-eu-west-1.amazonaws.com") == "eu-west-1")
        #expect(Regions.region(ofStorageEndpoint: "s3.dualstack.ap-south-1.amazonaws.com") == "ap-south-1")
        #expect(Regions.region(ofStorageEndpoint: "s3.amazonaws.com") == "us-east-1")
        #expect(Regions.region(ofStorageEndpoint: "http://minio.internal:9000") == nil)
        #expect(Regions.region(ofStorageEndpoint: "https://storage.googleapis.com/b") == nil)
        #expect(Regions.region(ofIngestHost: "us.i.posthog.com") == "us-east-1")
        #expect(Regions.region(ofIngestHost: "https://eu.i.posthog.com") == "eu-central-1")
        #expect(Regions.region(ofIngestHost: "o42.ingest.de.sentry.io") == "europe-west3")
        #expect(Regions.region(ofIngestHost: "posthog.example.com") == nil)
    }
}
