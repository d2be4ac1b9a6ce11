import Foundation

/// The checks a pattern match must pass before it counts (docs/RULES.md, "Validators").
public enum Validators {
    /// Runs `kind` on `value`.
    public static func check(_ kind: ValidatorKind, _ value: String, minEntropy: Double) -> Bool {
        var value = value
        return value.withUTF8 { check(kind, UnsafeRawBufferPointer($0), minEntropy: minEntropy) }
    }

    /// Runs `kind` on the UTF-8 bytes `value` (the rule engine's path: no String per match,
    /// except for `jwt`, whose header is decoded).
    public static func check(_ kind: ValidatorKind, _ value: UnsafeRawBufferPointer, minEntropy: Double) -> Bool {
        switch kind {
        case .luhn: return luhn(value)
        case .iban: return iban(value)
        case .us_ssn: return usSSN(value)
        case .ip: return ipv4(value) || ipv6(value)
        case .jwt: return jwt(String(decoding: value, as: UTF8.self))
        case .entropy: return shannonEntropy(value) >= minEntropy
        case .es_dni: return spanishDNI(value)
        case .it_fiscal_code: return italianFiscalCode(value)
        case .fr_nir: return frenchNIR(value)
        case .nl_bsn: return dutchBSN(value)
        case .pl_pesel: return polishPESEL(value)
        case .br_cpf: return brazilianCPF(value)
        case .verhoeff: return verhoeff(value)
        case .bitcoin_address: return bitcoinAddress(value)
        case .ethereum_address: return ethereumAddress(value)
        }
    }

    /// The Luhn checksum over the digits of `value` (other characters ignored); needs 2+ digits.
    public static func luhn(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { luhn(UnsafeRawBufferPointer($0)) }
    }

    /// The length of `value` without its last group of digits (three at most) and the
    /// separator before it (a space, a no-break space or a dash), when that holds 13 digits or
    /// more, as a card number does, and passes the Luhn checksum; nil otherwise.
    static func luhnWithoutLastGroup(_ value: UnsafeRawBufferPointer) -> Int? {
        var end = value.count
        while end > 0 && value[end - 1] >= 0x30 && value[end - 1] <= 0x39 { end -= 1 }
        guard end > 0, end < value.count, value.count - end <= 3 else { return nil }
        // The separator: one byte, or a no-break space or dash of two or three.
        var cut = end - 1
        while cut > 0 && value[cut] & 0xC0 == 0x80 { cut -= 1 }
        let head = UnsafeRawBufferPointer(rebasing: value[..<cut])
        guard head.reduce(0, { $0 + ($1 >= 0x30 && $1 <= 0x39 ? 1 : 0) }) >= 13, luhn(head) else { return nil }
        return cut
    }

    static func luhn(_ value: UnsafeRawBufferPointer) -> Bool {
        var sum = 0, count = 0
        // From the last digit: every second one doubled.
        for c in value.reversed() where c >= 0x30 && c <= 0x39 {
            let d = Int(c &- 0x30)
            if count & 1 == 1 { let x = d * 2; sum += x > 9 ? x - 9 : x } else { sum += d }
            count += 1
        }
        return count >= 2 && sum % 10 == 0
    }

