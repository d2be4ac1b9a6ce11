import Foundation
import Testing
import ScrubjayNative
@testable import ScrubjayProvenance

@Suite("DSSE envelopes")
struct DSSETests {
    @Test("the DSSE spec's PAE test vector")
    func paeVector() {
        let pae = DSSE.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test("a signature that only claims a key's id does not count as that key's: the key still signs (sign would otherwise say it had)")
    func claimedKeyidDoesNotBlockSigning() throws {
        let officer = try PrivateKey.generate()
        var envelope = DSSEEnvelope(payload: Array("{}".utf8), payloadType: "application/vnd.in-toto+json")
        envelope.signatures = [.init(keyid: officer.publicKey.keyID, sig: Data(repeating: 7, count: 64).base64EncodedString())]
        #expect(try envelope.sign(with: officer), "a forged claim of the officer's id blocked the officer's signature")
        #expect(envelope.signatures.contains { $0.keyid == officer.publicKey.keyID && envelope.isValid($0, by: officer.publicKey) })
        // A real signature by the key: signing again changes nothing.
        #expect(try !envelope.sign(with: officer))
    }

    @Test("LEN is the byte length, not the character count")
    func paeCountsBytes() {
        let pae = DSSE.pae(payloadType: "t/é", payload: Array("ü".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 4 t/é 2 ü")
    }

    @Test("sign, encode, decode and verify, for both algorithms; a second key co-signs; one key signs once",
          arguments: SignatureAlgorithm.allCases)
    func roundTrip(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        var envelope = DSSEEnvelope(payload: Array("{\"a\":1}".utf8), payloadType: "application/vnd.in-toto+json")
        #expect(try envelope.sign(with: key))
        #expect(try !envelope.sign(with: key))
        let other = try PrivateKey.generate(.ed25519)
        #expect(try envelope.sign(with: other))
        let decoded = try DSSEEnvelope.decode(try envelope.encoded(), source: "test")
        #expect(decoded == envelope)
        #expect(decoded.signatures.map(\.keyid) == [key.publicKey.keyID, other.publicKey.keyID])
        #expect(decoded.isValid(decoded.signatures[0], by: key.publicKey))
        #expect(decoded.isValid(decoded.signatures[1], by: other.publicKey))
        #expect(!decoded.isValid(decoded.signatures[0], by: other.publicKey))
        var tampered = decoded
        tampered.payload = Data("{\"a\":2}".utf8).base64EncodedString()
        #expect(!tampered.isValid(tampered.signatures[0], by: key.publicKey))
        tampered = decoded
        tampered.payloadType = "application/json"
        #expect(!tampered.isValid(tampered.signatures[0], by: key.publicKey), "the type is signed too")
    }

    @Test("the table base64 decoder agrees with Foundation on every length, padded or not, either alphabet; and refuses what is not base64")
    func base64AgreesWithFoundation() {
        var g = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
            let padded = Data(bytes).base64EncodedString()
            #expect(DSSE.decodeBase64(padded) == bytes)
            let unpadded = String(padded.drop { _ in false }.filter { $0 != "=" })
            #expect(DSSE.decodeBase64(unpadded) == bytes)
            let urlSafe = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            #expect(DSSE.decodeBase64(urlSafe) == bytes)
        }
        for bad in ["A", "AB=C", "====", "AB==C", "A===", "ABC=D", "AB CD", "ABCD\n", "ÄBCD", "AB=="+"AB"] {
            #expect(DSSE.decodeBase64(bad) == nil, "\(bad)")
        }
        #expect(DSSE.decodeBase64("") == [])
    }

    @Test("URL-safe and unpadded base64 are read; garbage is an error naming the file")
    func decoding() throws {
        #expect(DSSE.decodeBase64("_-8") == [0xFF, 0xEF])
        #expect(DSSE.decodeBase64("/+8=") == [0xFF, 0xEF])
        #expect(DSSE.decodeBase64("%%%") == nil)
        #expect {
            _ = try DSSEEnvelope.decode(Array("{\"payload\":\"\"}".utf8), source: "pkg.zip: redaction/statement.dsse.json")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("pkg.zip: redaction/statement.dsse.json") && text.contains("payloadType")
        }
    }
}
