import Foundation
import ScrubjayIO
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import Yams

/// A public key `verify` accepts signatures from, with an optional validity window and revocation.
public struct TrustedKey: Sendable {
    /// A name for messages (the trust file's `name`, or the PEM file's path).
    public var name: String
    public var key: PublicKey
    /// The key is valid from this time (inclusive); nil: always was.
    public var notBefore: Date?
    /// The key is valid until this time (inclusive); nil: no end.
    public var notAfter: Date?
    /// A revoked key verifies nothing, whatever the times.
    public var revoked: Bool
    /// Why it was revoked, for the message.
    public var revocationReason: String?

    public init(name: String, key: PublicKey, notBefore: Date? = nil, notAfter: Date? = nil, revoked: Bool = false,
                revocationReason: String? = nil) {
        self.name = name
        self.key = key
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.revoked = revoked
        self.revocationReason = revocationReason
    }

    /// A trusted key from a PEM public key file (`--trusted-key`), valid without limits.
    public static func pemFile(_ path: String) throws -> TrustedKey {
        TrustedKey(name: path, key: try KeyFiles.readPublicKey(path))
    }

    /// Why the key may not be trusted at `time`, or nil when it may.
    func problem(at time: Date) -> (code: String, message: String)? {
        if revoked { return ("key.revoked", "key \(name) is revoked" + (revocationReason.map { ": \($0)" } ?? "")) }
        if let notBefore, time < notBefore { return ("key.notYetValid", "key \(name) is valid only from \(PackageWriter.timestampString(notBefore))") }
        if let notAfter, time > notAfter { return ("key.expired", "key \(name) expired at \(PackageWriter.timestampString(notAfter))") }
        return nil
    }
}

/// A trust file (`--trust-file`, YAML; docs/VERIFY.md): the keys whose signatures count, each
/// with an optional validity window and revocation.
///
/// ```yaml
/// version: 1
/// keys:
///   - name: compliance-officer
///     public_key: officer.pub.pem        # relative to the trust file
///     not_before: 2026-01-01T00:00:00Z
///     not_after: 2027-01-01T00:00:00Z
///   - name: old-laptop
///     public_key: old.pub.pem
///     revoked: true
///     reason: laptop lost 2026-03-02
/// ```
public enum TrustFile {
    struct File: Decodable {
        var version: Int
        var keys: [Entry]
    }

    struct Entry: Decodable {
        var name: String
        var public_key: String
        var not_before: String?
        var not_after: String?
        var revoked: Bool?
        var reason: String?
    }

    /// The trusted keys of the trust file at `path`. Errors name the file and the key entry.
    public static func load(_ path: String) throws -> [TrustedKey] {
        let text = String(decoding: try InputFile.read(path), as: UTF8.self)
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch {
            throw KeyFileError(path: path, detail: "not a trust file: \(error)")
        }
        guard file.version == 1 else {
            throw KeyFileError(path: path, detail: "trust file version \(file.version) is not supported (this tool reads version 1)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try file.keys.enumerated().map { i, e in
            func date(_ s: String?, _ field: String) throws -> Date? {
                guard let s else { return nil }
                guard let d = parse(s) else {
                    throw KeyFileError(path: path, detail: "keys[\(i)] (\(e.name)): \(field) \"\(s)\" is not an RFC 3339 time such as 2026-01-01T00:00:00Z")
                }
                return d
            }
            let keyPath = e.public_key.hasPrefix("/") || directory.isEmpty ? e.public_key : directory + "/" + e.public_key
            return TrustedKey(name: e.name, key: try KeyFiles.readPublicKey(keyPath),
                              notBefore: try date(e.not_before, "not_before"), notAfter: try date(e.not_after, "not_after"),
                              revoked: e.revoked ?? false, revocationReason: e.reason)
        }
    }

    static func parse(_ s: String) -> Date? { PackageWriter.parseTimestamp(s) }
}
