import ScrubjayIO
import ScrubjayNative
#if canImport(Glibc)
import Glibc
#endif

/// A key file that exists but cannot be used: not a key, the wrong type, a wrong passphrase;
/// or a trust file that cannot be used, with the line of the mistake (`trust.yml:5: ...`,
/// as policy and rule files report theirs).
public struct KeyFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    /// The 1-based line in `path` the problem is on, when known.
    public let line: Int?
    public let detail: String
    public var description: String { path + (line.map { ":\($0)" } ?? "") + ": " + detail }

    public init(path: String, line: Int? = nil, detail: String) {
        self.path = path
        self.line = line
        self.detail = detail
    }
}

/// Reading and writing signing keys as PEM files (docs/MANIFEST.md, "Keys").
public enum KeyFiles {
    /// The public key file written beside a private key: `KEY.pem` gives `KEY.pub.pem`, any
    /// other name gets `.pub.pem` appended.
    public static func publicKeyPath(for privateKeyPath: String) -> String {
        privateKeyPath.hasSuffix(".pem") ? String(privateKeyPath.dropLast(4)) + ".pub.pem" : privateKeyPath + ".pub.pem"
    }

    /// The passphrase in a file: its first line, without the line ending (as `openssl -passin
    /// file:` reads it). An empty passphrase is an error.
    public static func readPassphrase(_ path: String) throws -> [UInt8] {
        let bytes = try InputFile.read(path)
        let line = Array(bytes.prefix { $0 != 0x0A && $0 != 0x0D })
        guard !line.isEmpty else { throw KeyFileError(path: path, detail: "the passphrase file's first line is empty") }
        guard !line.contains(0) else { throw KeyFileError(path: path, detail: "the passphrase holds a NUL byte") }
        return line
    }

    /// The private key at `path` (PKCS#8 PEM, encrypted when `passphraseFile` is given).
    /// A missing file is a `FileError`; a file that is not a usable key is a `KeyFileError`.
    public static func readPrivateKey(_ path: String, passphraseFile: String? = nil) throws -> PrivateKey {
        let passphrase = try passphraseFile.map(readPassphrase)
        let bytes = try InputFile.read(path)
        do {
            return try PrivateKey(pem: String(decoding: bytes, as: UTF8.self), passphrase: passphrase)
        } catch .passphraseRequired {
            throw KeyFileError(path: path, detail: "the key is passphrase-protected; give its passphrase with --key-passphrase-file")
        } catch {
            if pemLabels(bytes) == ["PUBLIC KEY"] {
                throw KeyFileError(path: path, detail: "holds a public key, not a private key: sign with the private key (keygen writes KEY.pem and its public key KEY.pub.pem)")
            }
            throw KeyFileError(path: path, detail: "not a usable signing key: \(error)")
        }
    }

    /// The public key at `path` (SubjectPublicKeyInfo PEM).
    public static func readPublicKey(_ path: String) throws -> PublicKey {
        let bytes = try InputFile.read(path)
        do {
            return try PublicKey(pem: String(decoding: bytes, as: UTF8.self))
        } catch {
            if pemLabels(bytes).contains(where: { $0.hasSuffix("PRIVATE KEY") }) {
                throw KeyFileError(path: path, detail: "holds a private key, not a public key: give its public key (keygen writes it beside the key as \(publicKeyPath(for: path))) and keep the private key to yourself")
            }
            throw KeyFileError(path: path, detail: "not a usable public key: \(error)")
        }
    }

    /// The labels of the PEM blocks in `bytes` (`PUBLIC KEY`, `PRIVATE KEY`, `ENCRYPTED PRIVATE
    /// KEY`...), to say which kind of key a file holds when it is not the kind asked for.
    static func pemLabels(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            var l = line[...]
            while l.first?.isWhitespace == true { l.removeFirst() }
            while l.last?.isWhitespace == true { l.removeLast() }
            guard l.hasPrefix("-----BEGIN "), l.hasSuffix("-----") else { return nil }
            return String(l.dropFirst(11).dropLast(5))
        }
    }

    /// Writes `key` to `path` (mode 0600, encrypted with `passphrase` when given) and its
    /// public key to `publicKeyPath(for: path)` (mode 0644), each atomically. Existing files
    /// are an error unless `overwrite`. Returns the public key's path.
    @discardableResult
    public static func write(_ key: PrivateKey, to path: String, passphrase: [UInt8]? = nil, overwrite: Bool = false) throws -> String {
        let publicPath = publicKeyPath(for: path)
        if !overwrite {
            for p in [path, publicPath] where access(p, F_OK) == 0 {
                throw KeyFileError(path: p, detail: "already exists; choose another name or pass --force to replace it")
            }
        }
        try AtomicFileWriter.write(Array(key.pemRepresentation(passphrase: passphrase).utf8), to: path, permissions: 0o600, exactly: true)
        try AtomicFileWriter.write(Array(key.publicKey.pemRepresentation.utf8), to: publicPath, permissions: 0o644, exactly: true)
        return publicPath
    }
}
