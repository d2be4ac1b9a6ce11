import Foundation
import Testing
@testable import ScrubjayCLI
import ScrubjayTestSupport

/// `keygen`, `redact --sign-key` and `sign` as a user runs them.
@Suite("Key commands")
struct KeyCommandTests {
    let recording = fixtures + "/posthog/with-pageviews.json"

    /// A fresh directory; removed by `cleanup`.
    struct Dir {
        let path = scratchPath("scrubjay-keys")
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        func file(_ name: String) -> String { path + "/" + name }
        func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    func openssl(_ arguments: [String]) throws -> (status: Int32, stdout: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    @Test("keygen writes a 0600 PKCS#8 key and its public key beside it, and prints the key id openssl agrees with",
          arguments: ["ed25519", "p256"])
    func keygen(algorithm: String) throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        let key = dir.file("officer.pem")
        let r = try runScrubjay(["keygen", "-o", key, "--algorithm", algorithm])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try mode(key) == 0o600)
        #expect(try mode(dir.file("officer.pub.pem")) == 0o644)
        let pem = try String(contentsOfFile: key, encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        // openssl reads the key, and the key id is the SHA-256 of its DER public key.
        let der = try openssl(["pkey", "-in", dir.file("officer.pub.pem"), "-pubin", "-outform", "DER"])
        try #require(der.status == 0)
        try der.stdout.write(to: URL(fileURLWithPath: dir.file("pub.der")))
        let hex = try openssl(["dgst", "-sha256", "-r", dir.file("pub.der")])
        let expected = "sha256:" + String(decoding: hex.stdout, as: UTF8.self).prefix(64)
        #expect(r.stdout == expected + "\n", "the key id alone on standard output")
        let name = algorithm == "p256" ? "ECDSA P-256" : "Ed25519"
        #expect(r.stderr == "wrote \(key) (\(name) private key, mode 0600; key id \(expected)) and \(dir.file("officer.pub.pem"))\n", "\(r.stderr)")
        let text = try openssl(["pkey", "-in", key, "-noout", "-text"])
        #expect(text.status == 0)
        #expect(String(decoding: text.stdout, as: UTF8.self).contains(algorithm == "p256" ? "NIST CURVE: P-256" : "ED25519"))

        let again = try runScrubjay(["keygen", "-o", key])
        #expect(again.status == ExitStatus.usage.rawValue)
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: key, encoding: .utf8) == pem, "the existing key is untouched")
        #expect(try runScrubjay(["keygen", "-o", key, "--force"]).status == 0)
        #expect(try String(contentsOfFile: key, encoding: .utf8) != pem)
        #expect(try mode(key) == 0o600)
    }

    @Test("redact --sign-key signs; sign co-signs once; a changed package fails to co-sign with exit 1")
    func signAndCosign() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        #expect(try runScrubjay(["keygen", "-o", dir.file("a.pem")]).status == 0)
        try "open sesame\n".write(toFile: dir.file("pass"), atomically: true, encoding: .utf8)
        #expect(try runScrubjay(["keygen", "-o", dir.file("b.pem"), "--algorithm", "p256", "--passphrase-file", dir.file("pass")]).status == 0)
        #expect(try String(contentsOfFile: dir.file("b.pem"), encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))

        let out = dir.file("out.zip")
        let r = try runScrubjay(["redact", recording, "-o", out, "--sign-key", dir.file("a.pem")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("; signed by sha256:"), "\(r.stderr)")
        let inspect = try runScrubjay(["inspect", out])
        #expect(inspect.status == 0, "the statement is not a stray file for the package checks: \(inspect.stderr)")

        let noPass = try runScrubjay(["sign", out, "--key", dir.file("b.pem")])
        #expect(noPass.status == ExitStatus.malformedInput.rawValue)
        #expect(noPass.stderr.contains("\(dir.file("b.pem")): the key is passphrase-protected; give its passphrase with --key-passphrase-file"))
        let cosign = try runScrubjay(["sign", out, "--key", dir.file("b.pem"), "--key-passphrase-file", dir.file("pass")])
        #expect(cosign.status == 0, "\(cosign.stderr)")
        #expect(cosign.stderr.hasPrefix("wrote \(out) (signed by sha256:") && cosign.stderr.hasSuffix("; 2 signatures now)\n"), "\(cosign.stderr)")
        let twice = try runScrubjay(["sign", out, "--key", dir.file("b.pem"), "--key-passphrase-file", dir.file("pass")])
        #expect(twice.status == 0 && twice.stderr.contains("already signed") && twice.stderr.contains("nothing written"))
        // sign takes the key under redact's name for it too (--sign-key was an unknown option).
        let sameName = try runScrubjay(["sign", out, "--sign-key", dir.file("b.pem"), "--key-passphrase-file", dir.file("pass")])
        #expect(sameName.status == 0 && sameName.stderr.contains("already signed"), "\(sameName.stderr)")

        // Replace the package's report with other bytes: the statement no longer covers it.
        let tampered = dir.file("tampered.zip")
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        unzip.arguments = ["python3", "-c", """
            import sys, zipfile
            src, dst = sys.argv[1], sys.argv[2]
            with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as w:
                for i in z.infolist():
                    data = z.read(i.filename)
                    if i.filename == "redaction/report.json": data = data.replace(b"random", b"RANDOM")
                    w.writestr(i, data)
            """, out, tampered]
        try unzip.run()
        unzip.waitUntilExit()
        try #require(unzip.terminationStatus == 0)
        let refused = try runScrubjay(["sign", tampered, "--key", dir.file("a.pem")])
        #expect(refused.status == ExitStatus.checkFailed.rawValue)
        #expect(refused.stderr.contains("redaction/report.json: SHA-256 is"))
        let inspected = try runScrubjay(["inspect", tampered])
        #expect(inspected.status == ExitStatus.checkFailed.rawValue)
        #expect(inspected.stderr.contains("the signed statement does not hold: redaction/report.json: SHA-256 is"))
        let good = try runScrubjay(["inspect", out])
        #expect(good.stdout.contains("statement: 2 signature(s)") && good.stdout.contains("covers: every other file, digests match"))
    }

    /// `keygen -o DIR` said "DIR already exists; ... pass --force to replace it", and with
    /// --force refused the directory after all (exit 4): it names the mistake at once.
    @Test("keygen -o a directory: exit 2 saying it is a directory, with or without --force")
    func keygenIntoADirectory() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        for extra in [[], ["--force"]] {
            let r = try runScrubjay(["keygen", "-o", dir.path] + extra)
            #expect(r.status == ExitStatus.usage.rawValue, "\(extra): \(r.stderr)")
            #expect(r.stderr.hasPrefix("Error: \(dir.path) is a directory; name the key file to write"), "\(r.stderr)")
            #expect(!r.stderr.contains("--force to replace"))
        }
    }

    @Test("a missing, wrong-type or locked key stops redact before any work, and nothing is written")
    func badKeys() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        let out = dir.file("out.zip")
        let missing = try runScrubjay(["redact", recording, "-o", out, "--sign-key", dir.file("nope.pem")])
        #expect(missing.status == ExitStatus.usage.rawValue)
        #expect(missing.stderr.contains(dir.file("nope.pem")))

        let p384 = try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        try p384.stdout.write(to: URL(fileURLWithPath: dir.file("p384.pem")))
        let wrong = try runScrubjay(["redact", recording, "-o", out, "--sign-key", dir.file("p384.pem")])
        #expect(wrong.status == ExitStatus.malformedInput.rawValue)
        #expect(wrong.stderr.contains("\(dir.file("p384.pem")): not a usable signing key: expected an Ed25519 or ECDSA P-256 key but got a EC secp384r1 key"))

        try "not a key".write(toFile: dir.file("junk.pem"), atomically: true, encoding: .utf8)
        // The key is read before the input: a broken key is reported even with an input that does not exist.
        let junk = try runScrubjay(["redact", dir.file("missing-input.json"), "-o", out, "--sign-key", dir.file("junk.pem")])
        #expect(junk.status == ExitStatus.malformedInput.rawValue)
        #expect(junk.stderr.contains("\(dir.file("junk.pem")): not a usable signing key"))

        try "secret\n".write(toFile: dir.file("pass"), atomically: true, encoding: .utf8)
        #expect(try runScrubjay(["keygen", "-o", dir.file("locked.pem"), "--passphrase-file", dir.file("pass")]).status == 0)
        // keygen takes the passphrase under the name redact and sign use for it too (it once
        // refused --key-passphrase-file as an unknown option); the key it writes is locked.
        #expect(try runScrubjay(["keygen", "-o", dir.file("locked2.pem"), "--key-passphrase-file", dir.file("pass")]).status == 0)
        let locked2 = try runScrubjay(["redact", recording, "-o", out, "--sign-key", dir.file("locked2.pem")])
        #expect(locked2.status == ExitStatus.malformedInput.rawValue && locked2.stderr.contains("passphrase-protected"), "\(locked2.stderr)")
        try "other\n".write(toFile: dir.file("wrong"), atomically: true, encoding: .utf8)
        let wrongPass = try runScrubjay(["redact", recording, "-o", out, "--sign-key", dir.file("locked.pem"), "--key-passphrase-file", dir.file("wrong")])
        #expect(wrongPass.status == ExitStatus.malformedInput.rawValue)
        #expect(wrongPass.stderr.contains("wrong passphrase"))
        #expect(try runScrubjay(["redact", recording, "-o", out, "--key-passphrase-file", dir.file("pass")]).status == ExitStatus.usage.rawValue)
        #expect(!FileManager.default.fileExists(atPath: out))
        let ok = try runScrubjay(["redact", recording, "-o", out, "--sign-key", dir.file("locked.pem"), "--key-passphrase-file", dir.file("pass")])
        #expect(ok.status == 0, "\(ok.stderr)")
    }
}

