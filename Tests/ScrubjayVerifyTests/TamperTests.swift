import Foundation
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayRedaction
import ScrubjayRules
@testable import ScrubjayVerify
import ScrubjayTestSupport

let fixtures: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// One signed package made once for every test: docs.json has events, assets and a report.
struct SignedPackage: Sendable {
    let directory: String
    let path: String
    let key: PrivateKey
    let entries: [ArchiveEntry]
    let input = fixtures + "/posthog/docs.json"

    static let shared: SignedPackage = try! SignedPackage()

    init() throws {
        directory = scratchPath("scrubjay-verify")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/signed.zip"
        key = try PrivateKey.generate()
        var options = PackOptions()
        options.createdAt = Date(timeIntervalSince1970: 1_767_225_600)
        try RedactionJob.redact(inputs: [input], output: path, rules: try RuleSet.defaults(), pseudonymKey: nil,
                                signingKey: key, options: options)
        entries = try Archive.read(contentsOf: path)
    }

    /// Writes `entries` as a package next to the original and returns its path.
    func write(_ entries: [ArchiveEntry], _ name: String) throws -> String {
        let p = directory + "/" + name.replacingOccurrences(of: "/", with: "_") + "-" + UUID().uuidString + ".zip"
        try Archive.write(entries, format: .zip, to: p)
        return p
    }

    func verifier(_ keys: [TrustedKey]? = nil) -> Verifier {
        var v = Verifier()
        v.trustedKeys = keys ?? [TrustedKey(name: "officer", key: key.publicKey)]
        v.now = Date(timeIntervalSince1970: 1_767_225_600 + 86_400)
        return v
    }
}

func codes(_ r: VerificationResult) -> Set<String> {
    Set(r.findings.filter { $0.severity == .error }.map(\.code))
}

/// Each tampering of a signed package and the error code it must produce.
struct Tamper: CustomTestStringConvertible, Sendable {
    let name: String
    let expected: String
    let apply: @Sendable ([ArchiveEntry]) -> [ArchiveEntry]
    var testDescription: String { name }

    static func all() -> [Tamper] {
        let entries = SignedPackage.shared.entries
        var out: [Tamper] = []
        for e in entries where e.isRegularFile {
            let isStatement = e.path == PackageStatement.path
            // A changed byte at the start, the middle and the end of every file.
            for position in Set([0, e.data.count / 2, e.data.count - 1]) where !e.data.isEmpty {
                out.append(Tamper(name: "flip byte \(position) of \(e.path)",
                                  expected: isStatement ? "statement" : "digest.mismatch") { list in
                    list.map { x in
                        guard x.path == e.path else { return x }
                        var y = x
                        y.data[position] ^= 0x20
                        return y
                    }
                })
            }
            if !isStatement {
                out.append(Tamper(name: "remove \(e.path)", expected: "subject.missing") { $0.filter { $0.path != e.path } })
                out.append(Tamper(name: "rename \(e.path)", expected: "subject.missing") { list in
                    list.map { x in
                        guard x.path == e.path else { return x }
                        var y = x
                        y.path = x.path + ".renamed"
                        return y
                    }
                })
            }
        }
        for extra in ["extra.txt", "events/extra.jsonl", "redaction/notes.txt", "assets/0000.png"] {
            out.append(Tamper(name: "add \(extra)", expected: "archive.extraFile") { $0 + [ArchiveEntry(path: extra, data: Array("x".utf8))] })
        }
        out.append(Tamper(name: "remove the statement", expected: "signature.missing") { $0.filter { $0.path != PackageStatement.path } })
        return out
    }
}

@Suite("verify: tampering")
struct TamperTests {
    @Test("the untouched package passes")
    func untouched() throws {
        let p = SignedPackage.shared
        let r = try p.verifier().verify(p.path)
        #expect(r.verdict == .pass, "\(r.findings)")
        #expect(!r.fails(failOnWarn: true))
        #expect(r.signatures.map(\.valid) == [true])
    }

