#if canImport(Glibc)
import Glibc
#endif
import ScrubjayRules

/// Text written with characters that look like, or hide inside, the ASCII a rule reads: a
/// page shows `４１１１ １１１１ １１１１ １１１１` (full-width digits, as Japanese input
/// methods type them), `٠٦١٢٣٤٥٦٧٨` (Arabic-Indic digits), `415–555–0134` (en dashes, as
/// typography tools write them), `+44 20 7946 0958` with thin spaces, or
/// `ana@\u{200B}shop.test` (a zero-width space, or a soft hyphen a hyphenation script put in a
/// word) as the value it is. The view maps each such character to the ASCII it stands for
/// (or drops an invisible one), with each byte's origin in the text as written, so the rules
/// read the value and only what they find is rewritten, over the bytes it came from
/// (docs/RULES.md, "Channels").
enum LookAlikeText {
    /// What one character at `i` becomes: `drop` (invisible), an ASCII byte, or nil (kept),
    /// and its length in bytes.
    @inline(__always)
    static func mapped(_ raw: UnsafeRawBufferPointer, _ i: Int) -> (ascii: UInt8?, drop: Bool, length: Int)? {
        let b = raw[i]
        let n = raw.count
        switch b {
        case 0xC2: // U+00AD soft hyphen
            if i + 1 < n && raw[i + 1] == 0xAD { return (nil, true, 2) }
        case 0xD9: // U+0660...U+0669 Arabic-Indic digits
            if i + 1 < n && raw[i + 1] >= 0xA0 && raw[i + 1] <= 0xA9 { return (0x30 + raw[i + 1] - 0xA0, false, 2) }
        case 0xDB: // U+06F0...U+06F9 extended Arabic-Indic (Persian) digits
            if i + 1 < n && raw[i + 1] >= 0xB0 && raw[i + 1] <= 0xB9 { return (0x30 + raw[i + 1] - 0xB0, false, 2) }
        case 0xE0: // U+0966...U+096F Devanagari digits
            if i + 2 < n && raw[i + 1] == 0xA5 && raw[i + 2] >= 0xA6 && raw[i + 2] <= 0xAF { return (0x30 + raw[i + 2] - 0xA6, false, 3) }
        case 0xE2:
            guard i + 2 < n else { return nil }
            let b1 = raw[i + 1], b2 = raw[i + 2]
            if b1 == 0x80 {
                switch b2 {
                case 0x82...0x8A: return (0x20, false, 3) // U+2002...U+200A: en, em, figure, thin... spaces
                case 0x8B, 0x8C, 0x8D: return (nil, true, 3) // U+200B zero-width space, U+200C, U+200D joiners
                case 0x92, 0x93: return (UInt8(ascii: "-"), false, 3) // U+2012 figure dash, U+2013 en dash
                default: return nil
                }
            }
            if b1 == 0x81 && b2 == 0xA0 { return (nil, true, 3) } // U+2060 word joiner
            if b1 == 0x88 && b2 == 0x92 { return (UInt8(ascii: "-"), false, 3) } // U+2212 minus sign
        case 0xE3: // U+3000 ideographic space
            if i + 2 < n && raw[i + 1] == 0x80 && raw[i + 2] == 0x80 { return (0x20, false, 3) }
        case 0xEF:
            guard i + 2 < n else { return nil }
            let b1 = raw[i + 1], b2 = raw[i + 2]
            if b1 == 0xBB && b2 == 0xBF { return (nil, true, 3) } // U+FEFF zero-width no-break space
            if b1 == 0xBC && b2 >= 0x81 { return (0x21 + b2 - 0x81, false, 3) } // U+FF01...U+FF3F full-width forms
            if b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E { return (0x60 + b2 - 0x80, false, 3) } // U+FF40...U+FF5E
        default:
            break
        }
        return nil
    }

