import ScrubjayNative

/// Checksums of cryptocurrency wallet addresses (docs/RULES.md, "Validators"): Bitcoin's
/// base58check (P2PKH `1...`, P2SH `3...`) and bech32/bech32m (`bc1...`, BIP 173 and BIP 350),
/// and Ethereum's EIP-55 mixed-case checksum. Each takes the bytes a pattern matched.
extension Validators {
    /// A Bitcoin mainnet address whose checksum holds: base58check with version 0 (`1...`) or
    /// 5 (`3...`) and the first four bytes of the double SHA-256 of the other 21; or a segwit
    /// address, `bc1` and bech32 data whose checksum is bech32 for witness version 0 (a
    /// program of 20 or 32 bytes) and bech32m for versions 1 to 16 (2 to 40 bytes).
    static func bitcoinAddress(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= 3 else { return false }
        if value[0] | 0x20 == UInt8(ascii: "b") { return segwitAddress(value) }
        return base58CheckAddress(value)
    }

    /// Base58 digits: the value of each ASCII byte, 255 for a byte that is none (0, O, I, l).
    static let base58Values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (i, c) in "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// A 25-byte base58check address of version 0 (`1...`) or 5 (`3...`).
    static func base58CheckAddress(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count >= 26, value.count <= 35 else { return false }
        // Leading '1's are leading zero bytes; the rest is one big-endian number.
        var zeros = 0
        while zeros < value.count && value[zeros] == UInt8(ascii: "1") { zeros += 1 }
        var number = [UInt8](repeating: 0, count: 25)
        for c in value[zeros...] {
            var carry = Int(base58Values[Int(c)])
            guard carry < 58 else { return false }
            for k in stride(from: 24, through: 0, by: -1) {
                carry += Int(number[k]) * 58
                number[k] = UInt8(truncatingIfNeeded: carry)
                carry >>= 8
            }
            guard carry == 0 else { return false } // more than 25 bytes
        }
        // The number's own bytes after the zeros the '1's stand for: 25 in all.
        let significant = number.firstIndex(where: { $0 != 0 }).map { 25 - $0 } ?? 0
        guard zeros + significant == 25 else { return false }
        let version = number[0]
        guard (version == 0 && value[0] == UInt8(ascii: "1")) || (version == 5 && value[0] == UInt8(ascii: "3")) else { return false }
        let check = Digest.sha256(Digest.sha256(number[0..<21]))
        return check[0..<4].elementsEqual(number[21..<25])
    }