    /// IBAN lengths per country (ISO 13616 registry).
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
        "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
        "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
        "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
        "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    /// `ibanLengths` by country code (index: first letter × 26 + second; 0 for no country).
    static let ibanLengthTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 26 * 26)
        for (code, length) in ibanLengths {
            let b = Array(code.utf8)
            table[Int(b[0] - 0x41) * 26 + Int(b[1] - 0x41)] = UInt8(length)
        }
        return table
    }()

    /// ISO 13616: a known country, its length, and mod-97 = 1. Spaces (no-break ones too,
    /// U+00A0 and U+202F) and hyphens are ignored, letters are taken in either case.
    public static func iban(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { iban(UnsafeRawBufferPointer($0)) }
    }

    static func iban(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // The characters that count, upper-cased; an IBAN has at most 34.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 34) { chars in
            var n = 0, i = 0
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                if c == 0x20 || c == 0x2D { continue }
                // U+00A0 (C2 A0) and U+202F (E2 80 AF): no-break spaces between groups.
                if c == 0xC2, i < bytes.count, bytes[i] == 0xA0 { i += 1; continue }
                if c == 0xE2, i + 1 < bytes.count, bytes[i] == 0x80, bytes[i + 1] == 0xAF { i += 2; continue }
                let u = c >= 0x61 && c <= 0x7A ? c &- 0x20 : c
                guard (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A), n < 34 else { return false }
                chars[n] = u
                n += 1
            }
            guard n >= 15, chars[0] >= 0x41, chars[1] >= 0x41,
                  Int(ibanLengthTable[Int(chars[0] - 0x41) * 26 + Int(chars[1] - 0x41)]) == n,
                  chars[2] <= 0x39, chars[3] <= 0x39 else { return false }
            var remainder = 0
            // The first four characters moved to the end.
            for k in 0..<n {
                let c = chars[(k + 4) % n]
                if c <= 0x39 {
                    remainder = (remainder * 10 + Int(c - 0x30)) % 97
                } else {
                    remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
                }
            }
            return remainder == 1
        }
    }

    /// US SSN: nine digits; area not 000, 666 or 9xx; group not 00; serial not 0000.
    public static func usSSN(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { usSSN(UnsafeRawBufferPointer($0)) }
    }

    static func usSSN(_ value: UnsafeRawBufferPointer) -> Bool {
        // The digits as one number, other characters skipped; more than nine digits fail.
        var n = 0, count = 0
        for c in value where c >= 0x30 && c <= 0x39 {
            count += 1
            guard count <= 9 else { return false }
            n = n * 10 + Int(c - 0x30)
        }
        guard count == 9 else { return false }
        let area = n / 1_000_000, group = n / 10_000 % 100, serial = n % 10_000
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// Whether `value` parses as an IPv4 (dotted quad, no leading zeros) or IPv6 address.
    public static func ipAddress(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { ipv4(UnsafeRawBufferPointer($0)) || ipv6(UnsafeRawBufferPointer($0)) }
    }

    /// A dotted quad of decimal numbers up to 255, without leading zeros (bytes, no Characters:
    /// this runs on every candidate the `ipv4` and `ipv6` patterns find).
    static func ipv4<C: Collection<UInt8>>(_ b: C) -> Bool {
        var parts = 0, digits = 0, value = 0, leadingZero = false
        for c in b {
            if c == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1; digits = 0; value = 0
                continue
            }
            guard c >= 0x30 && c <= 0x39, digits < 3 else { return false }
            if digits == 0 { leadingZero = c == 0x30 } else if leadingZero { return false }
            value = value * 10 + Int(c - 0x30)
            guard value <= 255 else { return false }
            digits += 1
        }
        return parts == 3 && digits > 0
    }

    static func ipv6(_ raw: UnsafeRawBufferPointer) -> Bool {
        var b = Array(raw)[...]
        if let percent = b.firstIndex(of: UInt8(ascii: "%")) { b = b[..<percent] } // zone id
        guard b.contains(UInt8(ascii: ":")) else { return false }
        // At most one "::", which stands for one or more zero groups.
        func doubleColon(in s: ArraySlice<UInt8>) -> Int? {
            var i = s.startIndex
            while i + 1 < s.endIndex {
                if s[i] == UInt8(ascii: ":") && s[i + 1] == UInt8(ascii: ":") { return i }
                i += 1
            }
            return nil
        }
        var halves = [b]
        if let dc = doubleColon(in: b) {
            let tail = b[(dc + 2)...]
            guard doubleColon(in: tail) == nil else { return false }
            halves = [b[..<dc], tail]
        }
        var groups: [ArraySlice<UInt8>] = []
        for half in halves where !half.isEmpty {
            groups += half.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        }
        var count = groups.count
        // An embedded IPv4 address counts as two groups.
        if let last = groups.last, last.contains(UInt8(ascii: ".")) {
            guard ipv4(last) else { return false }
            groups.removeLast()
            count += 1
        }
        let hex = groups.allSatisfy { g in
            !g.isEmpty && g.count <= 4 && g.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
        }
        return hex && (halves.count == 2 ? count < 8 : count == 8)
    }

    /// Three base64url parts; the first decodes to a JSON object with `alg`.
    public static func jwt(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count >= 4, parts[1].count >= 4 else { return false }
        let urlSafe = parts.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "=") } }
        guard urlSafe else { return false }
        var b64 = String(parts[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return header["alg"] != nil
    }

    /// Shannon entropy of the characters of `value`, in bits per character.
    public static func shannonEntropy(_ value: String) -> Double {
        var value = value
        return value.withUTF8 { shannonEntropy(UnsafeRawBufferPointer($0)) }
    }

    /// Shannon entropy of the bytes of `value`, in bits per byte.
    static func shannonEntropy(_ value: UnsafeRawBufferPointer) -> Double {
        guard !value.isEmpty else { return 0 }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
            for b in value { counts[Int(b)] += 1 }
            let n = Double(value.count)
            // Summed in byte order: the same result on every run (a dictionary's order is not).
            var h = 0.0
            for c in counts where c > 0 {
                let p = Double(c) / n
                h -= p * log2(p)
            }
            return h
        }
    }
}
