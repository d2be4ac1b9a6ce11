import Foundation
import Testing
@testable import ScrubjayRules

/// Wallet addresses (CryptoAddressValidators.swift): published valid addresses pass, and every
/// change of one character to another of its alphabet fails.
@Suite("Wallet address checksums")
struct CryptoAddressValidatorTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Keccak-256 as Ethereum uses it, and its permutation checked against SHA3-256 (the same
    /// sponge with another padding) over more than one block.
    @Test func keccak256() {
        #expect(Self.hex(Keccak256.hash([])) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Self.hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        #expect(Self.hex(Keccak256.hash([], padding: 0x06)) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        #expect(Self.hex(Keccak256.hash(Array("abc".utf8), padding: 0x06)) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        #expect(Self.hex(Keccak256.hash([UInt8](repeating: 0x61, count: 200), padding: 0x06)) == "cce34485baf2bf2aca99b94833892a4f52896d3d153f7b840cc4f9fe695f1387")
    }

    /// `address` with the character at `i` replaced by the next one of `alphabet`.
    static func corrupted(_ address: String, at i: Int, alphabet: String) -> String {
        var chars = Array(address)
        let letters = Array(alphabet)
        let k = letters.firstIndex(of: chars[i]) ?? 0
        chars[i] = letters[(k + 1) % letters.count]
        return String(chars)
    }

    @Test func bitcoin() {
        let base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        let valid = [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", // the genesis block's
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", // P2SH (BIP 13)
            "1111111111111111111114oLvT2", // hash160 of zeros
        ]
        var checked = 0
        for a in valid {
            #expect(Validators.check(.bitcoin_address, a, minEntropy: 0), "\(a)")
            for i in 1..<a.count {
                let bad = Self.corrupted(a, at: i, alphabet: base58)
                #expect(!Validators.check(.bitcoin_address, bad, minEntropy: 0), "\(bad)")
                checked += 1
            }
        }
        let segwit = [
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", // BIP 173, P2WPKH
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", // P2WSH
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", // BIP 350, taproot
        ]
        for a in segwit {
            #expect(Validators.check(.bitcoin_address, a, minEntropy: 0), "\(a)")
            let upper = a.first == "B"
            let alphabet = upper ? "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" : "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
            for i in 3..<a.count {
                let bad = Self.corrupted(a, at: i, alphabet: alphabet)
                #expect(!Validators.check(.bitcoin_address, bad, minEntropy: 0), "\(bad)")
                checked += 1
            }
        }
        #expect(checked > 250)
        let invalid = [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN", // a character short
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa1", // one more
            "11A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", // a zero byte more
            "2A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", // 0 is no base58 digit
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", // version 1 with a bech32 checksum (BIP 350)
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", // version 0 with a bech32m checksum (BIP 350)
            "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", // mixed case
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", // testnet
            "bc1", "",
        ]
        for a in invalid { #expect(!Validators.check(.bitcoin_address, a, minEntropy: 0), "\(a)") }
    }

    @Test func ethereumEIP55() {
        // EIP-55's own examples.
        let valid = [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ]
        var checked = 0
        for a in valid {
            #expect(Validators.check(.ethereum_address, a, minEntropy: 0), "\(a)")
            // One case: no checksum, nothing to check.
            #expect(Validators.check(.ethereum_address, a.lowercased(), minEntropy: 0))
            #expect(Validators.check(.ethereum_address, "0x" + a.dropFirst(2).uppercased(), minEntropy: 0))
            let chars = Array(a)
            for i in 2..<chars.count {
                var c = chars
                // A letter in the other case; a digit changed to the next one.
                if c[i].isLetter { c[i] = c[i].isUppercase ? Character(c[i].lowercased()) : Character(c[i].uppercased()) }
                else { c[i] = c[i] == "9" ? "0" : Character(String(c[i].wholeNumberValue! + 1)) }
                #expect(!Validators.check(.ethereum_address, String(c), minEntropy: 0), "\(String(c))")
                checked += 1
            }
        }
        #expect(checked == 160)
        for a in ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                  "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"] {
            #expect(!Validators.check(.ethereum_address, a, minEntropy: 0), "\(a)")
        }
    }
}
