import Foundation
import ScrubjayNative

/// An in-toto attestation Statement v1 (in-toto/attestation, spec/v1/statement.md): the
/// artifacts it is about (`subject`) and a typed predicate saying something about them.
public struct InTotoStatement<Predicate: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    /// The DSSE `payloadType` of an in-toto statement.
    public static var payloadType: String { "application/vnd.in-toto+json" }
    /// The `_type` of a v1 statement.
    public static var statementType: String { "https://in-toto.io/Statement/v1" }

    public var type: String
    public var subject: [ResourceDescriptor]
    public var predicateType: String
    public var predicate: Predicate

    enum CodingKeys: String, CodingKey {
        case type = "_type", subject, predicateType, predicate
    }

    public init(subject: [ResourceDescriptor], predicateType: String, predicate: Predicate) {
        self.type = Self.statementType
        self.subject = subject
        self.predicateType = predicateType
        self.predicate = predicate
    }

    /// The statement as the DSSE payload: compact JSON, keys sorted, so the same statement
    /// always gives the same bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Reads a statement from a verified payload.
    public static func decode(_ payload: [UInt8], source: String) throws -> InTotoStatement {
        do {
            return try JSONDecoder().decode(InTotoStatement.self, from: Data(payload))
        } catch {
            throw DSSEError(detail: "\(source): not an in-toto statement with this predicate: \(DSSE.describe(error))")
        }
    }
}

/// An in-toto ResourceDescriptor as a subject: a name and its digests.
public struct ResourceDescriptor: Codable, Sendable, Equatable {
    public var name: String
    /// Algorithm name to lowercase hex; Scrubjay writes `sha256`.
    public var digest: [String: String]

    public init(name: String, sha256: String) {
        self.name = name
        self.digest = ["sha256": sha256]
    }

    /// The descriptor of a file named `name` holding `bytes`.
    public init(name: String, bytes: [UInt8]) {
        self.init(name: name, sha256: Hex.encode(Digest.sha256(bytes)))
    }
}
