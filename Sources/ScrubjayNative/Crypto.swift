// OpenSSL libcrypto (EVP APIs only): every call into libcrypto lives in this file.
//
// Error policy: operations that can fail because of their input (parsing a key,
// signing, generating) throw `CryptoError`. Operations whose only possible
// failure is OpenSSL running out of memory or an internal invariant breaking
// (hashing bytes, exporting a key we hold) trap with OpenSSL's message instead,
// as Swift itself does on allocation failure; that keeps `sha256` non-throwing.

import COpenSSL

/// An error from OpenSSL: a bad key, a key of the wrong type, or a failed operation.
public enum CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The key is of another algorithm than the one asked for (e.g. an EC key given as Ed25519).
    case wrongKeyType(expected: String, found: String)
    /// The input could not be read as a key of the expected kind; `reason` includes OpenSSL's message.
    case invalidKey(kind: String, reason: String)
    /// A raw key or seed has the wrong length.
    case invalidKeyLength(kind: String, expected: Int, actual: Int)
    /// An OpenSSL operation failed; `message` is OpenSSL's error queue.
    case operationFailed(operation: String, message: String)
    /// The key is passphrase-protected and no passphrase was given.
    case passphraseRequired

    /// A message naming what went wrong and what to supply instead.
    public var description: String {
        switch self {
        case let .wrongKeyType(expected, found):
            return "expected an \(expected) key but got a \(found) key; "
                + "generate one with `scrubjay keygen`"
        case let .invalidKey(kind, reason):
            return "could not read \(kind): \(reason)"
        case let .invalidKeyLength(kind, expected, actual):
            return "\(kind) must be \(expected) bytes, got \(actual)"
        case let .operationFailed(operation, message):
            return "\(operation) failed: \(message)"
        case .passphraseRequired:
            return "the key is passphrase-protected (ENCRYPTED PRIVATE KEY); give its passphrase in a file"
        }
    }
}

// MARK: - Hex

/// Lowercase hexadecimal encoding and decoding of bytes.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The lowercase hex string of `bytes`, two characters per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string (either case, no separators), or `nil` if it is not valid hex of even length.
    public static func decode(_ hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

// MARK: - Digests

/// One-shot SHA-256 and HMAC-SHA256.
public enum Digest {
    /// The SHA-256 digest (32 bytes) of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = withContiguousBytes(bytes) { input in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress ?? nonNullEmpty, input.count, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        invariant(ok == 1 && length == 32, "EVP_Digest(SHA-256)")
        return digest
    }

    /// The HMAC-SHA256 (32 bytes) of `message` under `key`.
    public static func hmacSHA256(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 32)
        var length = 0
        let result = withContiguousBytes(key) { keyBytes in
            withContiguousBytes(message) { messageBytes in
                mac.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(
                        nil, "HMAC", nil, "SHA256", nil,
                        keyBytes.baseAddress ?? nonNullEmpty, keyBytes.count,
                        (messageBytes.baseAddress ?? nonNullEmpty).assumingMemoryBound(to: UInt8.self),
                        messageBytes.count, out.baseAddress, out.count, &length)
                }
            }
        }
        invariant(result != nil && length == 32, "EVP_Q_mac(HMAC-SHA256)")
        return mac
    }
}

/// An incremental SHA-256 for data that arrives in chunks (e.g. a large file); not thread-safe.
public final class SHA256Hasher {
    private let context: OpaquePointer

    /// Starts a new SHA-256 computation.
    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalOpenSSL("EVP_MD_CTX_new") }
        self.context = context
        reset()
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Feeds `bytes` into the digest.
    public func update(_ bytes: some Sequence<UInt8>) {
        let ok = withContiguousBytes(bytes) { input in
            EVP_DigestUpdate(context, input.baseAddress ?? nonNullEmpty, input.count)
        }
        invariant(ok == 1, "EVP_DigestUpdate")
    }

    /// Feeds the bytes in `buffer` into the digest.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        let ok = EVP_DigestUpdate(context, buffer.baseAddress ?? nonNullEmpty, buffer.count)
        invariant(ok == 1, "EVP_DigestUpdate")
    }

    /// Returns the SHA-256 (32 bytes) of everything fed so far and resets the hasher for reuse.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        invariant(ok == 1 && length == 32, "EVP_DigestFinal_ex")
        reset()
        return digest
    }

    private func reset() {
        invariant(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex(SHA-256)")
    }
}

