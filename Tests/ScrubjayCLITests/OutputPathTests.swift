import Foundation
import Testing
@testable import ScrubjayCLI

/// Outputs never replace an input or each other, are checked before any work, and missing or
/// mistaken inputs get the README's exit codes.
@Suite("Outputs and inputs on the command line")
struct OutputPathTests {
    let recording = fixtures + "/posthog/with-pageviews.json"

    typealias Dir = KeyCommandTests.Dir

    /// A directory holding a signing key `k.pem` (and `k.pub.pem`) and `red.zip`, a package signed with it.
    func signedPackage() throws -> Dir {
        let dir = try Dir()
        try #require(try runScrubjay(["keygen", "-o", dir.file("k.pem")]).status == 0)
        let r = try runScrubjay(["redact", recording, "-o", dir.file("red.zip"), "--sign-key", dir.file("k.pem")])
        try #require(r.status == 0, "\(r.stderr)")
        return dir
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Runs `arguments`, expecting exit 2 with a message naming `output`, and `kept` unchanged.
    func expectRefused(_ arguments: [String], output: String, kept: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = bytes(kept)
        let r = try runScrubjay(arguments)
        #expect(r.status == ExitStatus.usage.rawValue, "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains("the output \(output) ("), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains("is also an input"), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(bytes(kept) == before, "\(arguments) changed \(kept)", sourceLocation: sourceLocation)
    }

    /// One file given twice to pack, redact or audit (by one name, or as a link and its
    /// target) was read twice: a package of every event doubled (178 events became 356), with
    /// no word. It is refused before any work (exit 2), naming the file.
    @Test("one input given twice to pack, redact or audit: exit 2 naming it, nothing written")
    func anInputGivenTwice() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.json"), withDestinationPath: recording)
        for arguments in [["pack", recording, recording, "-o", dir.file("p.zip")],
                          ["redact", recording, dir.file("link.json"), "-o", dir.file("p.zip")],
                          ["audit", recording, recording]] {
            let r = try runScrubjay(arguments)
            #expect(r.status == ExitStatus.usage.rawValue, "\(arguments): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains(recording) && r.stderr.contains("read once"), "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("p.zip")))
        let twoFiles = try runScrubjay(["pack", fixtures + "/posthog-shapes/wide-layout.blob_v2.jsonl", fixtures + "/posthog/wide-layout.json", "-o", dir.file("p.zip")])
        #expect(twoFiles.status == 0, "two files are still two parts: \(twoFiles.stderr)")
    }

    /// `export P -o -` wrote a file named "-" (and nothing to standard output, where a Unix user
    /// expects "-" to go): refused (exit 2) for every output, no file "-" left.
    @Test("an output named '-' is refused (exit 2), no file of that name written")
    func dashIsNotStandardOutput() throws {
        let dir = try signedPackage()
        defer { dir.cleanup() }
        let pkg = dir.file("red.zip")
        let cwd = FileManager.default.currentDirectoryPath
        for arguments in [["export", pkg, "-o", "-"], ["report", pkg, "-o", "-"], ["verify", pkg, "--sarif-output", "-"],
                          ["pack", recording, "-o", "-"], ["view", pkg, "-o", "-"]] {
            let r = try runScrubjay(arguments)
            #expect(r.status == ExitStatus.usage.rawValue, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains(" -: '-' is not standard output here; name a file"), "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: cwd + "/-"))
    }

    @Test("report, view, facts and verify refuse to write any output over the package (exit 2), the package untouched")
    func outputOverThePackage() throws {
        let dir = try signedPackage()
        defer { dir.cleanup() }
        let pkg = dir.file("red.zip")
        for arguments in [["report", pkg, "-o", pkg], ["view", pkg, "-o", pkg], ["facts", pkg, "-o", pkg],
                          ["verify", pkg, "-o", pkg], ["verify", pkg, "--sarif-output", pkg], ["verify", pkg, "--junit-output", pkg],
                          ["export", pkg, "-o", pkg]] {
            try expectRefused(arguments, output: pkg, kept: pkg)
        }
        // Another spelling of the same file, and a symbolic link to it.
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.zip"), withDestinationPath: pkg)
        try expectRefused(["report", pkg, "-o", dir.path + "/./red.zip"], output: dir.path + "/./red.zip", kept: pkg)
        try expectRefused(["verify", pkg, "-o", dir.file("link.zip")], output: dir.file("link.zip"), kept: pkg)
    }

    @Test("no output replaces a key, pseudonym key, rule pack, policy, trusted key or passphrase file (exit 2)")
    func outputOverAnotherInput() throws {
        let dir = try signedPackage()
        defer { dir.cleanup() }
        let pkg = dir.file("red.zip"), key = dir.file("k.pem"), pub = dir.file("k.pub.pem")
        try Data((0..<32).map { UInt8($0) }).write(to: URL(fileURLWithPath: dir.file("pkey.bin")))
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Rules/default.yml", toPath: dir.file("rules.yml"))
        try FileManager.default.createDirectory(atPath: dir.file("packs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Rules/default.yml", toPath: dir.file("packs/default.yml"))
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Policies/gdpr-eea.yml", toPath: dir.file("pol.yml"))
        try "secret\n".write(toFile: dir.file("pass.txt"), atomically: true, encoding: .utf8)

        try expectRefused(["redact", recording, "-o", key, "--sign-key", key], output: key, kept: key)
        try expectRefused(["redact", recording, "-o", dir.file("x.zip"), "--sign-key", key, "--report-html", key], output: key, kept: key)
        try expectRefused(["redact", recording, "-o", dir.file("pkey.bin"), "--pseudonym-key-file", dir.file("pkey.bin")],
                          output: dir.file("pkey.bin"), kept: dir.file("pkey.bin"))
        try expectRefused(["redact", recording, "-o", dir.file("rules.yml"), "--rules", dir.file("rules.yml")],
                          output: dir.file("rules.yml"), kept: dir.file("rules.yml"))
        try expectRefused(["redact", recording, "-o", dir.file("packs/default.yml"), "--rules", dir.file("packs")],
                          output: dir.file("packs/default.yml"), kept: dir.file("packs/default.yml"))
        try expectRefused(["sign", pkg, "--key", key, "-o", key], output: key, kept: key)
        try expectRefused(["verify", pkg, "--policy", dir.file("pol.yml"), "-o", dir.file("pol.yml")],
                          output: dir.file("pol.yml"), kept: dir.file("pol.yml"))
        try expectRefused(["verify", pkg, "--trusted-key", pub, "-o", pub], output: pub, kept: pub)
        try expectRefused(["report", pkg, "--trusted-key", pub, "-o", "\(dir.path)/../\((dir.path as NSString).lastPathComponent)/k.pub.pem"],
                          output: "\(dir.path)/../\((dir.path as NSString).lastPathComponent)/k.pub.pem", kept: pub)
        try expectRefused(["keygen", "-o", dir.file("pass.txt"), "--passphrase-file", dir.file("pass.txt"), "--force"],
                          output: dir.file("pass.txt"), kept: dir.file("pass.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.zip")), "nothing is written when an output is refused")
    }

    @Test("two outputs of one command naming the same file are refused (exit 2), and neither is written")
    func twoOutputsOnePath() throws {
        let dir = try signedPackage()
        defer { dir.cleanup() }
        let pkg = dir.file("red.zip"), out = dir.file("res.out")
        for arguments in [["verify", pkg, "--sarif-output", out, "--junit-output", out],
                          ["verify", pkg, "--format", "json", "-o", out, "--sarif-output", "\(dir.path)/./res.out"],
                          ["redact", recording, "-o", out, "--report-html", out]] {
            let r = try runScrubjay(arguments)
            #expect(r.status == ExitStatus.usage.rawValue, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("are the same file; give each output its own file"), "\(arguments): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let keygen = try runScrubjay(["keygen", "-o", dir.file("x.pub.pem"), "--passphrase-file", dir.file("x.pub.pub.pem")])
        #expect(keygen.status == ExitStatus.usage.rawValue, "the public key may not replace the passphrase file either: \(keygen.stderr)")
    }

    @Test("redact --report-html into a missing directory fails before any work (exit 4), and no package is written")
    func unwritableSecondOutput() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        let r = try runScrubjay(["redact", recording, "-o", dir.file("out.zip"), "--report-html", dir.file("nodir/r.html")])
        #expect(r.status == ExitStatus.outputFailed.rawValue, "\(r.stderr)")
        #expect(r.stderr.contains("\(dir.file("nodir/r.html")): cannot write: No such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.zip")), "the package was written although the command failed")
        let verify = try runScrubjay(["verify", dir.file("missing.zip"), "--junit-output", dir.file("nodir/j.xml")])
        #expect(verify.status == ExitStatus.outputFailed.rawValue, "\(verify.stderr)")
    }

    @Test("--rules naming a directory with no packs is an error naming it, never zero rules")
    func emptyRulesDirectory() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        let empty = dir.file("rules-typo")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try "not a pack".write(toFile: empty + "/README.txt", atomically: true, encoding: .utf8)
        let audit = try runScrubjay(["audit", recording, "--rules", empty, "--fail-on", "low"])
        #expect(audit.status == ExitStatus.malformedInput.rawValue, "\(audit.stdout)\(audit.stderr)")
        #expect(audit.stderr.contains("\(empty): a directory with no rule packs"))
        let redact = try runScrubjay(["redact", recording, "--rules", empty, "-o", dir.file("shared.zip")])
        #expect(redact.status == ExitStatus.malformedInput.rawValue, "\(redact.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("shared.zip")))
        let pack = try runScrubjay(["pack", recording, "-o", dir.file("p.zip")])
        try #require(pack.status == 0)
        let rescan = try runScrubjay(["verify", dir.file("p.zip"), "--rescan", "--rules", empty])
        #expect(rescan.status == ExitStatus.usage.rawValue, "verify's rule files are usage errors: \(rescan.stderr)")
        #expect(rescan.stderr.contains("\(empty): a directory with no rule packs"))
    }

    @Test("a --rules file that does not exist is a missing input: exit 2 in audit, redact, rules and verify")
    func missingRulesFile() throws {
        let dir = try Dir()
        defer { dir.cleanup() }
        let missing = dir.file("no-such-pack.yml")
        for arguments in [["audit", recording, "--rules", missing], ["redact", recording, "--rules", missing, "-o", dir.file("r.zip")],
                          ["rules", "list", "--rules", missing]] {
            let run = try runScrubjay(arguments)
            #expect(run.status == ExitStatus.usage.rawValue, "\(arguments[0]): \(run.stderr)")
            #expect(run.stderr.contains("\(missing): no such file or directory"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("r.zip")))
    }

    @Test("a missing package is exit 2 for export, view and sign; an unknown --window is exit 2")
    func missingPackageAndUnknownWindow() throws {
        let dir = try signedPackage()
        defer { dir.cleanup() }
        let missing = dir.file("nonexist.zip")
        for arguments in [["export", missing, "-o", dir.file("e.json")], ["view", missing, "-o", dir.file("v.html")],
                          ["sign", missing, "--key", dir.file("k.pem")]] {
            let r = try runScrubjay(arguments)
            #expect(r.status == ExitStatus.usage.rawValue, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("\(missing): cannot open: No such file or directory"), "\(arguments): \(r.stderr)")
        }
        let window = try runScrubjay(["export", dir.file("red.zip"), "-o", dir.file("w.json"), "--window", "nosuch"])
        #expect(window.status == ExitStatus.usage.rawValue, "\(window.stderr)")
        #expect(window.stderr.contains("no window \"nosuch\""))
        #expect(!FileManager.default.fileExists(atPath: dir.file("w.json")))
    }

    @Test("sign -o with a key that already signed still writes OUT: the package, unchanged")
    func signOutputWhenAlreadySigned() throws {
        let dir = try signedPackage()
        defer { dir.cleanup() }
        let out = dir.file("cosigned.zip")
        let r = try runScrubjay(["sign", dir.file("red.zip"), "--key", dir.file("k.pem"), "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("wrote \(out) (a copy of \(dir.file("red.zip")), already signed by sha256:"), "\(r.stderr)")
        #expect(bytes(out) != nil && bytes(out) == bytes(dir.file("red.zip")))
    }
}
