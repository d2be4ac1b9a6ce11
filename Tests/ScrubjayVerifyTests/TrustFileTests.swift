import Foundation
import Testing
import ScrubjayNative
import ScrubjayProvenance
@testable import ScrubjayVerify
import ScrubjayTestSupport

/// Trust files: revocation always wins, and every mistake names the file, the line and the entry.
@Suite("verify: trust files")
struct TrustFileTests {
    /// A directory with the shared package's public key as `k.pub.pem`.
    struct Dir {
        let path: String
        init() throws {
            path = scratchPath("scrubjay-trust")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try KeyFiles.write(SignedPackage.shared.key, to: path + "/k.pem")
        }
        func trustFile(_ text: String) throws -> String {
            let file = path + "/trust-\(UUID().uuidString).yml"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
    }

    func loadError(_ file: String) -> String {
        do {
            _ = try TrustFile.load(file)
            return "loaded without an error"
        } catch {
            return "\(error)"
        }
    }

    @Test("a well-formed trust file loads, with its window and revocation")
    func wellFormed() throws {
        let dir = try Dir()
        let file = try dir.trustFile("""
            version: 1
            keys:
              - name: officer
                public_key: k.pub.pem
                not_before: 2026-01-01T00:00:00Z
                revoked: false
                reason: none
            """)
        let keys = try TrustFile.load(file)
        #expect(keys.map(\.name) == ["officer"])
        #expect(keys.first?.notBefore != nil && keys.first?.revoked == false)
    }

    @Test("one key listed twice, once revoked, is an error naming both entries and lines (it never passes)")
    func duplicateKey() throws {
        let dir = try Dir()
        let file = try dir.trustFile("""
            version: 1
            keys:
              - name: a
                public_key: k.pub.pem
              - name: b
                public_key: ./k.pub.pem
                revoked: true
                reason: laptop lost
            """)
        let message = loadError(file)
        #expect(message.hasPrefix(file + ":5: keys[1] (b): the same public key as keys[0] (a) on line 3"), "\(message)")
    }

    @Test("a revocation wins over a --trusted-key of the same key, in either order")
    func revocationWinsAcrossSources() throws {
        let p = SignedPackage.shared
        let plain = TrustedKey(name: "k.pub.pem", key: p.key.publicKey)
        let revoked = TrustedKey(name: "officer", key: p.key.publicKey, revoked: true, revocationReason: "laptop lost")
        for keys in [[plain, revoked], [revoked, plain]] {
            let r = try p.verifier(keys).verify(p.path)
            #expect(r.fails(failOnWarn: false))
            #expect(codes(r) == ["key.revoked"], "\(codes(r))")
            #expect(r.signatures.map(\.accepted) == [false])
            #expect(r.signatures.first?.trustedAs == "officer")
        }
        // A window from one source holds even when another source has none.
        let expired = TrustedKey(name: "officer", key: p.key.publicKey, notAfter: Date(timeIntervalSince1970: 1_767_225_600 + 3600))
        #expect(codes(try p.verifier([plain, expired]).verify(p.path)) == ["key.expired"])
        // Two unrestricted entries for one key still pass.
        #expect(try p.verifier([plain, plain]).verify(p.path).verdict == .pass)
    }

    @Test("mistakes name the file, the line and the entry, without Swift's debug text",
          arguments: [
            ("version: 1\nkeys:\n  - name: officer\n    public_key: k.pub.pem\n    revokd: true\n", ":5: unknown key 'revokd' in keys[0]"),
            ("version: 1\nkeys:\n  - public_key: k.pub.pem\n", ":3: keys[0]: missing 'name'"),
            ("version: 1\nkeys:\n  - name: officer\n    public_key: k.pub.pem\n    not_after: 2027-13-01T00:00:00Z\n",
             ":5: keys[0] (officer): not_after \"2027-13-01T00:00:00Z\" is not an RFC 3339 time"),
            ("version: 1\nkeys:\n  - name: officer\n    public_key: keys/missing.pub.pem\n",
             ":4: keys[0] (officer): public_key "),
            ("version: 1\nkeys:\n  - name: officer\n    public_key: k.pub.pem\n    revoked: yes please\n",
             ":5: keys[0] (officer): revoked must be true or false"),
            ("version: 2\nkeys: []\n", ":1: trust file version 2 is not supported"),
            ("version: 1\nkeys: []\n", ":2: keys lists no key"),
            ("version: 1\nkey:\n  - name: officer\n", ":2: unknown key 'key' in a trust file"),
            ("version: 1\nkeys:\n  - name: officer\n    public_key: [k.pub.pem\n", ":5: not a trust file: not valid YAML"),
          ])
    func mistakes(text: String, expected: String) throws {
        let dir = try Dir()
        let file = try dir.trustFile(text)
        let message = loadError(file)
        #expect(message.hasPrefix(file + expected), "\(message)")
        #expect(!message.contains("DecodingError") && !message.contains("CodingKeys"))
        if expected.contains("missing.pub.pem") || expected.hasSuffix("public_key ") {
            #expect(message.contains("keys/missing.pub.pem: cannot open"), "\(message)")
        }
    }
}