// MARK: - Signing keys

/// The signature algorithms Scrubjay signs and verifies with.
public enum SignatureAlgorithm: String, Sendable, CaseIterable, Codable {
    /// Ed25519 (RFC 8032): 64-byte signatures over the message itself (no pre-hash).
    case ed25519
    /// ECDSA over NIST P-256 with SHA-256; signatures are DER (an ASN.1 SEQUENCE of r and s,
    /// 70 to 72 bytes), as OpenSSL and `openssl pkeyutl -digest sha256` write them.
    case p256

    /// The name people know it by ("Ed25519", "ECDSA P-256").
    public var displayName: String {
        switch self {
        case .ed25519: return "Ed25519"
        case .p256: return "ECDSA P-256"
        }
    }
}

/// A private signing key (Ed25519 or ECDSA P-256), readable from and writable to PKCS#8 PEM,
/// optionally passphrase-protected.
///
/// Safety of `@unchecked Sendable`: the wrapped `EVP_PKEY` is never mutated after `init`;
/// each signature uses its own `EVP_MD_CTX`, and OpenSSL 3 allows one `EVP_PKEY` to be used
/// by several threads at once in that way.
public final class PrivateKey: @unchecked Sendable {
    fileprivate let key: OpaquePointer
    public let algorithm: SignatureAlgorithm

    private init(owning key: OpaquePointer, algorithm: SignatureAlgorithm) {
        self.key = key
        self.algorithm = algorithm
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Generates a new random key.
    public static func generate(_ algorithm: SignatureAlgorithm = .ed25519) throws(CryptoError) -> PrivateKey {
        let name = algorithm == .ed25519 ? "ED25519" : "EC"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw .operationFailed(operation: "creating an \(algorithm.displayName) key generator", message: openSSLErrors())
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw .operationFailed(operation: "starting \(algorithm.displayName) key generation", message: openSSLErrors())
        }
        if algorithm == .p256 {
            guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else {
                throw .operationFailed(operation: "choosing the P-256 curve", message: openSSLErrors())
            }
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw .operationFailed(operation: "generating an \(algorithm.displayName) key", message: openSSLErrors())
        }
        return PrivateKey(owning: key, algorithm: algorithm)
    }

