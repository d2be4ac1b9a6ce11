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
        let key = try PrivateKey(ed25519Seed: Hex.decode(Self.rfcSeed)!)
        #expect(key.algorithm == .ed25519)
        #expect(Hex.encode(key.ed25519Seed!) == Self.rfcSeed)
        #expect(Hex.encode(key.publicKey.ed25519Raw!) == Self.rfcPublic)
        let signature = try key.sign([UInt8]())
        #expect(Hex.encode(signature) == Self.rfcSignature)
        let publicKey = try PublicKey(ed25519Raw: Hex.decode(Self.rfcPublic)!)
        #expect(publicKey.verify(signature: signature, message: [UInt8]()))
        #expect(!publicKey.verify(signature: signature, message: [0x00]))
    }

    @Test("sign/verify round trip for both algorithms; tampering fails", arguments: SignatureAlgorithm.allCases)
    func signVerify(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        #expect(key.algorithm == algorithm)
        let message = Array("scrubjay manifest v1".utf8)
        let signature = try key.signature(for: message)
        if algorithm == .ed25519 {
            #expect(signature.count == 64)
        } else {
            #expect(signature.first == 0x30 && (68...72).contains(signature.count), "a DER ECDSA signature")
        }
        let publicKey = key.publicKey
        #expect(publicKey.algorithm == algorithm)
        #expect(publicKey.verify(signature: signature, message: message))
        var tamperedMessage = message
        tamperedMessage[0] ^= 1
        #expect(!publicKey.verify(signature: signature, message: tamperedMessage))
        var tamperedSignature = signature
        tamperedSignature[10] ^= 1
        #expect(!publicKey.verify(signature: tamperedSignature, message: message))
        #expect(!publicKey.verify(signature: signature.dropLast(), message: message))
        #expect(!publicKey.verify(signature: [UInt8](), message: message))
        let otherKey = try PrivateKey.generate(algorithm).publicKey
        #expect(otherKey != publicKey)
        #expect(!otherKey.verify(signature: signature, message: message))
    }

    @Test("PEM and DER round trips; the key id is the SHA-256 of the DER public key")
    func pemRoundTrip() throws {
        let key = try PrivateKey(ed25519Seed: Hex.decode(Self.rfcSeed)!)
        let pem = key.pemRepresentation()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reloaded = try PrivateKey(pem: pem)
        #expect(reloaded.ed25519Seed == key.ed25519Seed)

        let publicPEM = key.publicKey.pemRepresentation
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let publicKey = try PublicKey(pem: publicPEM)
        #expect(Hex.encode(publicKey.ed25519Raw!) == Self.rfcPublic)
        let der = publicKey.derRepresentation
        #expect(Hex.encode(der) == "302a300506032b6570032100" + Self.rfcPublic)
        #expect(try PublicKey(derRepresentation: der) == publicKey)
        #expect(publicKey.keyID == "sha256:" + Hex.encode(Digest.sha256(der)))

        let ec = try PrivateKey.generate(.p256)
        let ecPEM = ec.pemRepresentation()
        #expect(ecPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8, not SEC1")
        #expect(try PrivateKey(pem: ecPEM).publicKey == ec.publicKey)
        #expect(ec.publicKey.derRepresentation.count == 91)
        #expect(ec.ed25519Seed == nil && ec.publicKey.ed25519Raw == nil)
    }

    @Test("passphrase-protected PKCS#8 keys: read with the passphrase, a clear error without or with a wrong one",
          arguments: SignatureAlgorithm.allCases)
    func passphrase(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let secret = Array("correct horse battery staple".utf8)
        let pem = key.pemRepresentation(passphrase: secret)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(try PrivateKey(pem: pem, passphrase: secret).publicKey == key.publicKey)
        #expect(throws: CryptoError.passphraseRequired) { _ = try PrivateKey(pem: pem) }
        #expect {
            _ = try PrivateKey(pem: pem, passphrase: Array("wrong".utf8))
        } throws: { error in
            String(describing: error).contains("wrong passphrase")
        }
        // The openssl tool reads what we write with the same passphrase.
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try Data(secret).write(to: URL(fileURLWithPath: dir.path + "/pass"))
        let tool = try runTool("openssl", ["pkey", "-passin", "file:\(dir.path)/pass", "-pubout"], input: Data(pem.utf8))
        try #require(tool.status == 0, "openssl failed: \(tool.stderr)")
        #expect(tool.text == key.publicKey.pemRepresentation)
    }

    @Test("keys made by the openssl tool load; signatures verify with openssl")
    func opensslInterop() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (algorithm, args) in [(SignatureAlgorithm.ed25519, ["-algorithm", "ed25519"]),
                                  (.p256, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])] {
            let generated = try runTool("openssl", ["genpkey"] + args)
            try #require(generated.status == 0, "openssl failed: \(generated.stderr)")
            let key = try PrivateKey(pem: generated.text)
            #expect(key.algorithm == algorithm)
            let publicFromTool = try runTool("openssl", ["pkey", "-pubout"], input: generated.stdout)
            try #require(publicFromTool.status == 0)
            #expect(try PublicKey(pem: publicFromTool.text) == key.publicKey)
            #expect(publicFromTool.text == key.publicKey.pemRepresentation)

            let message = Array("DSSEv1 4 type 5 hello".utf8)
            try Data(message).write(to: URL(fileURLWithPath: dir.path + "/msg"))
            try Data(try key.sign(message)).write(to: URL(fileURLWithPath: dir.path + "/sig"))
            try Data(key.publicKey.pemRepresentation.utf8).write(to: URL(fileURLWithPath: dir.path + "/pub.pem"))
            let digest = algorithm == .p256 ? ["-digest", "sha256"] : []
            let verified = try runTool("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", dir.path + "/pub.pem", "-rawin"]
                                       + digest + ["-in", dir.path + "/msg", "-sigfile", dir.path + "/sig"])
            #expect(verified.status == 0, "openssl pkeyutl -verify (\(algorithm)): \(verified.text) \(verified.stderr)")
        }
    }

    @Test("keys on other curves or of other types are rejected as the wrong type")
    func wrongKeyType() throws {
        let ec = try runTool("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        try #require(ec.status == 0, "openssl failed: \(ec.stderr)")
        #expect(throws: CryptoError.wrongKeyType(expected: "Ed25519 or ECDSA P-256", found: "EC secp384r1")) {
            _ = try PrivateKey(pem: ec.text)
        }
        let ecPublic = try runTool("openssl", ["pkey", "-pubout"], input: ec.stdout)
        try #require(ecPublic.status == 0)
        #expect(throws: CryptoError.wrongKeyType(expected: "Ed25519 or ECDSA P-256", found: "EC secp384r1")) {
            _ = try PublicKey(pem: ecPublic.text)
        }
        let x448 = try runTool("openssl", ["genpkey", "-algorithm", "ed448"])
        try #require(x448.status == 0)
        #expect(throws: CryptoError.wrongKeyType(expected: "Ed25519 or ECDSA P-256", found: "ED448")) {
            _ = try PrivateKey(pem: x448.text)
        }
        let message = String(describing: CryptoError.wrongKeyType(expected: "Ed25519 or ECDSA P-256", found: "ED448"))
        #expect(message.contains("expected an Ed25519 or ECDSA P-256 key but got a ED448 key"))
    }

    @Test("garbage, public-for-private and bad lengths are clear errors")
    func invalidKeys() throws {
        #expect {
            _ = try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
        } throws: { error in
            guard case CryptoError.invalidKey(let kind, _) = error else { return false }
            return kind == "a PEM private key"
        }
        let publicPEM = try PrivateKey.generate().publicKey.pemRepresentation
        #expect(throws: CryptoError.self) { _ = try PrivateKey(pem: publicPEM) }
        #expect(throws: CryptoError.invalidKeyLength(kind: "an Ed25519 seed", expected: 32, actual: 31)) {
            _ = try PrivateKey(ed25519Seed: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.self) { _ = try PublicKey(derRepresentation: [0x30, 0x00]) }
    }
}
