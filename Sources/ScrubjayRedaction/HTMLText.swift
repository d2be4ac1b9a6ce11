#if canImport(Glibc)
import Glibc
#endif

/// HTML inside an attribute (an iframe's `srcdoc`, which the browser, and a player that sets
/// the attribute, parses and shows): character references hide nothing from the rules
/// (`ana&#64;shop.test` reads `ana@shop.test`). Only the text a rule finds is rewritten, in
/// place and escaped for HTML; every other byte, markup included, stays as it was.
enum HTMLText {
    /// `raw` with numeric character references (`&#64;`, `&#x40;`) and the named ones an
    /// address or a number can be written with decoded, and for each byte of the result
    /// the offset in `raw` it came from (one past the end last). Nil when nothing is decoded.
    static func decode(_ raw: UnsafeRawBufferPointer) -> (text: [UInt8], origin: [Int])? {
        guard raw.contains(UInt8(ascii: "&")) else { return nil }
        var text: [UInt8] = [], origin: [Int] = []
        text.reserveCapacity(raw.count)
        origin.reserveCapacity(raw.count + 1)
        var decodedAny = false
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "&"), let (scalar, length) = reference(raw, at: i) {
                for b in String(Character(scalar)).utf8 { text.append(b); origin.append(i) }
                i += length
                decodedAny = true
            } else {
                text.append(raw[i]); origin.append(i)
                i += 1
            }
        }
        origin.append(raw.count)
        return decodedAny ? (text, origin) : nil
    }

    /// Whether `raw` has the look of HTML: a tag (`<` then a letter, `/` or `!`) closed by a
    /// `>` after it. The cheap test before decoding a payload's text as HTML.
    static func looksLikeHTML(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return false }
        var from = 0
        while from + 1 < raw.count, let hit = memchr(base + from, Int32(UInt8(ascii: "<")), raw.count - from) {
            let i = base.distance(to: UnsafeRawPointer(hit))
            guard i + 1 < raw.count else { return false }
            let next = raw[i + 1]
            if (next | 0x20) &- 0x61 < 26 || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") {
                return memchr(base + i + 1, Int32(UInt8(ascii: ">")), raw.count - i - 1) != nil
            }
            from = i + 1
        }
        return false
    }

    /// The runs of text of an HTML document (`raw`): the bytes outside tags, comments and the
    /// contents of `<script>` and `<style>`, each run with some byte that is not white space.
    static func textRuns(_ raw: UnsafeRawBufferPointer) -> [Range<Int>] {
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        /// Whether `name` (lower case) follows at `i`.
        func has(_ name: StaticString, at i: Int) -> Bool {
            let n = name.utf8CodeUnitCount
            guard i + n <= raw.count else { return false }
            for k in 0..<n where lower(raw[i + k]) != name.utf8Start[k] { return false }
            return true
        }
        /// The offset just past the next occurrence of `name` from `i` (the end when none).
        func past(_ name: StaticString, from i: Int) -> Int {
            var j = i
            while j < raw.count && !has(name, at: j) { j += 1 }
            return min(raw.count, j + name.utf8CodeUnitCount)
        }
        var runs: [Range<Int>] = []
        var i = 0, start = 0, solid = false
        while i < raw.count {
            let c = raw[i]
            let next = i + 1 < raw.count ? raw[i + 1] : 0
            guard c == UInt8(ascii: "<"), (lower(next) >= 0x61 && lower(next) <= 0x7A) || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") else {
                if !isSpace(c) { solid = true }
                i += 1
                continue
            }
            if solid { runs.append(start..<i) }
            if has("<!--", at: i) {
                i = past("-->", from: i + 4)
            } else {
                let closing: StaticString? = has("<script", at: i) ? "</script" : has("<style", at: i) ? "</style" : nil
                // The tag, its quoted attribute values read whole.
                var quote: UInt8 = 0
                i += 1
                while i < raw.count {
                    let b = raw[i]
                    i += 1
                    if quote != 0 { if b == quote { quote = 0 } }
                    else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b }
                    else if b == UInt8(ascii: ">") { break }
                }
                if let closing {
                    i = past(closing, from: i)
                    while i < raw.count && raw[i] != UInt8(ascii: ">") { i += 1 }
                    i = min(raw.count, i + 1)
                }
            }
            start = i
            solid = false
        }
        if solid { runs.append(start..<raw.count) }
        return runs
    }

    /// Named references decoded (those of punctuation in addresses, numbers and URLs).
    static let named: [String: Unicode.Scalar] = [
        "commat": "@", "period": ".", "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
        "plus": "+", "minus": "-", "lowbar": "_", "hyphen": "\u{2010}", "colon": ":", "sol": "/", "num": "#", "percnt": "%",
        "equals": "=", "quest": "?", "excl": "!", "comma": ",", "semi": ";", "dollar": "$", "lpar": "(", "rpar": ")",
        // Look-alikes and invisible characters (`LookAlikeText`), as pages write them: a soft
        // hyphen a hyphenation tool put in a word, an en dash or a thin space between groups.
        "shy": "\u{AD}", "ndash": "\u{2013}", "ensp": "\u{2002}", "emsp": "\u{2003}", "numsp": "\u{2007}", "thinsp": "\u{2009}",
        "hairsp": "\u{200A}", "zwnj": "\u{200C}", "zwj": "\u{200D}", "NoBreak": "\u{2060}",
    ]

    /// The character reference at `at` (an `&`) and its length with its `;`, or nil.
    static func reference(_ raw: UnsafeRawBufferPointer, at: Int) -> (Unicode.Scalar, Int)? {
        var j = at + 1
        if j < raw.count && raw[j] == UInt8(ascii: "#") {
            j += 1
            let hex = j < raw.count && (raw[j] | 0x20) == UInt8(ascii: "x")
            if hex { j += 1 }
            var value: UInt32 = 0, digits = 0
            while j < raw.count, digits < 8 {
                let b = raw[j]
                let d: UInt32
                if b &- 0x30 < 10 { d = UInt32(b - 0x30) }
                else if hex && (b | 0x20) &- 0x61 < 6 { d = UInt32((b | 0x20) - 0x61 + 10) }
                else { break }
                value = value * (hex ? 16 : 10) + d
                digits += 1
                j += 1
            }
            guard digits > 0, j < raw.count, raw[j] == UInt8(ascii: ";") else { return nil }
            return (Unicode.Scalar(value) ?? "\u{FFFD}", j + 1 - at)
        }
        let start = j
        while j < raw.count && j - start < 8 && (raw[j] | 0x20) &- 0x61 < 26 { j += 1 }
        guard j < raw.count, raw[j] == UInt8(ascii: ";"),
              let scalar = named[String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<j]), as: UTF8.self)] else { return nil }
        return (scalar, j + 1 - at)
    }

    /// `text` escaped to stand in HTML inside an attribute value.
    static func escape(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in text {
            switch b {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            default: out.append(b)
            }
        }
        return out
    }
}