/// The two halves of a key pair swapped, the easiest mistake with `keygen`'s two files: the
/// message says which kind of key the file holds and which to give (it once said only
/// "could not read a PEM private key: error:1E08010C:DECODER routines::unsupported").
@Suite("A key of the other kind")
struct SwappedKeyTests {
    @Test("a public key for --sign-key or --key, a private key for --trusted-key: named as such, nothing written")
    func swapped() throws {
        let dir = makeTemporaryDirectory("scrubjay-swapped")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recording = fixtures + "/posthog/with-pageviews.json"
        #expect(try runScrubjay(["keygen", "-o", dir + "/k.pem"]).status == 0)
        #expect(try runScrubjay(["redact", recording, "-o", dir + "/p.zip", "--sign-key", dir + "/k.pem"]).status == 0)
        let redact = try runScrubjay(["redact", recording, "-o", dir + "/q.zip", "--sign-key", dir + "/k.pub.pem"])
        #expect(redact.status == ExitStatus.malformedInput.rawValue)
        #expect(redact.stderr == "scrubjay: error: \(dir)/k.pub.pem: holds a public key, not a private key: sign with the private key (keygen writes KEY.pem and its public key KEY.pub.pem)\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/q.zip"))
        let sign = try runScrubjay(["sign", dir + "/p.zip", "--key", dir + "/k.pub.pem", "-o", dir + "/s.zip"])
        #expect(sign.status == ExitStatus.malformedInput.rawValue)
        #expect(sign.stderr.contains("k.pub.pem: holds a public key, not a private key"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.zip"))
        let verify = try runScrubjay(["verify", dir + "/p.zip", "--trusted-key", dir + "/k.pem"])
        #expect(verify.status == ExitStatus.usage.rawValue)
        #expect(verify.stderr == "scrubjay: error: \(dir)/k.pem: holds a private key, not a public key: give its public key (keygen writes it beside the key as \(dir)/k.pub.pem) and keep the private key to yourself\n")
        #expect(!verify.stderr.contains("BEGIN"))
    }
}

