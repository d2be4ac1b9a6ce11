import Foundation
import ScrubjayNative

/// A DSSE envelope (secure-systems-lab/dsse, protocol v1.0): a payload, its type, and
/// signatures over the pre-authentication encoding (PAE) of both. docs/MANIFEST.md.
///
/// Signatures cover the exact payload bytes; there is no canonical-JSON step. Verify a
/// signature over `pae` before trusting anything inside the payload.
public struct DSSEEnvelope: Codable, Sendable, Equatable {
    /// The payload, standard base64 (RFC 4648 section 4, padded).
    public var payload: String
    public var payloadType: String
    public var signatures: [Signature]

    public struct Signature: Codable, Sendable, Equatable {
        /// A hint for which key signed (Scrubjay writes `sha256:<hex of the DER public key>`);
        /// never a reason to trust the signature.
        public var keyid: String
        /// The signature over `PAE(payloadType, payload)`, standard base64.
        public var sig: String

        public init(keyid: String, sig: String) {
            self.keyid = keyid
            self.sig = sig
        }

        /// The decoded signature bytes, or nil when `sig` is not base64.
        public var bytes: [UInt8]? { DSSE.decodeBase64(sig) }
    }

    /// An unsigned envelope around `payload`.
    public init(payload: [UInt8], payloadType: String) {
        self.payload = Data(payload).base64EncodedString()
        self.payloadType = payloadType
        self.signatures = []
    }

    /// The decoded payload, or nil when `payload` is not base64.
    public var payloadBytes: [UInt8]? { DSSE.decodeBase64(payload) }

    /// The bytes every signature covers; nil when the payload is not base64.
    public var pae: [UInt8]? { payloadBytes.map { DSSE.pae(payloadType: payloadType, payload: $0) } }

    /// Adds `key`'s signature over the PAE. Returns false, changing nothing, when a valid
    /// signature by this key is already there (a keyid alone, which anyone can write, is not one).
    @discardableResult
    public mutating func sign(with key: PrivateKey) throws -> Bool {
        let keyID = key.publicKey.keyID
        guard let pae else { throw DSSEError(detail: "the payload is not valid base64") }
        guard !signatures.contains(where: { $0.keyid == keyID && isValid($0, by: key.publicKey, pae: pae) }) else { return false }
        signatures.append(Signature(keyid: keyID, sig: Data(try key.signature(for: pae)).base64EncodedString()))
        return true
    }

    /// Whether `signature` is a valid signature by `key` over this envelope's PAE (`pae`, when
    /// the caller has it already, saves decoding the payload again).
    public func isValid(_ signature: Signature, by key: PublicKey, pae known: [UInt8]? = nil) -> Bool {
        guard let pae = known ?? pae, let bytes = signature.bytes else { return false }
        return key.verify(signature: bytes, message: pae)
    }

    /// The envelope as JSON: keys sorted, two-space indentation, one final newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Reads an envelope; `source` names the file in the error.
    public static func decode(_ bytes: [UInt8], source: String) throws -> DSSEEnvelope {
        do {
            return try JSONDecoder().decode(DSSEEnvelope.self, from: Data(bytes))
        } catch {
            throw DSSEError(detail: "\(source): not a DSSE envelope: \(DSSE.describe(error))")
        }
    }
}

/// A DSSE envelope or the statement inside it cannot be read or signed.
public struct DSSEError: Error, CustomStringConvertible, Sendable, Equatable {
    public let detail: String
    public var description: String { detail }
}

/// DSSE's pre-authentication encoding and base64 helpers.
public enum DSSE {
    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the byte length in ASCII decimal.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out = Array("DSSEv1 \(type.count) ".utf8)
        out += type
        out += Array(" \(payload.count) ".utf8)
        out += payload
        return out
    }

    /// Decodes standard or URL-safe base64, padded or not (DSSE readers accept both).
    /// Works on the UTF-8 bytes with a table: payloads of tens of megabytes decode in
    /// milliseconds. Nil for any other character, `=` inside, or an impossible length.
    public static func decodeBase64(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decodeBase64(bytes: $0) }
    }

    public static func decodeBase64(bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var n = bytes.count
        var padding = 0
        while n > 0, padding < 2, bytes[n - 1] == UInt8(ascii: "=") { n -= 1; padding += 1 }
        if padding > 0 && (n + padding) % 4 != 0 { return nil }
        if n % 4 == 1 { return nil }
        let count = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1)
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            base64Table.withUnsafeBufferPointer { table in
                var i = 0, o = 0
                while i + 4 <= n {
                    let a = table[Int(bytes[i])], b = table[Int(bytes[i + 1])], c = table[Int(bytes[i + 2])], d = table[Int(bytes[i + 3])]
                    if (a | b | c | d) & 0x80 != 0 { valid = false; break }
                    out[o] = a << 2 | b >> 4
                    out[o + 1] = b << 4 | c >> 2
                    out[o + 2] = c << 6 | d
                    i += 4
                    o += 3
                }
                if valid && i < n {
                    let a = table[Int(bytes[i])], b = table[Int(bytes[i + 1])]
                    let c = n - i == 3 ? table[Int(bytes[i + 2])] : 0
                    if (a | b | c) & 0x80 != 0 {
                        valid = false
                    } else {
                        out[o] = a << 2 | b >> 4
                        o += 1
                        if n - i == 3 { out[o] = b << 4 | c >> 2; o += 1 }
                    }
                }
                initialized = valid ? o : 0
            }
        }
        return valid ? out : nil
    }

    /// Each byte's 6-bit value in either base64 alphabet; 0xFF for anything else.
    static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "+"))] = 62; t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "/"))] = 63; t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// A short description of a Codable decoding error: what, and at which JSON path.
    static func describe(_ error: Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            "/" + context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
        }
        switch error {
        case let DecodingError.keyNotFound(key, context): return "missing \"\(key.stringValue)\" at \(path(context))"
        case let DecodingError.typeMismatch(_, context): return "wrong type at \(path(context)): \(context.debugDescription)"
        case let DecodingError.valueNotFound(_, context): return "null at \(path(context))"
        case let DecodingError.dataCorrupted(context): return "\(context.debugDescription) at \(path(context))"
        default: return "\(error)"
        }
    }
}
