import Foundation
import ScrubjayIO
import ScrubjayNative
import ScrubjayPackage

/// The signed statement inside a package, `redaction/statement.dsse.json` (docs/MANIFEST.md):
/// where it lives, what it must cover, and adding a co-signature.
public enum PackageStatement {
    /// The statement's path inside a package. It is the one file the manifest does not list
    /// and the statement's subjects do not include (it cannot cover itself).
    public static let path = "redaction/statement.dsse.json"

    /// What every statement holds whatever its predicate.
    public struct Header: Decodable, Sendable, Equatable {
        public var type: String
        public var subject: [ResourceDescriptor]
        public var predicateType: String
        enum CodingKeys: String, CodingKey { case type = "_type", subject, predicateType }
    }

    /// One subject per regular file of a package except the statement, sorted by name.
    public static func subjects(of entries: [ArchiveEntry]) -> [ResourceDescriptor] {
        entries.filter { $0.isRegularFile && $0.path != path }
            .map { ResourceDescriptor(name: $0.path, bytes: $0.data) }
            .sorted { $0.name < $1.name }
    }

    /// One way the package's files differ from a statement's subjects.
    public struct CoverageProblem: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// `subject.missing`, `archive.extraFile`, `digest.mismatch` or `subject.noDigest`.
        public var code: String
        public var detail: String
        public var expected: String?
        public var actual: String?
        public var description: String { "\(path): \(detail)" }
    }

    /// Each way the package's files differ from `subjects`: a subject missing from the package,
    /// a file no subject names, a digest that differs. Empty when the statement covers the
    /// package exactly.
    public static func coverageProblems(subjects: [ResourceDescriptor], files: [String: [UInt8]]) -> [String] {
        coverageProblems(subjects: subjects, digests: files.mapValues { Hex.encode(Digest.sha256($0)) }).map(\.description)
    }

    /// The same, given each file's SHA-256 (lower-case hex) by path.
    public static func coverageProblems(subjects: [ResourceDescriptor], digests: [String: String]) -> [CoverageProblem] {
        var problems: [CoverageProblem] = []
        var named: Set<String> = []
        for s in subjects {
            named.insert(s.name)
            guard let actual = digests[s.name] else {
                problems.append(.init(path: s.name, code: "subject.missing", detail: "named by the statement but missing from the package",
                                      expected: s.digest["sha256"], actual: nil))
                continue
            }
            guard let expected = s.digest["sha256"] else {
                problems.append(.init(path: s.name, code: "subject.noDigest", detail: "the statement gives no sha256 digest"))
                continue
            }
            if actual != expected.lowercased() {
                problems.append(.init(path: s.name, code: "digest.mismatch", detail: "SHA-256 is \(actual), the statement says \(expected)",
                                      expected: expected, actual: actual))
            }
        }
        for name in digests.keys.sorted() where name != path && !named.contains(name) {
            problems.append(.init(path: name, code: "archive.extraFile", detail: "in the package but not named by the statement",
                                  expected: nil, actual: digests[name]))
        }
        return problems
    }

    /// The envelope in `package`, or nil when it has none.
    public static func envelope(in package: ReplayPackage) throws -> DSSEEnvelope? {
        guard let bytes = package.files[path] else { return nil }
        return try DSSEEnvelope.decode(bytes, source: "\(package.path): \(path)")
    }

    /// What `cosign` did.
    public struct CosignResult: Sendable, Equatable {
        /// False when the key had signed already (nothing was written).
        public var added: Bool
        public var keyID: String
        /// The key ids of every signature now on the statement.
        public var signers: [String]
    }

    /// Adds `key`'s signature to the statement of the package at `packagePath`, writing the
    /// package to `output` (default: in place, atomically). The payload is not changed. Refuses
    /// a package without a statement, and one whose files the statement does not cover exactly
    /// (a co-signer signs off on the package as it is). Signing twice with one key changes nothing.
    @discardableResult
    public static func cosign(package packagePath: String, key: PrivateKey, output: String? = nil) throws -> CosignResult {
        let package = try ReplayPackage.open(packagePath)
        guard var envelope = try envelope(in: package) else {
            throw DSSEError(detail: "\(packagePath): has no \(path) to co-sign; `scrubjay redact --sign-key` writes one")
        }
        guard envelope.payloadType == InTotoStatement<EmptyPredicate>.payloadType else {
            throw DSSEError(detail: "\(packagePath): \(path): payloadType is \"\(envelope.payloadType)\", expected \"\(InTotoStatement<EmptyPredicate>.payloadType)\"")
        }
        guard let payload = envelope.payloadBytes else {
            throw DSSEError(detail: "\(packagePath): \(path): the payload is not valid base64")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(payload))
        } catch {
            throw DSSEError(detail: "\(packagePath): \(path): the payload is not an in-toto statement: \(DSSE.describe(error))")
        }
        let problems = coverageProblems(subjects: header.subject, files: package.files)
        guard problems.isEmpty else {
            throw CoverageError(package: packagePath, problems: problems)
        }
        let keyID = key.publicKey.keyID
        let added = try envelope.sign(with: key)
        if added {
            var entries = try Archive.read(contentsOf: packagePath)
            let data = try envelope.encoded()
            for i in entries.indices where entries[i].path == path { entries[i].data = data; entries[i].size = data.count }
            // Keep the container the package came in (a gzip stream is a tar.gz package).
            let format: ArchiveFormat = try InputFile.readPrefix(packagePath, count: 2) == [0x1F, 0x8B] ? .tarGzip : .zip
            try Archive.write(entries, format: format, to: output ?? packagePath)
        } else if let output {
            // Already signed by this key: `output` still gets the package, byte for byte.
            try AtomicFileWriter.write(try InputFile.read(packagePath), to: output)
        }
        return CosignResult(added: added, keyID: keyID, signers: envelope.signatures.map(\.keyid))
    }
}

/// A statement does not cover its package exactly: the package changed after signing.
public struct CoverageError: Error, CustomStringConvertible, Sendable, Equatable {
    public let package: String
    public let problems: [String]
    public var description: String {
        "\(package): the statement does not cover the package as it is:\n  " + problems.joined(separator: "\n  ")
    }
}

/// A predicate with no fields, for reading what every statement shares.
public struct EmptyPredicate: Codable, Sendable, Equatable {}
