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

    /// A message naming what went wrong and what to supply instead.
    public var description: String {
        switch self {
        case let .wrongKeyType(expected, found):
            return "expected an \(expected) key but got a \(found) key; "
                + "generate one with `openssl genpkey -algorithm \(expected.uppercased())`"
        case let .invalidKey(kind, reason):
            return "could not read \(kind): \(reason)"
        case let .invalidKeyLength(kind, expected, actual):
            return "\(kind) must be \(expected) bytes, got \(actual)"
        case let .operationFailed(operation, message):
            return "\(operation) failed: \(message)"
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

// MARK: - Ed25519

/// An Ed25519 private key (RFC 8032), readable from and writable to PKCS#8 PEM.
///
/// Safety of `@unchecked Sendable`: the wrapped `EVP_PKEY` is never mutated
/// after `init`; each signature uses its own `EVP_MD_CTX`, and OpenSSL 3
/// allows one `EVP_PKEY` to be used by several threads at once in that way.
public final class Ed25519PrivateKey: @unchecked Sendable {
    fileprivate let key: OpaquePointer

    private init(owning key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Generates a new random key.
    public static func generate() throws(CryptoError) -> Ed25519PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil) else {
            throw .operationFailed(operation: "creating an Ed25519 key generator", message: openSSLErrors())
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw .operationFailed(operation: "starting Ed25519 key generation", message: openSSLErrors())
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw .operationFailed(operation: "generating an Ed25519 key", message: openSSLErrors())
        }
        return Ed25519PrivateKey(owning: key)
    }

    /// Creates the key whose 32-byte secret seed is `rawSeed` (the "secret key" of RFC 8032).
    public convenience init(rawSeed: some Sequence<UInt8>) throws(CryptoError) {
        let seed = Array(rawSeed)
        guard seed.count == 32 else {
            throw .invalidKeyLength(kind: "an Ed25519 seed", expected: 32, actual: seed.count)
        }
        let key = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(scrubjay_evp_pkey_ed25519(), nil, $0.baseAddress, $0.count)
        }
        guard let key else {
            throw .invalidKey(kind: "an Ed25519 seed", reason: openSSLErrors())
        }
        self.init(owning: key)
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`); throws `.wrongKeyType` for a non-Ed25519 key.
    ///
    /// Encrypted PEM is refused (no passphrase prompt).
    public convenience init(pem: String) throws(CryptoError) {
        let key = try withMemoryBIO(Array(pem.utf8)) { (bio) throws(CryptoError) -> OpaquePointer in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, nil) else {
                throw .invalidKey(kind: "a PEM private key", reason: openSSLErrors())
            }
            return key
        }
        try requireEd25519(key)
        self.init(owning: key)
    }

    /// The 32-byte secret seed.
    public var rawSeed: [UInt8] {
        var seed = [UInt8](repeating: 0, count: 32)
        var length = 32
        let ok = seed.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_private_key(key, $0.baseAddress, &length) }
        invariant(ok == 1 && length == 32, "EVP_PKEY_get_raw_private_key")
        return seed
    }

    /// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pemRepresentation: String {
        let pem = writeToMemoryBIO("PEM_write_bio_PrivateKey") { bio in
            PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil)
        }
        return String(decoding: pem, as: UTF8.self)
    }

    /// The matching public key.
    public var publicKey: Ed25519PublicKey {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        let ok = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key, $0.baseAddress, &length) }
        invariant(ok == 1 && length == 32, "EVP_PKEY_get_raw_public_key")
        do {
            return try Ed25519PublicKey(rawRepresentation: raw)
        } catch {
            fatalOpenSSL("EVP_PKEY_new_raw_public_key")
        }
    }

    /// The 64-byte Ed25519 signature of `message`.
    public func signature(for message: some Sequence<UInt8>) throws(CryptoError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw .operationFailed(operation: "Ed25519 signing", message: openSSLErrors())
        }
        defer { EVP_MD_CTX_free(context) }
        // Ed25519 hashes internally: the digest must be NULL.
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
            throw .operationFailed(operation: "starting Ed25519 signing", message: openSSLErrors())
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let ok = withContiguousBytes(message) { input in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(
                    context, out.baseAddress, &length,
                    (input.baseAddress ?? nonNullEmpty).assumingMemoryBound(to: UInt8.self), input.count)
            }
        }
        guard ok == 1, length == 64 else {
            throw .operationFailed(operation: "Ed25519 signing", message: openSSLErrors())
        }
        return signature
    }

    /// The 64-byte Ed25519 signature of `message`; same as `signature(for:)`.
    public func sign(_ message: some Sequence<UInt8>) throws(CryptoError) -> [UInt8] {
        try signature(for: message)
    }
}

/// An Ed25519 public key (RFC 8032), readable from and writable to SubjectPublicKeyInfo PEM/DER.
///
/// Safety of `@unchecked Sendable`: the wrapped `EVP_PKEY` is never mutated
/// after `init`; each verification uses its own `EVP_MD_CTX`.
public final class Ed25519PublicKey: @unchecked Sendable {
    private let key: OpaquePointer

    private init(owning key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Creates the key from its 32 raw bytes (the "public key" of RFC 8032).
    public convenience init(rawRepresentation: some Sequence<UInt8>) throws(CryptoError) {
        let raw = Array(rawRepresentation)
        guard raw.count == 32 else {
            throw .invalidKeyLength(kind: "an Ed25519 public key", expected: 32, actual: raw.count)
        }
        let key = raw.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(scrubjay_evp_pkey_ed25519(), nil, $0.baseAddress, $0.count)
        }
        guard let key else {
            throw .invalidKey(kind: "an Ed25519 public key", reason: openSSLErrors())
        }
        self.init(owning: key)
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`); throws `.wrongKeyType` for a non-Ed25519 key.
    public convenience init(pem: String) throws(CryptoError) {
        let key = try withMemoryBIO(Array(pem.utf8)) { (bio) throws(CryptoError) -> OpaquePointer in
            guard let key = PEM_read_bio_PUBKEY(bio, nil, refusePassphrase, nil) else {
                throw .invalidKey(kind: "a PEM public key", reason: openSSLErrors())
            }
            return key
        }
        try requireEd25519(key)
        self.init(owning: key)
    }

    /// Reads a DER SubjectPublicKeyInfo; throws `.wrongKeyType` for a non-Ed25519 key.
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
        try requireEd25519(key)
        self.init(owning: key)
    }

    /// The 32 raw key bytes.
    public var rawRepresentation: [UInt8] {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        let ok = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key, $0.baseAddress, &length) }
        invariant(ok == 1 && length == 32, "EVP_PKEY_get_raw_public_key")
        return raw
    }

    /// The key as DER SubjectPublicKeyInfo (44 bytes for Ed25519).
    public var derRepresentation: [UInt8] {
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

    /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String {
        let pem = writeToMemoryBIO("PEM_write_bio_PUBKEY") { bio in PEM_write_bio_PUBKEY(bio, key) }
        return String(decoding: pem, as: UTF8.self)
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` by this key.
    public func verify(signature: some Sequence<UInt8>, message: some Sequence<UInt8>) -> Bool {
        let signature = Array(signature)
        guard signature.count == 64 else { return false }
        guard let context = EVP_MD_CTX_new() else { fatalOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            fatalOpenSSL("EVP_DigestVerifyInit(Ed25519)")
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

extension Ed25519PublicKey: Equatable {
    /// Two public keys are equal when their raw bytes are.
    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }
}

// MARK: - Internals

/// A valid pointer for zero-length inputs (OpenSSL rejects some NULL buffers even with length 0).
private nonisolated(unsafe) let nonNullEmpty = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

/// A PEM passphrase callback that refuses, so an encrypted key fails instead of prompting on the terminal.
private let refusePassphrase: @convention(c) (
    UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?
) -> Int32 = { _, _, _, _ in 0 }

private func withContiguousBytes<R>(_ bytes: some Sequence<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(bytes).withUnsafeBytes(body)
}

/// Throws `.wrongKeyType` (and frees `key`) unless `key` is an Ed25519 key.
private func requireEd25519(_ key: OpaquePointer) throws(CryptoError) {
    guard EVP_PKEY_get_id(key) == scrubjay_evp_pkey_ed25519() else {
        let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
        EVP_PKEY_free(key)
        throw .wrongKeyType(expected: "Ed25519", found: name)
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
