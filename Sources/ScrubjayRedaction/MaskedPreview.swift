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
