/// Check digits of national identity numbers (docs/RULES.md, "Validators"): each takes the
/// bytes a pattern matched, skips the separators a number is written with (spaces, no-break
/// spaces, dots, dashes) and says whether the check digit or letter is right. None of them
/// makes a String: they run on every candidate the default packs' patterns find.
extension Validators {
    /// The ASCII digits and upper-cased letters of `value`, at most `limit` of them, other
    /// characters skipped; nil when there are more.
    static func significant(_ value: UnsafeRawBufferPointer, limit: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(limit)
        for c in value {
            let u = c >= 0x61 && c <= 0x7A ? c &- 0x20 : c
            guard (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A) else { continue }
            guard out.count < limit else { return nil }
            out.append(u)
        }
        return out
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Spain: a DNI (eight digits) or an NIE (X, Y or Z, for 0, 1 or 2, and seven digits),
    /// then the letter `TRWAGMYFPDXBNJZSQVHLCKE` picks for the number mod 23.
    static func spanishDNI(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 9), c.count == 9 else { return false }
        var n = 0
        switch c[0] {
        case UInt8(ascii: "X"): n = 0
        case UInt8(ascii: "Y"): n = 1
        case UInt8(ascii: "Z"): n = 2
        case let d where isDigit(d): n = Int(d - 0x30)
        default: return false
        }
        for d in c[1..<8] {
            guard isDigit(d) else { return false }
            n = n * 10 + Int(d - 0x30)
        }
        let letters = Array("TRWAGMYFPDXBNJZSQVHLCKE".utf8)
        return c[8] == letters[n % 23]
    }

    /// Italy: a codice fiscale, sixteen characters whose last is the check letter of the
    /// other fifteen (odd positions and even positions weighted by the two tables of the
    /// Ministry of Finance's decree of 1976; digits that stood in for others, "omocodia", count
    /// as the letters they are).
    static func italianFiscalCode(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 16), c.count == 16 else { return false }
        // Odd positions (1st, 3rd...): digits 0-9 and letters A-Z map to these.
        let oddDigits = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
        let oddLetters = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
        var sum = 0
        for (i, ch) in c[0..<15].enumerated() {
            let digit = isDigit(ch)
            let v = digit ? Int(ch - 0x30) : Int(ch - 0x41)
            sum += i % 2 == 0 ? (digit ? oddDigits[v] : oddLetters[v]) : v
        }
        guard !isDigit(c[15]) else { return false }
        return Int(c[15] - 0x41) == sum % 26
    }

    /// France: a NIR (numéro de sécurité sociale), thirteen digits (the department may be 2A
    /// or 2B, Corsica, counted as 19 and 18) and a key of two digits, 97 minus the number
    /// mod 97.
    static func frenchNIR(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 15), c.count == 15 else { return false }
        var n = 0
        for (i, ch) in c[0..<13].enumerated() {
            var d: Int
            if isDigit(ch) {
                d = Int(ch - 0x30)
            } else if i == 6 && c[5] == UInt8(ascii: "2") && (ch == UInt8(ascii: "A") || ch == UInt8(ascii: "B")) {
                // 2A is 19, 2B 18: the 2 already counted becomes a 1, this one a 9 or an 8.
                n -= 1
                d = ch == UInt8(ascii: "A") ? 9 : 8
            } else {
                return false
            }
            n = (n * 10 + d) % 97
        }
        guard isDigit(c[13]), isDigit(c[14]) else { return false }
        let key = Int(c[13] - 0x30) * 10 + Int(c[14] - 0x30)
        return key == 97 - (n % 97 + 97) % 97
    }

    /// The Netherlands: a BSN, nine digits that pass the "elfproef" (weights 9 to 2, and -1
    /// for the last digit; the sum divisible by 11, and not zero).
    static func dutchBSN(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 9), c.count == 9, c.allSatisfy(isDigit) else { return false }
        var sum = 0
        for i in 0..<8 { sum += Int(c[i] - 0x30) * (9 - i) }
        sum -= Int(c[8] - 0x30)
        return sum != 0 && sum % 11 == 0
    }

    /// Poland: a PESEL, eleven digits: a birth date (the month plus 20, 40, 60 or 80 for
    /// other centuries) and a check digit over weights 1 3 7 9.
    static func polishPESEL(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 11), c.count == 11, c.allSatisfy(isDigit) else { return false }
        let d = c.map { Int($0 - 0x30) }
        let month = (d[2] * 10 + d[3]) % 20, day = d[4] * 10 + d[5]
        guard (1...12).contains(month), (1...31).contains(day) else { return false }
        let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
        var sum = 0
        for i in 0..<10 { sum += d[i] * weights[i] }
        return (10 - sum % 10) % 10 == d[10]
    }

    /// Brazil: a CPF, eleven digits whose last two are check digits (mod 11 over weights 10
    /// to 2, then 11 to 2); eleven equal digits are not a CPF.
    static func brazilianCPF(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 11), c.count == 11, c.allSatisfy(isDigit) else { return false }
        let d = c.map { Int($0 - 0x30) }
        guard !d.allSatisfy({ $0 == d[0] }) else { return false }
        for k in [9, 10] {
            var sum = 0
            for i in 0..<k { sum += d[i] * (k + 1 - i) }
            guard sum * 10 % 11 % 10 == d[k] else { return false }
        }
        return true
    }

    /// India: an Aadhaar number, twelve digits, the first 2 to 9, that pass Verhoeff's check.
    static func verhoeff(_ value: UnsafeRawBufferPointer) -> Bool {
        guard let c = significant(value, limit: 12), c.count == 12, c.allSatisfy(isDigit), c[0] >= 0x32 else { return false }
        let multiplication: [[Int]] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
            [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
            [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
            [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
        ]
        let permutation: [[Int]] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
            [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
            [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
        ]
        var check = 0
        for (i, ch) in c.reversed().enumerated() {
            check = multiplication[check][permutation[i % 8][Int(ch - 0x30)]]
        }
        return check == 0
    }
}