/// `scrubjay verify` as a pipeline runs it: exit codes and output formats.
@Suite("verify command")
struct VerifyCommandTests {
    @Test("exit 0 for a good package with its trusted key, 1 for an untrusted key or a warning with --fail-on-warn, 2 for missing or non-packages")
    func exitCodes() throws {
        let dir = scratchPath("scrubjay-verify-cli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = fixtures + "/posthog/with-pageviews.json"
        #expect(try runScrubjay(["keygen", "-o", dir + "/k.pem"]).status == 0)
        #expect(try runScrubjay(["keygen", "-o", dir + "/other.pem"]).status == 0)
        #expect(try runScrubjay(["redact", input, "-o", dir + "/p.zip", "--sign-key", dir + "/k.pem"]).status == 0)

        let good = try runScrubjay(["verify", dir + "/p.zip", "--trusted-key", dir + "/k.pub.pem", "--original", input])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.hasPrefix("\(dir)/p.zip: PASS (0 errors, 0 warnings)"))
        let untrusted = try runScrubjay(["verify", dir + "/p.zip", "--trusted-key", dir + "/other.pub.pem"])
        #expect(untrusted.status == ExitStatus.checkFailed.rawValue)
        #expect(untrusted.stdout.contains("error key.untrusted"))
        // No trusted key: a warning, which fails only with --fail-on-warn.
        #expect(try runScrubjay(["verify", dir + "/p.zip"]).status == 0)
        #expect(try runScrubjay(["verify", dir + "/p.zip", "--fail-on-warn"]).status == ExitStatus.checkFailed.rawValue)
        // JSON to a file.
        let json = try runScrubjay(["verify", dir + "/p.zip", "--trusted-key", dir + "/k.pub.pem", "--format", "json", "-o", dir + "/v.json"])
        #expect(json.status == 0 && json.stdout.isEmpty)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/v.json"))) as? [String: Any])
        #expect((obj["checks"] as? [[String: Any]])?.map { $0["id"] as? String } == ["archive", "manifest", "signature", "statement", "coverage", "chain", "time"])
        // Usage problems: a missing package, a recording that is not a package, a missing key file.
        #expect(try runScrubjay(["verify", dir + "/missing.zip"]).status == ExitStatus.usage.rawValue)
        let notPackage = try runScrubjay(["verify", input])
        #expect(notPackage.status == ExitStatus.usage.rawValue)
        #expect(notPackage.stderr.contains("not a package"))
        #expect(try runScrubjay(["verify", dir + "/p.zip", "--trusted-key", dir + "/nope.pem"]).status == ExitStatus.usage.rawValue)
        // A trust file whose only key expired fails with key.expired.
        try """
        version: 1
        keys:
          - name: officer
            public_key: k.pub.pem
            not_after: 2001-01-01T00:00:00Z
        """.write(toFile: dir + "/trust.yml", atomically: true, encoding: .utf8)
        let expired = try runScrubjay(["verify", dir + "/p.zip", "--trust-file", dir + "/trust.yml"])
        #expect(expired.status == ExitStatus.checkFailed.rawValue)
        #expect(expired.stdout.contains("error key.expired"), "\(expired.stdout)\(expired.stderr)")
    }

