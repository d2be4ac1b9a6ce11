/// Text from an input (an archive entry name, a key id from a package) made safe to print on
/// a terminal or into a CI log: control characters are escaped, so a crafted name can neither
/// start a new line, return the carriage to overwrite a verdict, nor send escape sequences.
public enum DisplayText {
    /// `text` with every C0 and C1 control character, DEL and bidirectional formatting
    /// character escaped (`\r`, `\n`, `\t`, `\x1B`, `\u{202E}`); everything else as it is.
    public static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for u in text.unicodeScalars {
            guard needsEscape(u) else { out.unicodeScalars.append(u); continue }
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(u.value, radix: 16, uppercase: true)
                out += u.value < 0x100 ? "\\x" + (hex.count == 1 ? "0" + hex : hex) : "\\u{" + hex + "}"
            }
        }
        return out
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidirectional marks, embeddings, overrides and isolates (text that prints in another order than it reads).
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        // Line and paragraph separators.
        case 0x2028, 0x2029: return true
        default: return false
        }
    }
}
