import Foundation
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayRules
@testable import ScrubjayProvenance
@testable import ScrubjayRedaction
import ScrubjayTestSupport

let fixtures: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// A fresh directory under the system temporary directory; `cleanup` removes it.
struct Scratch {
    let path: String
    init() throws {
        path = scratchPath("scrubjay-provenance")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Every regular file of the archive at `path`, by name.
func archiveFiles(_ path: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for e in try Archive.read(contentsOf: path) where e.isRegularFile { out[e.path] = e.data }
    return out
}

func sha256Hex(_ bytes: [UInt8]) -> String { Hex.encode(Digest.sha256(bytes)) }

let formInteractions = fixtures + "/rrweb/integration--record-integration-tests-can-record-form-interactions-1.json"

func fixedOptions() -> PackOptions {
    var options = PackOptions()
    options.createdAt = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    options.toolVersion = "9.9.9"
    return options
}

@Suite("Signed redaction statements")
struct RedactionStatementTests {
    @Test("openssl verifies the signature over PAE bytes rebuilt from the envelope; the statement covers every other file",
          arguments: SignatureAlgorithm.allCases)
    func opensslVerifiesTheEnvelope(algorithm: SignatureAlgorithm) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let key = try PrivateKey.generate(algorithm)
        let out = dir.file("signed.zip")
        try RedactionJob.redact(inputs: [formInteractions], output: out, rules: try RuleSet.defaults(), pseudonymKey: nil,
                                signingKey: key, options: fixedOptions())
        let files = try archiveFiles(out)
        let envelopeBytes = try #require(files["redaction/statement.dsse.json"])

        // Rebuild PAE from the envelope's JSON by hand, not with the code under test.
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(envelopeBytes)) as? [String: Any])
        let type = try #require(envelope["payloadType"] as? String)
        #expect(type == "application/vnd.in-toto+json")
        let payloadText = try #require(envelope["payload"] as? String)
        let payload = try #require(Data(base64Encoded: payloadText))
        let signatures = try #require(envelope["signatures"] as? [[String: Any]])
        #expect(signatures.count == 1)
        #expect(signatures[0]["keyid"] as? String == "sha256:" + sha256Hex(key.publicKey.derRepresentation))
        let sigText = try #require(signatures[0]["sig"] as? String)
        let signature = try #require(Data(base64Encoded: sigText))
        var pae = Data("DSSEv1 \(type.utf8.count) \(type) \(payload.count) ".utf8)
        pae.append(payload)
        try pae.write(to: URL(fileURLWithPath: dir.file("pae.bin")))
        try signature.write(to: URL(fileURLWithPath: dir.file("sig.bin")))
        _ = try dir.write("pub.pem", Array(key.publicKey.pemRepresentation.utf8))
        let digest = algorithm == .p256 ? ["-digest", "sha256"] : []
        let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", dir.file("pub.pem"), "-rawin"] + digest
            + ["-in", dir.file("pae.bin"), "-sigfile", dir.file("sig.bin")]
        let ok = try runTool("openssl", verify)
        #expect(ok.status == 0, "openssl: \(ok.output)")
        #expect(ok.output.contains("Signature Verified Successfully"))
        // One flipped payload byte and openssl refuses.
        var bad = pae
        bad[bad.count - 2] ^= 0x01
        try bad.write(to: URL(fileURLWithPath: dir.file("pae.bin")))
        #expect(try runTool("openssl", verify).status != 0)

        // The statement: in-toto v1, our predicate type, one subject per other file, digests right.
        let statement = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(statement["_type"] as? String == "https://in-toto.io/Statement/v1")
        #expect(statement["predicateType"] as? String == "https://scrubjay.dev/attestations/redaction/v1")
        let subjects = try #require(statement["subject"] as? [[String: Any]])
        var expected: [String: String] = [:]
        for (name, data) in files where name != "redaction/statement.dsse.json" { expected[name] = sha256Hex(data) }
        var seen: [String: String] = [:]
        for s in subjects { seen[s["name"] as! String] = (s["digest"] as! [String: String])["sha256"] }
        #expect(seen == expected)
        #expect(Set(expected.keys).isSuperset(of: ["manifest.json", "redaction/report.json", "events/main.jsonl"]))

