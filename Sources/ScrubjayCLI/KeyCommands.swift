import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayNative
import ScrubjayProvenance

/// `--sign-key` and `--key-passphrase-file`, shared by `redact`.
struct SigningKeyOptions: ParsableArguments {
    @Option(help: "Sign the package's redaction statement with this private key (PKCS#8 PEM, Ed25519 or ECDSA P-256; `scrubjay keygen` makes one).")
    var signKey: String?

    @Option(help: "A file whose first line is the passphrase of a passphrase-protected key.")
    var keyPassphraseFile: String?

    func validate() throws {
        if keyPassphraseFile != nil && signKey == nil {
            throw ValidationError("--key-passphrase-file needs --sign-key")
        }
    }

    /// The files these options read, for `checkOutputs`.
    var inputFiles: [GivenFile] { given("--sign-key", signKey) + given("--key-passphrase-file", keyPassphraseFile) }

    /// The signing key, read now so that a bad key stops the command before any work.
    func load() throws -> PrivateKey? {
        guard let signKey else { return nil }
        return try reportingErrors { try KeyFiles.readPrivateKey(signKey, passphraseFile: keyPassphraseFile) }
    }
}

/// `scrubjay keygen -o KEY.pem [--algorithm ed25519|p256]`.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a signing key for redaction statements.",
        discussion: """
        Writes the private key as PKCS#8 PEM (mode 0600) and its public key beside it as \
        KEY.pub.pem (SubjectPublicKeyInfo PEM), then prints the key id: sha256: and the hex \
        SHA-256 of the DER public key, the id signatures carry, alone on standard output. Give the public key to whoever \
        verifies your packages; keep the private key to yourself.
        """
    )

    @Option(name: .shortAndLong, help: "The private key file to write (the public key goes beside it as <name>.pub.pem).")
    var output: String

    @Option(help: "ed25519 (default) or p256 (ECDSA over NIST P-256 with SHA-256).")
    var algorithm: SignatureAlgorithm = .ed25519

    @Option(name: [.customLong("passphrase-file"), .customLong("key-passphrase-file")],
            help: "Encrypt the private key with the passphrase on this file's first line (AES-256-CBC, PBKDF2).")
    var passphraseFile: String?

    @Flag(help: "Replace existing key files.")
    var force = false

    func validate() throws {
        var isDirectory: ObjCBool = false
        for path in [output, KeyFiles.publicKeyPath(for: output)]
        where FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue {
            // --force would not help: a directory is never replaced by a key file.
            throw ValidationError("\(path) is a directory; name the key file to write (for example \(path)/signing.pem)")
        }
        guard !force else { return }
        for path in [output, KeyFiles.publicKeyPath(for: output)] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) already exists; choose another name or pass --force to replace it")
        }
    }

    func run() throws {
        try checkOutputs(given("-o", output) + given("the public key", KeyFiles.publicKeyPath(for: output)),
                         inputs: given("--passphrase-file", passphraseFile))
        let passphrase = try reportingErrors { try passphraseFile.map(KeyFiles.readPassphrase) }
        let key = try reportingErrors { try PrivateKey.generate(algorithm) }
        let publicPath = try reportingErrors { try KeyFiles.write(key, to: output, passphrase: passphrase, overwrite: force) }
        printWrote([output, publicPath], "\(algorithm.displayName) private key, mode 0600; key id \(key.publicKey.keyID)")
        // The key id alone on standard output, for scripts: KEYID=$(scrubjay keygen -o k.pem).
        print(key.publicKey.keyID)
    }
}

extension SignatureAlgorithm: ExpressibleByArgument {}

/// `scrubjay sign PACKAGE --key KEY.pem`.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Co-sign a package's redaction statement (a second officer signing off).",
        discussion: """
        Adds a signature by KEY to redaction/statement.dsse.json without changing its payload, \
        after checking that the statement covers the package's files exactly (exit 1 when it \
        does not: the package changed after it was signed). The package is rewritten in place, \
        atomically, or written to -o. Signing again with the same key changes nothing (with -o, \
        the package is copied there unchanged). -o may not name the package, the key or the \
        passphrase file (exit 2).
        """
    )

    @Argument(help: "A package written by `scrubjay redact --sign-key`.")
    var package: String

    @Option(name: [.customLong("key"), .customLong("sign-key")], help: "The private key to sign with (PKCS#8 PEM, Ed25519 or ECDSA P-256).")
    var key: String

    @Option(help: "A file whose first line is the key's passphrase.")
    var keyPassphraseFile: String?

    @Option(name: .shortAndLong, help: "Write the co-signed package here instead of replacing PACKAGE.")
    var output: String?

    func run() throws {
        try checkOutputs(given("-o", output), inputs: given("the package", package) + given("--key", key) + given("--key-passphrase-file", keyPassphraseFile))
        let privateKey = try reportingErrors { try KeyFiles.readPrivateKey(key, passphraseFile: keyPassphraseFile) }
        let result = try reportingErrors { try PackageStatement.cosign(package: package, key: privateKey, output: output) }
        if result.added {
            printWrote([output ?? package], "signed by \(result.keyID); \(plural(result.signers.count, "signature")) now")
        } else if let output {
            printWrote([output], "a copy of \(package), already signed by \(result.keyID)")
        } else {
            printNote("\(package): already signed by \(result.keyID); nothing written")
        }
    }
}