    /// Whether `raw` holds a byte above ASCII: eight bytes at a time. Most strings do not, and
    /// this is all they pay.
    @inline(__always)
    static func holdsNonASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = raw.count
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < n {
            if raw[i] >= 0x80 { return true }
            i += 1
        }
        return false
    }

    /// Whether `raw` may be read otherwise decoded: it holds a byte above ASCII (a look-alike
    /// may be among them) or one of 0x24...0x27 (`$`, `%`, `&`, `'`: a percent-escape or a
    /// character reference may start there). One pass, eight bytes at a time; most strings
    /// hold none, and pay nothing more.
    @inline(__always)
    static func mayBeEncoded(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return false }
        let n = raw.count
        @inline(__always) func flags(_ x: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
            let t = x ^ (0x24 &* ones)
            // Some byte of t is below 4 (exact as to whether one is), or some byte of x is high.
            return ((t &- 4 &* ones) & ~t & high) | (x & high)
        }
        guard n >= 8 else {
            for i in 0..<n {
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                if b >= 0x80 || b &- 0x24 < 4 { return true }
            }
            return false
        }
        var i = 0
        while i &+ 8 <= n {
            if flags(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != 0 { return true }
            i &+= 8
        }
        // The last word overlaps the one before: its bytes were tested already.
        return i < n && flags(base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)) != 0
    }

    /// Whether `raw` holds a `%` or a `&`: then it may be percent-encoded or hold character
    /// references, and is read both ways (`Redactor.encodedView`), not only as look-alikes.
    @inline(__always)
    static func holdsEscapeStart(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return false }
        return memchr(base, Int32(UInt8(ascii: "%")), raw.count) != nil || memchr(base, Int32(UInt8(ascii: "&")), raw.count) != nil
    }

    /// `raw` with each look-alike mapped to its ASCII and each invisible character dropped.
    /// Nil when `raw` holds none (callers test `holdsNonASCII` first). Each byte's origin is
    /// worked out only for a text in which a rule finds something (`origins`).
    /// Text whose look-alikes are all punctuation and that holds no digit (a Japanese sentence
    /// with full-width brackets) is not read again: every value a rule finds by such
    /// characters alone (a full-width email's `＠` and `．`) its pattern finds as written. A
    /// full-width letter is read as ASCII (`ｍｙ ｎａｍｅ ｉｓ Ａｎａ`: rules read words in ASCII).
    @inline(never)
    static func mappedText(_ raw: UnsafeRawBufferPointer) -> [UInt8]? {
        var first = -1
        // A digit (ASCII or a look-alike), a full-width letter, an invisible character: then
        // the text is read mapped.
        var readable = false
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b &- 0x30 < 10 { readable = true }
            if b >= 0xC2, let m = mapped(raw, i) {
                if first < 0 { first = i }
                if let a = m.ascii { if a &- 0x30 < 10 || (a | 0x20) &- 0x61 < 26 { readable = true } } else { readable = true }
                i += m.length
                continue
            }
            i += 1
        }
        guard first >= 0, readable else { return nil }
        var text: [UInt8] = []
        text.reserveCapacity(raw.count)
        text += UnsafeRawBufferPointer(rebasing: raw[..<first])
        i = first
        while i < raw.count {
            if raw[i] >= 0xC2, let m = mapped(raw, i) {
                if let a = m.ascii { text.append(a) }
                i += m.length
                continue
            }
            text.append(raw[i])
            i += 1
        }
        return text
    }

    /// For each byte of `mappedText(raw)`, its offset in `raw` (one past the end last).
    static func origins(_ raw: UnsafeRawBufferPointer) -> [Int] {
        var origin: [Int] = []
        origin.reserveCapacity(raw.count + 1)
        var i = 0
        while i < raw.count {
            if raw[i] >= 0xC2, let m = mapped(raw, i) {
                if m.ascii != nil { origin.append(i) }
                i += m.length
                continue
            }
            origin.append(i)
            i += 1
        }
        origin.append(raw.count)
        return origin
    }
}

extension Redactor {
    /// What pattern rules find in `text` read with its look-alikes as ASCII (`LookAlikeText`):
    /// the view, those of `rawMatches` (found in `text` as written) that overlap none of its
    /// matches, and its matches. Nil when the text holds no look-alike or the view holds
    /// nothing. A rewritten value is written as the rule writes it (ASCII), over the bytes it
    /// came from. (Callers test `LookAlikeText.mayBeEncoded` first.)
    mutating func lookAlikeMatches(_ text: UnsafeRawBufferPointer, mapped known: [UInt8]? = nil, raw rawMatches: [RuleMatch], channel: Channel)
        -> DecodedReading? {
        guard let mapped = known ?? (LookAlikeText.holdsNonASCII(text) ? LookAlikeText.mappedText(text) : nil) else { return nil }
        let decoded = mapped.withUnsafeBytes { ruleMatches($0, channel) }
        guard !decoded.isEmpty else { return nil }
        let view = DecodedView(text: mapped, origin: LookAlikeText.origins(text)) { $0 }
        let spans = decoded.map { rawSpan(of: $0.range, view) }
        let kept = rawMatches.filter { m in !spans.contains { $0.overlaps(m.range) } }
        return (view, kept, decoded)
    }
}