        // The predicate names the input by digest and every rule file used.
        let predicate = try #require(statement["predicate"] as? [String: Any])
        let inputs = try #require(predicate["inputs"] as? [[String: Any]])
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: formInteractions)))
        #expect((inputs[0]["digest"] as? [String: String])?["sha256"] == sha256Hex(original))
        #expect(inputs[0]["kind"] as? String == "recording")
        let ruleFiles = try #require(predicate["ruleFiles"] as? [[String: Any]])
        #expect(ruleFiles.map { $0["file"] as? String } == ["builtin:default.yml", "builtin:network.yml", "builtin:privacy-markers.yml"])
        #expect((ruleFiles[0]["digest"] as? [String: String])?["sha256"] == sha256Hex(Array(BuiltinPacks.all.first { $0.name == "default.yml" }!.text.utf8)))
        #expect(predicate["createdAt"] as? String == "2026-01-01T00:00:00Z")
    }

    @Test("the same input, rules, keys and time give byte-identical statements")
    func deterministic() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let pseudonymKey = Array("a pseudonym key of 32 bytes.....".utf8)
        for algorithm in SignatureAlgorithm.allCases {
            let key = try PrivateKey.generate(algorithm)
            var statements: [[UInt8]] = []
            for run in 0..<2 {
                let out = dir.file("\(algorithm)-\(run).zip")
                try RedactionJob.redact(inputs: [formInteractions], output: out, rules: try RuleSet.defaults(),
                                        pseudonymKey: pseudonymKey, signingKey: key, options: fixedOptions())
                statements.append(try #require(try archiveFiles(out)["redaction/statement.dsse.json"]))
            }
            let envelopes = try statements.map { try DSSEEnvelope.decode($0, source: "test") }
            #expect(envelopes[0].payload == envelopes[1].payload, "payload bytes (\(algorithm))")
            if algorithm == .ed25519 {
                // Ed25519 signatures are deterministic, so the whole file is.
                #expect(statements[0] == statements[1])
            }
        }
    }

    @Test("the statement's findings, written directly, are what JSONEncoder writes: on a real statement and on odd values")
    func findingsWrittenDirectlyMatchJSONEncoder() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let out = dir.file("signed.zip")
        try RedactionJob.redact(inputs: [formInteractions], output: out, rules: try RuleSet.defaults(),
                                pseudonymKey: Array("a pseudonym key of 32 bytes.....".utf8),
                                signingKey: try PrivateKey.generate(.ed25519), options: fixedOptions())
        let envelope = try DSSEEnvelope.decode(try #require(try archiveFiles(out)["redaction/statement.dsse.json"]), source: "test")
        let payload = try #require(envelope.payloadBytes)
        var statement = try InTotoStatement<RedactionPredicate>.decode(payload, source: "test")
        #expect(!statement.predicate.findings.isEmpty)
        #expect(payload == (try statement.encoded()))
        #expect(try RedactionPredicate.encodedStatement(statement) == (try statement.encoded()))
        // Every optional present and absent, control characters, non-ASCII, slashes, quotes,
        // doubles whole, fractional, tiny, huge and negative zero.
        var odd = statement.predicate.findings[0]
        let texts = ["", "a/b", "quote \" and \\", "tab\t nl\n cr\r \u{8}\u{c}\u{0}\u{1b}\u{7f}", "é ✓ \u{2028} 𝄞", "/events/0/data"]
        let numbers: [Double?] = [nil, 1_700_000_001_374, 1_700_000_001_374.25, 0.1, -0.0, 1e21, 1e-7, .leastNonzeroMagnitude, 1.7976931348623157e308, 100]
        var records: [RedactionPredicate.Record] = []
        for (k, text) in texts.enumerated() {
            for (j, t) in numbers.enumerated() {
                odd.pointer = text
                odd.window = texts[(k + j) % texts.count]
                odd.file = texts[(k + 2 * j) % texts.count]
                odd.timestamp = t
                odd.nodeId = j % 2 == 0 ? nil : j * 1000 - 7
                odd.pseudonym = j % 3 == 0 ? nil : "0123456789abcdef"
                odd.eventIndex = k * j
                records.append(odd)
            }
        }
        statement.predicate.findings = records
        #expect(try RedactionPredicate.encodedStatement(statement) == (try statement.encoded()))
        statement.predicate.findings = []
        #expect(try RedactionPredicate.encodedStatement(statement) == (try statement.encoded()))
    }

    @Test("planted values: nothing in the output package (statement payload decoded) holds a value or its unkeyed SHA-256")
    func plantedValuesAreNowhere() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let email = "ada.lovelace@analytical-engine.org"
        let metaEmail = "grace.hopper@navy-example.org"
        let card = "4111 1111 1111 1111"
        let ssn = "123-45-6789"
        let phone = "+44 20 7946 0958"
        let customer = "CUST-482913"
        var events = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: formInteractions))) as? [[String: Any]])
        let t = (events.last?["timestamp"] as? Double ?? 0) + 10
        events.append(["type": 4, "timestamp": t, "data": ["href": "https://shop.example/account?email=\(metaEmail)", "width": 800, "height": 600]])
        events.append(["type": 3, "timestamp": t + 1, "data": ["source": 5, "text": email, "isChecked": false, "id": 22]])
        events.append(["type": 3, "timestamp": t + 2, "data": ["source": 0, "texts": [["id": 9, "value": "Call me on \(phone), I am \(customer)"]],
                                                                "attributes": [], "removes": [], "adds": []]])
        events.append(["type": 5, "timestamp": t + 3, "data": ["tag": "checkout", "payload": ["card": card, "ssn": ssn, "who": customer]]])
        let input = try dir.write("planted.json", Array(try JSONSerialization.data(withJSONObject: events)))

        let sample = Array(customer.utf8)
        let expected = "[customer_id:\(Actions.pseudonym(sample, key: Array("scrubjay-rules-test".utf8)))]"
        let pack = try dir.write("customers.yml", Array("""
        version: 1
        pack: customers
        description: Customer ids, pseudonymised.
        rules:
          - id: customer_id
            description: 'Customer ids (CUST- and six digits).'
            category: identifier
            severity: low
            kind: pattern
            pattern: 'CUST-\\d{6}'
            keywords: ['CUST-']
            action: hash
            examples:
              match:
                - input: '\(customer)'
                  output: '\(expected)'
              no_match:
                - 'CUST-12'

        """.utf8))
        let rules = try RuleSet(packs: RuleSet.defaults().packs + RuleSet.load([pack]).packs)
        let pseudonymKey = Array("planted-values-pseudonym-key-0123".utf8)
        let out = dir.file("planted.zip")
        let result = try RedactionJob.redact(inputs: [input], output: out, rules: rules, pseudonymKey: pseudonymKey,
                                             signingKey: try PrivateKey.generate(), options: fixedOptions())
        let envelope = try #require(result.statement)
        let payload = try #require(envelope.payloadBytes)

        var haystacks = try archiveFiles(out)
        haystacks["(statement payload)"] = payload
        let values = [email, metaEmail, card, ssn, phone, customer]
        var needles: [(String, [UInt8])] = []
        for v in values {
            needles.append((v, Array(v.utf8)))
            needles.append(("sha256(\(v))", Array(sha256Hex(Array(v.utf8)).utf8)))
            needles.append(("SHA256(\(v))", Array(sha256Hex(Array(v.utf8)).uppercased().utf8)))
        }
        needles.append(("card digits", Array("4111111111111111".utf8)))
        for (name, data) in haystacks {
            for (what, needle) in needles {
                #expect(!contains(data, needle), "\(what) found in \(name)")
            }
        }

        // The statement records each finding's place and, for hash, the keyed pseudonym.
        let statement = try InTotoStatement<RedactionPredicate>.decode(payload, source: "test")
        let records = statement.predicate.findings
        let pseudonym = Actions.pseudonym(sample, key: pseudonymKey)
        let hashed = records.filter { $0.rule == "customer_id" }
        #expect(hashed.count == 2)
        #expect(hashed.allSatisfy { $0.pseudonym == pseudonym && $0.action == .hash && $0.file == "events/main.jsonl" })
        #expect(records.contains { $0.rule == "email" && $0.channel == .input && $0.pointer == "/data/text" && $0.nodeId == 22 })
        #expect(records.contains { $0.rule == "payment_card" && $0.channel == .custom && $0.pointer == "/data/payload/card" })
        #expect(records.filter { $0.pseudonym != nil }.allSatisfy { $0.rule == "customer_id" })
        #expect(statement.predicate.counts == result.report.findings)
        #expect(statement.predicate.counts.total == records.count)
        #expect(statement.predicate.pseudonymKey == .init(source: "file", fingerprint: RedactionPredicate.fingerprint(ofPseudonymKey: pseudonymKey)))
        #expect(statement.predicate.ruleFiles.map(\.file) == ["builtin:default.yml", "builtin:network.yml", "builtin:privacy-markers.yml", pack])
        #expect(statement.predicate.ruleFiles[3].digest["sha256"] == sha256Hex(try Array(Data(contentsOf: URL(fileURLWithPath: pack)))))
        // Each finding's event index points at the line of the events file it names.
        let lines = try #require(haystacks["events/main.jsonl"]).split(separator: 0x0A)
        for r in records where r.rule == "customer_id" {
            #expect(String(decoding: lines[r.eventIndex], as: UTF8.self).contains("[customer_id:\(pseudonym)]"))
        }
    }

    @Test("redacting a signed package records the chain: its digest, its manifest's and its statement's; dropped files with their digests")
    func chainOfCustody() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let key = try PrivateKey.generate()
        let first = dir.file("first.zip")
        try RedactionJob.redact(inputs: [fixtures + "/posthog/docs.json"], output: first, rules: try RuleSet.defaults(),
                                pseudonymKey: nil, signingKey: key, options: fixedOptions())
        let firstFiles = try archiveFiles(first)
        let asset = try #require(firstFiles.keys.first { $0.hasPrefix("assets/") }, "docs.json carries an inline SVG")

        var summary = fixedOptions()
        summary.fidelity = .summary
        let second = dir.file("second.zip")
        let result = try RedactionJob.redact(inputs: [first], output: second, rules: try RuleSet.defaults(),
                                             pseudonymKey: nil, signingKey: key, options: summary)
        let statement = try InTotoStatement<RedactionPredicate>.decode(try #require(result.statement?.payloadBytes), source: "test")
        let input = try #require(statement.predicate.inputs.first)
        #expect(input.kind == "package")
        #expect(input.name == "first.zip")
        #expect(input.digest["sha256"] == sha256Hex(try Array(Data(contentsOf: URL(fileURLWithPath: first)))))
        #expect(input.manifestDigest?["sha256"] == sha256Hex(firstFiles["manifest.json"]!))
        #expect(input.previousStatementDigest?["sha256"] == sha256Hex(firstFiles["redaction/statement.dsse.json"]!))
        // The summary package drops the asset: it is listed with its original digest.
        #expect(statement.predicate.removedFiles == [.init(input: "first.zip", name: asset, digest: ["sha256": sha256Hex(firstFiles[asset]!)],
                                                           size: firstFiles[asset]!.count)])
        #expect(try archiveFiles(second)[asset] == nil)
    }

    @Test("co-signing adds a signature without touching the payload; a changed package is refused")
    func cosign() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let officer = try PrivateKey.generate(.ed25519)
        let reviewer = try PrivateKey.generate(.p256)
        let out = dir.file("signed.zip")
        let original = try RedactionJob.redact(inputs: [formInteractions], output: out, rules: try RuleSet.defaults(),
                                               pseudonymKey: nil, signingKey: officer, options: fixedOptions()).statement!
        let before = try archiveFiles(out)

        let result = try PackageStatement.cosign(package: out, key: reviewer)
        #expect(result.added && result.signers == [officer.publicKey.keyID, reviewer.publicKey.keyID])
        let after = try archiveFiles(out)
        let envelope = try DSSEEnvelope.decode(after["redaction/statement.dsse.json"]!, source: "test")
        #expect(envelope.payload == original.payload)
        #expect(envelope.isValid(envelope.signatures[0], by: officer.publicKey))
        #expect(envelope.isValid(envelope.signatures[1], by: reviewer.publicKey))
        for (name, data) in before where name != "redaction/statement.dsse.json" { #expect(after[name] == data, "\(name) unchanged") }
        #expect(try !PackageStatement.cosign(package: out, key: reviewer).added)
        #expect(try archiveFiles(out) == after)

        // Tamper with an events file: co-signing is refused and names the file.
        var entries = try Archive.read(contentsOf: out)
        let i = entries.firstIndex { $0.path == "events/main.jsonl" }!
        entries[i].data += Array("{}\n".utf8)
        entries[i].size = entries[i].data.count
        let tampered = dir.file("tampered.zip")
        try Archive.write(entries, format: .zip, to: tampered)
        #expect {
            try PackageStatement.cosign(package: tampered, key: try PrivateKey.generate())
        } throws: { error in
            (error as? CoverageError)?.problems.contains { $0.hasPrefix("events/main.jsonl: SHA-256 is") } == true
        }
        // A package without a statement cannot be co-signed.
        let unsigned = dir.file("unsigned.zip")
        try RedactionJob.redact(inputs: [formInteractions], output: unsigned, rules: try RuleSet.defaults(), pseudonymKey: nil, options: fixedOptions())
        #expect(throws: DSSEError.self) { try PackageStatement.cosign(package: unsigned, key: officer) }
    }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    let first = needle[0]
    var i = 0
    let last = haystack.count - needle.count
    while i <= last {
        if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}
