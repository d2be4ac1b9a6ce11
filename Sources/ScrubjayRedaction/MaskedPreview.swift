import ScrubjayRules

/// A hint of what a finding looked like, for people reading an audit: enough to recognise
/// the kind of value (`j***@e***.org`, `4*** 4*** 4*** 4***`), never the value itself.
///
/// Each run of letters or digits shows at most its first character followed by `***`, so
/// lengths are hidden too; runs shorter than three characters show only `*`. A trailing
/// domain suffix (`.org`, `.co.uk`'s `uk`) after an `@` is kept. Separators stay. Secrets
/// (category `credential`) and `rule.limit` findings show only `***`. At most 48 characters.
public enum MaskedPreview {
    public static let maximumLength = 48

    public static func make(_ value: some Collection<UInt8>, category: RuleCategory, limited: Bool = false) -> String {
        if category == .credential || limited { return "***" }
        // ASCII (nearly every finding) by bytes, the same rules without Unicode property lookups.
        if value.allSatisfy({ $0 < 0x80 }) { return makeASCII(Array(value)) }
        return makeScalars(value)
    }

    /// `make` for ASCII text.
    static func makeASCII(_ b: [UInt8]) -> String {
        @inline(__always) func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
        @inline(__always) func isLetterOrDigit(_ c: UInt8) -> Bool { isLetter(c) || c &- 0x30 < 10 }
        let hasAt = b.contains(UInt8(ascii: "@"))
        var out: [UInt8] = []
        out.reserveCapacity(min(b.count, maximumLength + 8))
        var i = 0
        while i < b.count {
            let c = b[i]
            if isLetterOrDigit(c) {
                var j = i
                while j < b.count && isLetterOrDigit(b[j]) { j += 1 }
                let isSuffix = hasAt && j == b.count && i > 0 && b[i - 1] == UInt8(ascii: ".") && (2...6).contains(j - i)
                    && b[i..<j].allSatisfy(isLetter)
                if isSuffix { out += b[i..<j] }
                else if j - i >= 3 { out.append(c); out += "***".utf8 }
                else { out.append(UInt8(ascii: "*")) }
                i = j
            } else {
                // Unicode's White_Space in ASCII: tab to carriage return, and space.
                if c == 0x20 || (c >= 0x09 && c <= 0x0D) { if out.last != 0x20 { out.append(0x20) } }
                else if c >= 0x20 { out.append(c) }
                i += 1
            }
            if out.count > maximumLength { return String(decoding: out.prefix(maximumLength), as: UTF8.self) + "…" }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `make` for any text, by Unicode scalars.
    static func makeScalars(_ value: some Collection<UInt8>) -> String {
        let scalars = Array(String(decoding: value, as: UTF8.self).unicodeScalars)
        let hasAt = scalars.contains("@")
        var out = ""
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s.properties.isAlphabetic || s.properties.numericType != nil {
                var j = i
                while j < scalars.count && (scalars[j].properties.isAlphabetic || scalars[j].properties.numericType != nil) { j += 1 }
                let run = scalars[i..<j]
                let isSuffix = hasAt && j == scalars.count && i > 0 && scalars[i - 1] == "." && (2...6).contains(run.count)
                    && run.allSatisfy { $0.isASCII && $0.properties.isAlphabetic }
                if isSuffix { out.unicodeScalars.append(contentsOf: run) }
                else if run.count >= 3 { out.unicodeScalars.append(run.first!); out += "***" }
                else { out += "*" }
                i = j
            } else {
                if s.properties.isWhitespace { if !out.hasSuffix(" ") { out += " " } }
                else if s.value >= 0x20 { out.unicodeScalars.append(s) }
                i += 1
            }
            if out.count > maximumLength { return String(out.prefix(maximumLength)) + "…" }
        }
        return out
    }
}