    /// The Ed25519 key whose 32-byte secret seed is `ed25519Seed` (the "secret key" of RFC 8032).
    public convenience init(ed25519Seed: some Sequence<UInt8>) throws(CryptoError) {
        let seed = Array(ed25519Seed)
        guard seed.count == 32 else {
            throw .invalidKeyLength(kind: "an Ed25519 seed", expected: 32, actual: seed.count)
        }
        let key = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(scrubjay_evp_pkey_ed25519(), nil, $0.baseAddress, $0.count)
        }
        guard let key else {
            throw .invalidKey(kind: "an Ed25519 seed", reason: openSSLErrors())
        }
        self.init(owning: key, algorithm: .ed25519)
    }

    /// Reads a PEM private key (PKCS#8 `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` with
    /// `passphrase`). Throws `.passphraseRequired` for an encrypted key without a passphrase
    /// (never prompts), and `.wrongKeyType` for a key that is neither Ed25519 nor P-256.
    public convenience init(pem: String, passphrase: [UInt8]? = nil) throws(CryptoError) {
        let encrypted = pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")
        if encrypted && passphrase == nil { throw .passphraseRequired }
        let key = try withMemoryBIO(Array(pem.utf8)) { (bio) throws(CryptoError) -> OpaquePointer in
            let read = withPassphrase(passphrase) { callback, userData in
                PEM_read_bio_PrivateKey(bio, nil, callback, userData)
            }
            guard let key = read else {
                let reason = openSSLErrors()
                if encrypted {
                    throw .invalidKey(kind: "a passphrase-protected PEM private key", reason: "wrong passphrase or damaged key (\(reason))")
                }
                throw .invalidKey(kind: "a PEM private key", reason: reason)
            }
            return key
        }
        let algorithm = try signatureAlgorithm(of: key)
        self.init(owning: key, algorithm: algorithm)
    }

    /// The 32-byte secret seed of an Ed25519 key; nil for other algorithms.
    public var ed25519Seed: [UInt8]? {
        guard algorithm == .ed25519 else { return nil }
        var seed = [UInt8](repeating: 0, count: 32)
        var length = 32
        let ok = seed.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_private_key(key, $0.baseAddress, &length) }
        invariant(ok == 1 && length == 32, "EVP_PKEY_get_raw_private_key")
        return seed
    }

    /// The key as PKCS#8 PEM: `PRIVATE KEY`, or with a non-empty `passphrase`
    /// `ENCRYPTED PRIVATE KEY` (PBES2, AES-256-CBC, PBKDF2 as OpenSSL 3 defaults).
    public func pemRepresentation(passphrase: [UInt8]? = nil) -> String {
        let pem = writeToMemoryBIO("PEM_write_bio_PKCS8PrivateKey") { bio in
            guard let passphrase, !passphrase.isEmpty else {
                return PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil)
            }
            return passphrase.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { c in
                    PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), c.baseAddress, Int32(c.count), nil, nil)
                }
            }
        }
        return String(decoding: pem, as: UTF8.self)
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        do {
            return try PublicKey(derRepresentation: subjectPublicKeyInfoDER(key))
        } catch {
            fatalOpenSSL("d2i_PUBKEY of our own key")
        }
    }

    /// The signature of `message`: 64 bytes for Ed25519; a DER ECDSA signature over the
    /// message's SHA-256 for P-256.
    public func signature(for message: some Sequence<UInt8>) throws(CryptoError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw .operationFailed(operation: "\(algorithm.displayName) signing", message: openSSLErrors())
        }
        defer { EVP_MD_CTX_free(context) }
        // Ed25519 hashes internally: the digest must be NULL.
        let digest = algorithm == .ed25519 ? nil : EVP_sha256()
        guard EVP_DigestSignInit(context, nil, digest, nil, key) == 1 else {
            throw .operationFailed(operation: "starting \(algorithm.displayName) signing", message: openSSLErrors())
        }
        var signature = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(key)))
        var length = signature.count
        let ok = withContiguousBytes(message) { input in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(
                    context, out.baseAddress, &length,
                    (input.baseAddress ?? nonNullEmpty).assumingMemoryBound(to: UInt8.self), input.count)
            }
        }
        guard ok == 1, length > 0, length <= signature.count else {
            throw .operationFailed(operation: "\(algorithm.displayName) signing", message: openSSLErrors())
        }
        return Array(signature.prefix(length))
    }

    /// Same as `signature(for:)`.
    public func sign(_ message: some Sequence<UInt8>) throws(CryptoError) -> [UInt8] {
        try signature(for: message)
    }
}

/// A public key (Ed25519 or ECDSA P-256), readable from and writable to SubjectPublicKeyInfo
/// PEM and DER.
///
/// Safety of `@unchecked Sendable`: the wrapped `EVP_PKEY` is never mutated after `init`;
/// each verification uses its own `EVP_MD_CTX`.
public final class PublicKey: @unchecked Sendable {
    private let key: OpaquePointer
    public let algorithm: SignatureAlgorithm