    @Test("every tampering fails verification with its code", arguments: Tamper.all())
    func tampered(_ t: Tamper) throws {
        let p = SignedPackage.shared
        let path = try p.write(t.apply(p.entries), t.name)
        let r = try p.verifier().verify(path)
        #expect(r.fails(failOnWarn: false), "\(t.name) must fail")
        let found = codes(r)
        if t.expected == "statement" {
            // A changed statement byte breaks its JSON, its base64 or its signature.
            #expect(!found.isDisjoint(with: ["key.untrusted", "signature.invalid", "statement.unreadable", "envelope.payload",
                                             "envelope.payloadType", "statement.invalid"]), "\(t.name): \(found)")
        } else {
            #expect(found.contains(t.expected), "\(t.name): expected \(t.expected), got \(found)")
        }
    }

    /// Without a statement the manifest alone says what the package holds: a file it does not
    /// list fails, under `redaction/` too (that folder was once exempt, so an unsigned
    /// package could carry any file there unmentioned).
    @Test("an unsigned package with a file its manifest does not list fails", arguments: ["extra.txt", "events/extra.jsonl", "redaction/notes.txt"])
    func unsignedWithAnUnlistedFile(_ extra: String) throws {
        let p = SignedPackage.shared
        let unsigned = p.entries.filter { $0.path != PackageStatement.path }
        // No trusted key: the missing statement is a warning, and the unsigned package passes.
        let clean = try p.verifier([]).verify(try p.write(unsigned, "unsigned"))
        #expect(!clean.fails(failOnWarn: false), "\(clean.findings)")
        let r = try p.verifier([]).verify(try p.write(unsigned + [ArchiveEntry(path: extra, data: Array("x".utf8))], "unsigned + \(extra)"))
        #expect(r.fails(failOnWarn: false), "\(extra)")
        #expect(r.findings.contains { $0.code == "archive.extraFile" && $0.path == extra }, "\(r.findings)")
        #expect(ReplayPackage.unlistedFiles == ["manifest.json", PackageStatement.path])
    }

    @Test("a statement re-signed by an untrusted key fails with key.untrusted; by an expired or revoked trusted key with its code")
    func resigned() throws {
        let p = SignedPackage.shared
        let files = Dictionary(uniqueKeysWithValues: p.entries.map { ($0.path, $0.data) })
        var envelope = try DSSEEnvelope.decode(files[PackageStatement.path]!, source: "test")
        let stranger = try PrivateKey.generate(.p256)
        envelope.signatures = []
        try envelope.sign(with: stranger)
        let data = try envelope.encoded()
        let resigned = try p.write(p.entries.map { $0.path == PackageStatement.path ? ArchiveEntry(path: $0.path, data: data) : $0 }, "resigned")
        #expect(codes(try p.verifier().verify(resigned)) == ["key.untrusted"])

        // The stranger's key, trusted but expired before the verification time.
        let expired = TrustedKey(name: "stranger", key: stranger.publicKey, notAfter: Date(timeIntervalSince1970: 1_767_225_600 + 3600))
        #expect(codes(try p.verifier([expired]).verify(resigned)) == ["key.expired"])
        let revoked = TrustedKey(name: "stranger", key: stranger.publicKey, revoked: true, revocationReason: "lost")
        #expect(codes(try p.verifier([revoked]).verify(resigned)) == ["key.revoked"])
        let early = TrustedKey(name: "stranger", key: stranger.publicKey, notBefore: Date(timeIntervalSince1970: 1_767_225_600 + 60))
        #expect(codes(try p.verifier([early]).verify(resigned)) == ["key.notYetValid"], "signed (claimed) before the key was valid")
        let valid = TrustedKey(name: "stranger", key: stranger.publicKey, notBefore: Date(timeIntervalSince1970: 0),
                               notAfter: Date(timeIntervalSince1970: 1_767_225_600 + 2 * 86_400))
        #expect(try p.verifier([valid]).verify(resigned).verdict == .pass)
    }

    @Test("an envelope with more signatures than a verifier reads is refused at once, not tried one by one against every key")
    func tooManySignatures() throws {
        let p = SignedPackage.shared
        let files = Dictionary(uniqueKeysWithValues: p.entries.map { ($0.path, $0.data) })
        var envelope = try DSSEEnvelope.decode(files[PackageStatement.path]!, source: "test")
        // 20,000 forged signatures claiming the officer's key (a 1 MB package made verify work
        // for minutes and print a warning for each), and the real one last.
        let forged = DSSEEnvelope.Signature(keyid: p.key.publicKey.keyID, sig: Data(repeating: 7, count: 64).base64EncodedString())
        envelope.signatures = Array(repeating: forged, count: 20_000) + envelope.signatures
        let path = try p.write(p.entries.map { $0.path == PackageStatement.path ? ArchiveEntry(path: $0.path, data: try! envelope.encoded()) : $0 }, "many-signatures")
        let clock = ContinuousClock()
        var r: VerificationResult?
        let elapsed = try clock.measure { r = try p.verifier().verify(path) }
        #expect(codes(r!) == ["statement.unreadable"], "\(codes(r!))")
        #expect(r!.findings.count < 10)
        #expect(elapsed < .seconds(5), "\(elapsed)")
    }

    @Test("an edited statement payload, even re-encoded as valid base64, breaks the signature")
    func editedPayload() throws {
        let p = SignedPackage.shared
        let files = Dictionary(uniqueKeysWithValues: p.entries.map { ($0.path, $0.data) })
        var envelope = try DSSEEnvelope.decode(files[PackageStatement.path]!, source: "test")
        var payload = envelope.payloadBytes!
        let text = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"total\":", with: "\"total\": ")
        payload = Array(text.utf8)
        envelope.payload = Data(payload).base64EncodedString()
        let edited = try p.write(p.entries.map { $0.path == PackageStatement.path ? ArchiveEntry(path: $0.path, data: try! envelope.encoded()) : $0 }, "edited")
        #expect(codes(try p.verifier().verify(edited)) == ["signature.invalid"])
    }

    @Test("chain of custody: the original passes, another file fails with chain.inputMismatch")
    func chain() throws {
        let p = SignedPackage.shared
        var v = p.verifier()
        v.originals = [p.input]
        #expect(try v.verify(p.path).verdict == .pass)
        v.originals = [fixtures + "/posthog/with-pageviews.json"]
        #expect(codes(try v.verify(p.path)) == ["chain.inputMismatch"])
    }

    @Test("a creation time in the future fails with time.future")
    func future() throws {
        let p = SignedPackage.shared
        var v = p.verifier()
        v.now = Date(timeIntervalSince1970: 1_767_225_600 - 3600)
        #expect(codes(try v.verify(p.path)) == ["time.future"])
    }

    @Test("no statement: checksums still verified; a missing signature is a warning without trusted keys, an error with them")
    func unsigned() throws {
        let p = SignedPackage.shared
        let path = try p.write(p.entries.filter { $0.path != PackageStatement.path }, "unsigned")
        var v = p.verifier([])
        let r = try v.verify(path)
        #expect(r.verdict == .warn && r.findings.contains { $0.code == "signature.missing" && $0.severity == .warning })
        #expect(r.checks.first { $0.id == "manifest" }?.status == .pass)
        v.trustedKeys = [TrustedKey(name: "officer", key: p.key.publicKey)]
        #expect(codes(try v.verify(path)) == ["signature.missing"])
    }

    @Test("a missing file or one that is not a package is a usage error, not a finding")
    func notAPackage() throws {
        let p = SignedPackage.shared
        #expect(throws: NotAPackageError.self) { try p.verifier().verify(p.input) }
        #expect(throws: (any Error).self) { try p.verifier().verify(p.directory + "/nope.zip") }
    }
}