    /// bech32's 32 characters: the value of each ASCII byte (either case), 255 for none.
    static let bech32Values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (i, c) in "qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
            if c >= 0x61 { table[Int(c - 0x20)] = UInt8(i) }
        }
        return table
    }()

    /// BIP 173's checksum over the human-readable part's expansion and the data.
    static func bech32Polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1FF_FFFF) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    /// A mainnet segwit address (`bc1`, one case throughout) with the checksum its witness
    /// version asks for (BIP 350: bech32 for version 0, bech32m for 1 to 16).
    static func segwitAddress(_ value: UnsafeRawBufferPointer) -> Bool {
        let n = value.count
        // "bc" "1", a witness version, a program of at least two bytes, six checksum characters.
        guard n >= 14, n <= 90, value[0] | 0x20 == UInt8(ascii: "b"), value[1] | 0x20 == UInt8(ascii: "c"),
              value[2] == UInt8(ascii: "1") else { return false }
        let upper = value[0] == UInt8(ascii: "B")
        var values: [UInt8] = [3, 3, 0, 2, 3] // "bc" expanded: high bits, 0, low bits
        values.reserveCapacity(5 + n - 3)
        for c in value[3...] {
            let isLetter = c | 0x20 >= 0x61 && c | 0x20 <= 0x7A
            if isLetter && (c < 0x61) != upper { return false } // mixed case
            let v = bech32Values[Int(c)]
            guard v < 32 else { return false }
            values.append(v)
        }
        let data = values[5..<(values.count - 6)]
        guard let version = data.first, version <= 16 else { return false }
        // The program: the 5-bit groups after the version as bytes, no padding left over.
        var program = 0, acc = 0, bits = 0
        for v in data.dropFirst() {
            acc = (acc << 5 | Int(v)) & 0xFFF
            bits += 5
            if bits >= 8 { bits -= 8; program += 1 }
        }
        guard bits < 5, acc & ((1 << bits) - 1) == 0, program >= 2, program <= 40 else { return false }
        if version == 0 && program != 20 && program != 32 { return false }
        let constant: UInt32 = version == 0 ? 1 : 0x2BC8_30A3
        return bech32Polymod(values) == constant
    }

    /// An Ethereum address, `0x` and 40 hex digits, whose letters are all of one case (no
    /// checksum to check) or whose case is its EIP-55 checksum: a letter is upper case exactly
    /// where the nibble of the Keccak-256 of the lower-case hex is 8 or more.
    static func ethereumAddress(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count == 42, value[0] == UInt8(ascii: "0"), value[1] | 0x20 == UInt8(ascii: "x") else { return false }
        var lower = [UInt8](repeating: 0, count: 40)
        var hasUpper = false, hasLower = false
        for i in 0..<40 {
            let c = value[i + 2]
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): lower[i] = c
            case UInt8(ascii: "a")...UInt8(ascii: "f"): lower[i] = c; hasLower = true
            case UInt8(ascii: "A")...UInt8(ascii: "F"): lower[i] = c | 0x20; hasUpper = true
            default: return false
            }
        }
        guard hasUpper && hasLower else { return true }
        let hash = Keccak256.hash(lower)
        for i in 0..<40 where lower[i] >= UInt8(ascii: "a") {
            let nibble = i & 1 == 0 ? hash[i >> 1] >> 4 : hash[i >> 1] & 0x0F
            let isUpper = value[i + 2] < UInt8(ascii: "a")
            if isUpper != (nibble >= 8) { return false }
        }
        return true
    }
}

/// Keccak-256 as Ethereum uses it (the original Keccak padding, 0x01, not SHA3-256's 0x06):
/// the OpenSSL 3.0 libcrypto the project builds against has no KECCAK-256 digest (3.2 added
/// one), and EIP-55 needs one hash of 40 bytes per checked address.
enum Keccak256 {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// The rotation of lane x + 5y in the ρ step.
    static let rotations: [UInt64] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]

    @inline(__always) static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { n == 0 ? x : (x << n) | (x >> (64 - n)) }

    /// Keccak-f[1600] on the 25 lanes of `a`.
    static func permute(_ a: inout [UInt64]) {
        var c = [UInt64](repeating: 0, count: 5), b = [UInt64](repeating: 0, count: 25)
        for round in 0..<24 {
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] } // θ
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in 0..<5 { a[x + 5 * y] ^= d }
            }
            for x in 0..<5 { // ρ and π
                for y in 0..<5 { b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y]) }
            }
            for y in 0..<5 { // χ
                for x in 0..<5 { a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]) }
            }
            a[0] ^= roundConstants[round] // ι
        }
    }

    /// The 32-byte Keccak-256 of `message` (with `padding` 0x06, SHA3-256's, which the tests
    /// compare with OpenSSL's).
    static func hash(_ message: [UInt8], padding: UInt8 = 0x01) -> [UInt8] {
        let rate = 136
        var state = [UInt64](repeating: 0, count: 25)
        var padded = message
        padded.append(padding)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        for block in stride(from: 0, to: padded.count, by: rate) {
            for lane in 0..<(rate / 8) {
                var w: UInt64 = 0
                for k in 0..<8 { w |= UInt64(padded[block + lane * 8 + k]) << UInt64(8 * k) }
                state[lane] ^= w
            }
            permute(&state)
        }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for lane in 0..<4 { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: state[lane] >> UInt64(8 * k))) } }
        return out
    }
}