    private init(owning key: OpaquePointer, algorithm: SignatureAlgorithm) {
        self.key = key
        self.algorithm = algorithm
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The Ed25519 key with these 32 raw bytes (the "public key" of RFC 8032).
    public convenience init(ed25519Raw raw: some Sequence<UInt8>) throws(CryptoError) {
        let raw = Array(raw)
        guard raw.count == 32 else {
            throw .invalidKeyLength(kind: "an Ed25519 public key", expected: 32, actual: raw.count)
        }
        let key = raw.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(scrubjay_evp_pkey_ed25519(), nil, $0.baseAddress, $0.count)
        }
        guard let key else {
            throw .invalidKey(kind: "an Ed25519 public key", reason: openSSLErrors())
        }
        self.init(owning: key, algorithm: .ed25519)
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public convenience init(pem: String) throws(CryptoError) {
        let key = try withMemoryBIO(Array(pem.utf8)) { (bio) throws(CryptoError) -> OpaquePointer in
            guard let key = PEM_read_bio_PUBKEY(bio, nil, refusePassphrase, nil) else {
                throw .invalidKey(kind: "a PEM public key", reason: openSSLErrors())
            }
            return key
        }
        self.init(owning: key, algorithm: try signatureAlgorithm(of: key))
    }

    /// Reads a DER SubjectPublicKeyInfo.
    public convenience init(derRepresentation: some Sequence<UInt8>) throws(CryptoError) {
        let der = Array(derRepresentation)
        var consumed = 0
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let k = d2i_PUBKEY(nil, &cursor, buffer.count)
            if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
            return k
        }
        guard let key else {
            throw .invalidKey(kind: "a DER public key", reason: openSSLErrors())
        }
        guard consumed == der.count else {
            EVP_PKEY_free(key)
            throw .invalidKey(kind: "a DER public key", reason: "\(der.count - consumed) bytes after the key")
        }
        self.init(owning: key, algorithm: try signatureAlgorithm(of: key))
    }

    /// The 32 raw bytes of an Ed25519 key; nil for other algorithms.
    public var ed25519Raw: [UInt8]? {
        guard algorithm == .ed25519 else { return nil }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        let ok = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key, $0.baseAddress, &length) }
        invariant(ok == 1 && length == 32, "EVP_PKEY_get_raw_public_key")
        return raw
    }

    /// The key as DER SubjectPublicKeyInfo (44 bytes for Ed25519, 91 for P-256).
    public var derRepresentation: [UInt8] { subjectPublicKeyInfoDER(key) }

    /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String {
        let pem = writeToMemoryBIO("PEM_write_bio_PUBKEY") { bio in PEM_write_bio_PUBKEY(bio, key) }
        return String(decoding: pem, as: UTF8.self)
    }

    /// `sha256:` and the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: the key id
    /// Scrubjay prints and writes into DSSE signatures (docs/MANIFEST.md).
    public var keyID: String { "sha256:" + Hex.encode(Digest.sha256(derRepresentation)) }

    /// Whether `signature` is a valid signature of `message` by this key (for P-256, a DER
    /// ECDSA signature over the message's SHA-256).
    public func verify(signature: some Sequence<UInt8>, message: some Sequence<UInt8>) -> Bool {
        let signature = Array(signature)
        guard !signature.isEmpty, signature.count <= Int(EVP_PKEY_get_size(key)) else { return false }
        guard let context = EVP_MD_CTX_new() else { fatalOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        let digest = algorithm == .ed25519 ? nil : EVP_sha256()
        guard EVP_DigestVerifyInit(context, nil, digest, nil, key) == 1 else {
            fatalOpenSSL("EVP_DigestVerifyInit(\(algorithm.displayName))")
        }
        let result = withContiguousBytes(message) { input in
            signature.withUnsafeBufferPointer { sig in
                EVP_DigestVerify(
                    context, sig.baseAddress, sig.count,
                    (input.baseAddress ?? nonNullEmpty).assumingMemoryBound(to: UInt8.self), input.count)
            }
        }
        // 1 is valid; 0 is a bad signature; negative is a malformed one. Only 1 verifies.
        ERR_clear_error()
        return result == 1
    }
}

extension PublicKey: Equatable {
    /// Two public keys are equal when their DER encodings are.
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.derRepresentation == rhs.derRepresentation
    }
}

// MARK: - Internals

/// A valid pointer for zero-length inputs (OpenSSL rejects some NULL buffers even with length 0).
private nonisolated(unsafe) let nonNullEmpty = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

/// A PEM passphrase callback that refuses, so an encrypted key fails instead of prompting on the terminal.
private let refusePassphrase: PassphraseCallback = { _, _, _, _ in 0 }

/// OpenSSL's PEM passphrase callback: (buffer, size, writing, user data) -> length or -1.
private typealias PassphraseCallback = @convention(c) (
    UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?
) -> Int32