    @Test("a key revoked in the trust file stays revoked with --trusted-key for it too; a typo in a trust file is exit 2 with file:line")
    func revocationWins() throws {
        let dir = scratchPath("scrubjay-verify-cli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = fixtures + "/posthog/with-pageviews.json"
        #expect(try runScrubjay(["keygen", "-o", dir + "/k.pem"]).status == 0)
        #expect(try runScrubjay(["redact", input, "-o", dir + "/p.zip", "--sign-key", dir + "/k.pem"]).status == 0)
        try "version: 1\nkeys:\n  - name: officer\n    public_key: k.pub.pem\n    revoked: true\n    reason: laptop lost\n"
            .write(toFile: dir + "/revoked.yml", atomically: true, encoding: .utf8)
        for extra in [[], ["--trusted-key", dir + "/k.pub.pem"]] {
            let r = try runScrubjay(["verify", dir + "/p.zip", "--trust-file", dir + "/revoked.yml"] + extra)
            #expect(r.status == ExitStatus.checkFailed.rawValue, "\(extra): \(r.stdout)")
            #expect(r.stdout.contains("error key.revoked"), "\(r.stdout)")
        }
        try "version: 1\nkeys:\n  - name: officer\n    public_key: k.pub.pem\n    revokd: true\n"
            .write(toFile: dir + "/typo.yml", atomically: true, encoding: .utf8)
        let typo = try runScrubjay(["verify", dir + "/p.zip", "--trust-file", dir + "/typo.yml"])
        #expect(typo.status == ExitStatus.usage.rawValue)
        #expect(typo.stderr.contains(dir + "/typo.yml:5: unknown key 'revokd' in keys[0]"), "\(typo.stderr)")
    }

    @Test("control characters in entry names are escaped in the text output and on stderr, so they cannot fake a verdict line")
    func controlCharactersEscaped() throws {
        let dir = scratchPath("scrubjay-verify-cli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = fixtures + "/posthog/with-pageviews.json"
        #expect(try runScrubjay(["redact", input, "-o", dir + "/p.zip"]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, zipfile, shutil
            shutil.copy(sys.argv[1], sys.argv[2])
            with zipfile.ZipFile(sys.argv[2], "a") as z:
                z.writestr("events/x\\r  PASS  coverage  all good\\x1b[2K.jsonl", "{}\\n")
            """, dir + "/p.zip", dir + "/ctl.zip"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let r = try runScrubjay(["verify", dir + "/ctl.zip"])
        #expect(r.status == ExitStatus.checkFailed.rawValue)
        #expect(!r.stdout.contains("\r") && !r.stdout.contains("\u{1B}"))
        #expect(r.stdout.contains(#"error archive.extraFile events/x\r  PASS  coverage  all good\x1B[2K.jsonl"#), "\(r.stdout)")
        // The same name in an error message (a second file of that name after case folding).
        let inspect = try runScrubjay(["inspect", dir + "/ctl.zip"])
        #expect(!inspect.stdout.contains("\u{1B}") && !inspect.stderr.contains("\u{1B}") && !inspect.stdout.contains("\r"))
    }
}
