/// Decoding JSON string literals to text and encoding text as JSON string literals.
public enum JSONString {
    /// Decodes the body of a string literal (the bytes between the quotes, already validated
    /// by the scanner) to UTF-8, resolving every escape, `\u` surrogate pairs included.
    /// A lone surrogate escape (legal JSON, not legal UTF-8) becomes U+FFFD.
    ///
    /// The text is never longer than the body, so `out` grows once by the body's length and
    /// the text is written in place (bodies of JSON inside strings are mostly escapes: an
    /// append per escape and per run between them cost more than the bytes).
    public static func decodeBody(_ body: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = body.count
        guard n > 0, let src = body.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        @inline(__always) func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = src[at &+ k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c) &- 0x30
                case 0x61...0x66: d = UInt32(c) &- 0x57
                default: d = UInt32(c) &- 0x37
                }
                v = v << 4 | d
            }
            return v
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: n))
        let written = out.withUnsafeMutableBufferPointer { buf -> Int in
            let dst = buf.baseAddress! + start
            var i = 0, o = 0
            while i < n {
                if i &+ 8 <= n {
                    // Eight bytes copied at once, then kept up to the first backslash among
                    // them (`o` never passes `i`, so the store stays within the grown room).
                    let w = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
                    UnsafeMutableRawPointer(dst + o).storeBytes(of: w, as: UInt64.self)
                    let m = backslashMask(w)
                    if m == 0 { i &+= 8; o &+= 8; continue }
                    let z = m.littleEndian.trailingZeroBitCount >> 3
                    i &+= z; o &+= z
                }
                let c = src[i]
                if c != UInt8(ascii: "\\") { dst[o] = c; o &+= 1; i &+= 1; continue }
                let e = src[i &+ 1]
                switch e {
                case UInt8(ascii: "b"): dst[o] = 0x08; o &+= 1; i &+= 2
                case UInt8(ascii: "f"): dst[o] = 0x0C; o &+= 1; i &+= 2
                case UInt8(ascii: "n"): dst[o] = 0x0A; o &+= 1; i &+= 2
                case UInt8(ascii: "r"): dst[o] = 0x0D; o &+= 1; i &+= 2
                case UInt8(ascii: "t"): dst[o] = 0x09; o &+= 1; i &+= 2
                case UInt8(ascii: "u"):
                    var scalar = hex4(i &+ 2)
                    i &+= 6
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // a high surrogate: it needs a low one right after
                        if i &+ 6 <= n, src[i] == UInt8(ascii: "\\"), src[i &+ 1] == UInt8(ascii: "u") {
                            let low = hex4(i &+ 2)
                            if low >= 0xDC00 && low < 0xE000 {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                i &+= 6
                            } else {
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        scalar = 0xFFFD
                    }
                    o &+= writeUTF8(scalar, to: dst + o)
                default: dst[o] = e; o &+= 1; i &+= 2 // \" \\ \/
                }
            }
            return o
        }
        out.removeLast(n &- written)
    }

    /// Writes the UTF-8 of scalar `v` (a valid scalar) at `p`; returns its length (at most 4,
    /// never more than the escape it came from).
    @inline(__always) static func writeUTF8(_ v: UInt32, to p: UnsafeMutablePointer<UInt8>) -> Int {
        switch v {
        case 0..<0x80:
            p[0] = UInt8(v)
            return 1
        case 0x80..<0x800:
            p[0] = UInt8(0xC0 | v >> 6); p[1] = UInt8(0x80 | v & 0x3F)
            return 2
        case 0x800..<0x10000:
            p[0] = UInt8(0xE0 | v >> 12); p[1] = UInt8(0x80 | (v >> 6) & 0x3F); p[2] = UInt8(0x80 | v & 0x3F)
            return 3
        default:
            p[0] = UInt8(0xF0 | v >> 18); p[1] = UInt8(0x80 | (v >> 12) & 0x3F)
            p[2] = UInt8(0x80 | (v >> 6) & 0x3F); p[3] = UInt8(0x80 | v & 0x3F)
            return 4
        }
    }

    /// Decodes the body of a string literal to a `String`.
    public static func decode(body: UnsafeRawBufferPointer) -> String {
        if !body.contains(UInt8(ascii: "\\")) {
            return String(decoding: body, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        decodeBody(body, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal (with quotes), escaping as `JSON.stringify`
    /// does: `"` and `\` and control characters; everything else stays as UTF-8.
    public static func encode<S: Sequence>(utf8 text: S, into out: inout [UInt8]) where S.Element == UInt8 {
        let encoded: Void? = text.withContiguousStorageIfAvailable { encode(utf8: UnsafeRawBufferPointer($0), into: &out) }
        if encoded == nil { Array(text).withUnsafeBytes { encode(utf8: $0, into: &out) } }
    }

    /// Appends UTF-8 `text` as a JSON string literal (the one escaping routine). The encoded
    /// length is counted first, then written in place: one growth of `out`, a bulk copy when
    /// nothing needs escaping (replacement values, masks). Both passes look at eight bytes at
    /// a time (`escapeMask`); the writing pass copies each stretch between two escaped bytes
    /// with eight-byte stores (whole JSON bodies rewritten inside a string are mostly short
    /// stretches between quotes).
    public static func encode(utf8 text: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = text.count
        guard n > 0, let src = text.baseAddress else {
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: "\""))
            return
        }
        var extra = 0
        var i = 0
        var controls: UInt64 = 0
        while i &+ 8 <= n {
            let w = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let m = escapeMask(w)
            if m != 0 {
                extra &+= highBitCount(m)
                controls |= controlMask(w)
            }
            i &+= 8
        }
        while i < n {
            let c = src.load(fromByteOffset: i, as: UInt8.self)
            if needsEscape(c) { extra &+= 1; if c < 0x20 { controls = 1 } }
            i &+= 1
        }
        if controls != 0 {
            // A control character is written `\u00XX` (six bytes) unless it has a short escape.
            extra = 0
            for c in text where needsEscape(c) { extra &+= shortEscape(c) != 0 ? 1 : 5 }
        }
        let start = out.count
        // Grown by a bulk copy of the text (the escape-free result already, but for the quotes).
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: text)
        out.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: extra &+ 1))
        if extra == 0 { return }
        out.withUnsafeMutableBufferPointer { buf in
            let o = UnsafeMutableRawPointer(buf.baseAddress! + start)
            var k = 1
            var i = 0
            while i < n {
                if i &+ 8 <= n {
                    // Room for eight bytes at `k`: the rest of the text and its escapes follow.
                    let w = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    o.storeBytes(of: w, toByteOffset: k, as: UInt64.self)
                    let m = escapeMask(w)
                    if m == 0 { i &+= 8; k &+= 8; continue }
                    let z = m.littleEndian.trailingZeroBitCount >> 3
                    i &+= z; k &+= z
                }
                let c = src.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                guard needsEscape(c) else { o.storeBytes(of: c, toByteOffset: k, as: UInt8.self); k &+= 1; continue }
                o.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: k, as: UInt8.self)
                let short = shortEscape(c)
                if short != 0 {
                    o.storeBytes(of: short, toByteOffset: k &+ 1, as: UInt8.self)
                    k &+= 2
                } else {
                    o.storeBytes(of: UInt8(ascii: "u"), toByteOffset: k &+ 1, as: UInt8.self)
                    o.storeBytes(of: UInt8(ascii: "0"), toByteOffset: k &+ 2, as: UInt8.self)
                    o.storeBytes(of: UInt8(ascii: "0"), toByteOffset: k &+ 3, as: UInt8.self)
                    o.storeBytes(of: hexDigits[Int(c >> 4)], toByteOffset: k &+ 4, as: UInt8.self)
                    o.storeBytes(of: hexDigits[Int(c & 0xF)], toByteOffset: k &+ 5, as: UInt8.self)
                    k &+= 6
                }
            }
            o.storeBytes(of: UInt8(ascii: "\""), toByteOffset: k, as: UInt8.self)
        }
    }

    /// Per byte of `w` (in memory order), its high bit set exactly when the byte is `\\`.
    @inline(__always) static func backslashMask(_ w: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, highs: UInt64 = 0x8080_8080_8080_8080
        let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
        return ~(((b & low7) &+ low7) | b) & highs
    }

    /// Per byte of `w` (in memory order), its high bit set exactly when `JSON.stringify` escapes
    /// it: `"`, `\\` or below 0x20. Exact for every byte (no borrow crosses bytes), so the
    /// bits can be counted.
    @inline(__always) static func escapeMask(_ w: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ 0x2222_2222_2222_2222, b = w ^ 0x5C5C_5C5C_5C5C_5C5C
        // A byte is zero exactly when its high bit is clear in ((x & 0x7F) + 0x7F) | x.
        let notQuote = ((q & low7) &+ low7) | q
        let notBackslash = ((b & low7) &+ low7) | b
        return (~notQuote | ~notBackslash | controlMask(w)) & highs
    }

    /// Per byte of `w`, its high bit set exactly when the byte is below 0x20.
    @inline(__always) static func controlMask(_ w: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, highs: UInt64 = 0x8080_8080_8080_8080
        // (b & 0x7F) + 0x60 has its high bit set when b & 0x7F >= 0x20; bytes >= 0x80 are excluded.
        return ~(((w & low7) &+ 0x6060_6060_6060_6060) | w) & highs
    }

    /// Whether `JSON.stringify` escapes byte `c`: `"`, `\\` and control characters.
    @inline(__always) static func needsEscape(_ c: UInt8) -> Bool {
        c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\")
    }

    /// The letter after the backslash of a two-byte escape (`\"`, `\\`, `\b`, `\f`, `\n`,
    /// `\r`, `\t`), or 0 for a control character written `\u00XX`.
    @inline(__always) static func shortEscape(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): return c
        case 0x08: return UInt8(ascii: "b")
        case 0x0C: return UInt8(ascii: "f")
        case 0x0A: return UInt8(ascii: "n")
        case 0x0D: return UInt8(ascii: "r")
        case 0x09: return UInt8(ascii: "t")
        default: return 0
        }
    }

    /// `text` as a JSON string literal (with quotes).
    public static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        encode(utf8: text.utf8, into: &out)
        return out
    }
}
