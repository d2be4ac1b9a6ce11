import Foundation
import Testing
@testable import ScrubjayNative

@Suite("Crypto")
struct CryptoTests {
    @Test("SHA-256 FIPS 180-2 vectors")
    func sha256Vectors() {
        #expect(Hex.encode(Digest.sha256(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha256([UInt8]()))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(Digest.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("incremental hashing over chunks equals one-shot, and finalize resets")
    func incremental() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = Digest.sha256(data)
        let hasher = SHA256Hasher()
        var index = 0
        for size in [1, 7, 0, 4096, 65_536, 3] {
            let end = min(data.count, index + size)
            hasher.update(data[index..<end])
            index = end
        }
        data[index...].withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalize() == expected)
        hasher.update("abc".utf8)
        #expect(Hex.encode(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("HMAC-SHA256 RFC 4231 test cases 1 and 2")
    func hmac() {
        #expect(Hex.encode(Digest.hmacSHA256(key: [UInt8](repeating: 0x0B, count: 20), message: "Hi There".utf8))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(Digest.hmacSHA256(key: "Jefe".utf8, message: "what do ya want for nothing?".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("hex encode and decode")
    func hex() {
        #expect(Hex.encode([0x00, 0x0F, 0xAB, 0xFF]) == "000fabff")
        #expect(Hex.decode("000FabfF") == [0x00, 0x0F, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    static let rfcSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfcPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let rfcSignature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
        + "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    @Test("Ed25519 RFC 8032 test vector 1")
    func ed25519Vector() throws {
        let key = try Ed25519PrivateKey(rawSeed: Hex.decode(Self.rfcSeed)!)
        #expect(Hex.encode(key.rawSeed) == Self.rfcSeed)
        #expect(Hex.encode(key.publicKey.rawRepresentation) == Self.rfcPublic)
        let signature = try key.sign([UInt8]())
        #expect(Hex.encode(signature) == Self.rfcSignature)
        let publicKey = try Ed25519PublicKey(rawRepresentation: Hex.decode(Self.rfcPublic)!)
        #expect(publicKey.verify(signature: signature, message: [UInt8]()))
        #expect(!publicKey.verify(signature: signature, message: [0x00]))
    }

    @Test("sign/verify round trip; tampering fails")
    func signVerify() throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("scrubjay manifest v1".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == 64)
        let publicKey = key.publicKey
        #expect(publicKey.verify(signature: signature, message: message))
        var tamperedMessage = message
        tamperedMessage[0] ^= 1
        #expect(!publicKey.verify(signature: signature, message: tamperedMessage))
        var tamperedSignature = signature
        tamperedSignature[10] ^= 1
        #expect(!publicKey.verify(signature: tamperedSignature, message: message))
        #expect(!publicKey.verify(signature: signature.dropLast(), message: message))
        let otherKey = try Ed25519PrivateKey.generate().publicKey
        #expect(otherKey != publicKey)
        #expect(!otherKey.verify(signature: signature, message: message))
    }

    @Test("PEM and DER round trips")
    func pemRoundTrip() throws {
        let key = try Ed25519PrivateKey(rawSeed: Hex.decode(Self.rfcSeed)!)
        let pem = key.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reloaded = try Ed25519PrivateKey(pem: pem)
        #expect(reloaded.rawSeed == key.rawSeed)

        let publicPEM = key.publicKey.pemRepresentation
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let publicKey = try Ed25519PublicKey(pem: publicPEM)
        #expect(Hex.encode(publicKey.rawRepresentation) == Self.rfcPublic)
        let der = publicKey.derRepresentation
        #expect(Hex.encode(der) == "302a300506032b6570032100" + Self.rfcPublic)
        #expect(try Ed25519PublicKey(derRepresentation: der) == publicKey)
    }

    @Test("keys made by the openssl tool load; signatures verify with openssl")
    func opensslInterop() throws {
        let generated = try runTool("openssl", ["genpkey", "-algorithm", "ed25519"])
        try #require(generated.status == 0, "openssl failed: \(generated.stderr)")
        let key = try Ed25519PrivateKey(pem: generated.text)
        let publicFromTool = try runTool("openssl", ["pkey", "-pubout"], input: generated.stdout)
        try #require(publicFromTool.status == 0)
        #expect(try Ed25519PublicKey(pem: publicFromTool.text) == key.publicKey)
        #expect(publicFromTool.text == key.publicKey.pemRepresentation)
    }

    @Test("an EC P-256 key is rejected as the wrong type")
    func wrongKeyType() throws {
        let ec = try runTool("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        try #require(ec.status == 0, "openssl failed: \(ec.stderr)")
        #expect(throws: CryptoError.wrongKeyType(expected: "Ed25519", found: "EC")) {
            _ = try Ed25519PrivateKey(pem: ec.text)
        }
        let ecPublic = try runTool("openssl", ["pkey", "-pubout"], input: ec.stdout)
        try #require(ecPublic.status == 0)
        #expect(throws: CryptoError.wrongKeyType(expected: "Ed25519", found: "EC")) {
            _ = try Ed25519PublicKey(pem: ecPublic.text)
        }
        let message = String(describing: CryptoError.wrongKeyType(expected: "Ed25519", found: "EC"))
        #expect(message.contains("expected an Ed25519 key but got a EC key"))
    }

    @Test("garbage, public-for-private and bad lengths are clear errors")
    func invalidKeys() throws {
        #expect {
            _ = try Ed25519PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
        } throws: { error in
            guard case CryptoError.invalidKey(let kind, _) = error else { return false }
            return kind == "a PEM private key"
        }
        let publicPEM = try Ed25519PrivateKey.generate().publicKey.pemRepresentation
        #expect(throws: CryptoError.self) { _ = try Ed25519PrivateKey(pem: publicPEM) }
        #expect(throws: CryptoError.invalidKeyLength(kind: "an Ed25519 seed", expected: 32, actual: 31)) {
            _ = try Ed25519PrivateKey(rawSeed: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.self) { _ = try Ed25519PublicKey(derRepresentation: [0x30, 0x00]) }
    }
}