private func withContiguousBytes<R>(_ bytes: some Sequence<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(bytes).withUnsafeBytes(body)
}

/// The DER SubjectPublicKeyInfo of `key` (private or public: only the public part is written).
private func subjectPublicKeyInfoDER(_ key: OpaquePointer) -> [UInt8] {
    let length = i2d_PUBKEY(key, nil)
    invariant(length > 0, "i2d_PUBKEY")
    var der = [UInt8](repeating: 0, count: Int(length))
    let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
        return i2d_PUBKEY(key, &cursor)
    }
    invariant(written == length, "i2d_PUBKEY")
    return der
}

/// The algorithm of `key`; throws `.wrongKeyType` (and frees `key`) unless it is an Ed25519
/// key or an EC key on P-256.
private func signatureAlgorithm(of key: OpaquePointer) throws(CryptoError) -> SignatureAlgorithm {
    let id = EVP_PKEY_get_id(key)
    if id == scrubjay_evp_pkey_ed25519() { return .ed25519 }
    var found = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
    if id == scrubjay_evp_pkey_ec() {
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        if EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 {
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if group == "prime256v1" || group == "P-256" { return .p256 }
            found = "EC \(group)"
        }
    }
    EVP_PKEY_free(key)
    throw .wrongKeyType(expected: "Ed25519 or ECDSA P-256", found: found)
}

/// Calls `body` with a PEM passphrase callback and its user data: one that hands OpenSSL
/// `passphrase`, or, when there is none, one that refuses (so nothing prompts on a terminal).
private func withPassphrase<R>(_ passphrase: [UInt8]?, _ body: (PassphraseCallback, UnsafeMutableRawPointer?) -> R) -> R {
    guard let passphrase else { return body(refusePassphrase, nil) }
    return passphrase.withUnsafeBufferPointer { bytes in
        var source = scrubjay_passphrase(bytes: bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                         length: Int32(bytes.count))
        return withUnsafeMutablePointer(to: &source) { body(scrubjay_passphrase_callback, UnsafeMutableRawPointer($0)) }
    }
}

private func withMemoryBIO<R>(
    _ bytes: [UInt8], _ body: (OpaquePointer) throws(CryptoError) -> R
) throws(CryptoError) -> R {
    guard bytes.count <= Int(Int32.max) else {
        throw .invalidKey(kind: "a PEM key", reason: "input of \(bytes.count) bytes is too large")
    }
    let bio = bytes.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress ?? nonNullEmpty, Int32($0.count)) }
    guard let bio else {
        throw .operationFailed(operation: "BIO_new_mem_buf", message: openSSLErrors())
    }
    defer { BIO_free(bio) }
    // BIO_new_mem_buf does not copy: `bytes` must outlive `bio`, which it does (both end here).
    return try withExtendedLifetime(bytes) { () throws(CryptoError) -> R in try body(bio) }
}

private func writeToMemoryBIO(_ operation: String, _ write: (OpaquePointer) -> Int32) -> [UInt8] {
    guard let bio = BIO_new(BIO_s_mem()) else { fatalOpenSSL("BIO_new") }
    defer { BIO_free(bio) }
    invariant(write(bio) == 1, operation)
    let pending = Int(BIO_ctrl_pending(bio))
    var out = [UInt8](repeating: 0, count: pending)
    let read = out.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
    invariant(Int(read) == pending, "BIO_read")
    return out
}

/// Drains OpenSSL's thread-local error queue into one message.
private func openSSLErrors() -> String {
    var messages: [String] = []
    var buffer = [CChar](repeating: 0, count: 256)
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        ERR_error_string_n(code, &buffer, buffer.count)
        messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return messages.isEmpty ? "no details from OpenSSL" : messages.joined(separator: "; ")
}

private func invariant(_ condition: Bool, _ operation: String) {
    if !condition { fatalOpenSSL(operation) }
}

private func fatalOpenSSL(_ operation: String) -> Never {
    fatalError("OpenSSL \(operation) failed unexpectedly (out of memory?): \(openSSLErrors())")
}
