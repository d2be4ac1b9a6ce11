import Foundation
import ScrubjayIO
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayRules
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
    static let topKeys: Set<String> = ["version", "keys"]
    static let entryKeys: Set<String> = ["name", "public_key", "not_before", "not_after", "revoked", "reason"]

    /// The trusted keys of the trust file at `path`. Every mistake is an error naming the file,
    /// the line and the key entry (`trust.yml:7: keys[1] (old-laptop): ...`): unknown keys (a
    /// typo such as `revokd` is never silently ignored), wrong types, bad times, an unreadable
    /// key file, and one public key listed twice.
    public static func load(_ path: String) throws -> [TrustedKey] {
        let bytes = try InputFile.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KeyFileError(path: path, detail: "not a trust file: not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw KeyFileError(path: path, detail: "not a trust file: the file is empty") }
            root = node
        } catch let e as KeyFileError {
            throw e
        } catch let e as YamlError {
            let (line, problem) = YAMLProblem.of(e)
            throw KeyFileError(path: path, line: line, detail: "not a trust file: not valid YAML: \(problem)")
        }
        func fail(_ node: Node?, _ message: String) -> KeyFileError {
            KeyFileError(path: path, line: (node ?? root).mark?.line, detail: message)
        }
        func mapping(_ node: Node, _ what: String, keys: Set<String>) throws -> Node.Mapping {
            guard let m = node.mapping else { throw fail(node, "\(what) must be a mapping") }
            var seen: Set<String> = []
            for (k, _) in m {
                let key = k.string ?? "?"
                guard keys.contains(key) else {
                    throw fail(k, "unknown key '\(key)' in \(what) (allowed: \(keys.sorted().joined(separator: ", ")))")
                }
                guard seen.insert(key).inserted else { throw fail(k, "'\(key)' is given twice in \(what)") }
            }
            return m
        }

        let top = try mapping(root, "a trust file", keys: topKeys)
        guard let versionNode = top["version"] else { throw fail(root, "missing 'version: 1'") }
        guard let version = versionNode.int else { throw fail(versionNode, "version must be a number (1)") }
        guard version == 1 else {
            throw fail(versionNode, "trust file version \(version) is not supported (this tool reads version 1)")
        }
        guard let keysNode = top["keys"] else { throw fail(root, "missing 'keys:', the list of trusted keys") }
        guard let entries = keysNode.sequence else { throw fail(keysNode, "keys must be a list of key entries") }
        guard !entries.isEmpty else { throw fail(keysNode, "keys lists no key: a trust file must trust at least one") }

        let directory = (path as NSString).deletingLastPathComponent
        var keys: [TrustedKey] = []
        var firstEntry: [String: (index: Int, name: String, line: Int?)] = [:]
        for (i, item) in entries.enumerated() {
            let m = try mapping(item, "keys[\(i)]", keys: entryKeys)
            guard let nameNode = m["name"] else { throw fail(item, "keys[\(i)]: missing 'name'") }
            guard let name = nameNode.scalar?.string, !name.isEmpty else { throw fail(nameNode, "keys[\(i)]: name must be a non-empty string") }
            let entry = "keys[\(i)] (\(name))"
            func string(_ field: String) throws -> (String, Node)? {
                guard let node = m[field] else { return nil }
                guard let s = node.scalar?.string else { throw fail(node, "\(entry): \(field) must be a string") }
                return (s, node)
            }
            func date(_ field: String) throws -> Date? {
                guard let (s, node) = try string(field) else { return nil }
                guard let d = parse(s) else {
                    throw fail(node, "\(entry): \(field) \"\(s)\" is not an RFC 3339 time such as 2026-01-01T00:00:00Z")
                }
                return d
            }
            guard let (publicKey, keyNode) = try string("public_key") else { throw fail(item, "\(entry): missing 'public_key'") }
            var revoked = false
            if let node = m["revoked"] {
                guard let b = node.bool else { throw fail(node, "\(entry): revoked must be true or false") }
                revoked = b
            }
            let reason = try string("reason")?.0
            let notBefore = try date("not_before"), notAfter = try date("not_after")
            let keyPath = publicKey.hasPrefix("/") || directory.isEmpty ? publicKey : directory + "/" + publicKey
            let key: PublicKey
            do {
                key = try KeyFiles.readPublicKey(keyPath)
            } catch let e as any Error & CustomStringConvertible where e is FileError || e is KeyFileError {
                throw fail(keyNode, "\(entry): public_key \(e.description)")
            }
            // One key, one entry: two entries (one revoked, one not; or two windows) would leave
            // which one counts to the order of the file.
            if let first = firstEntry[key.keyID] {
                throw fail(item, "\(entry): the same public key as keys[\(first.index)] (\(first.name))"
                           + (first.line.map { " on line \($0)" } ?? "")
                           + "; list each key once (to revoke it, set revoked: true on that one entry)")
            }
            firstEntry[key.keyID] = (i, name, item.mark?.line)
            keys.append(TrustedKey(name: name, key: key, notBefore: notBefore, notAfter: notAfter,
                                   revoked: revoked, revocationReason: reason))
        }
        return keys
    }

    static func parse(_ s: String) -> Date? { PackageWriter.parseTimestamp(s) }
}
