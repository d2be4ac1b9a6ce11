#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The parts of a stylesheet (`_cssText`, a `style` attribute, a CSS rule) that rules may
/// rewrite: the contents of string tokens, the arguments of `url()`, the text of comments
/// (never shown, but shipped: `/* owner: ana@shop.test */`) and plain values of custom
/// properties (`--user-email: ana@shop.test`). Everything else (selectors,
/// property names, numbers, colours) is structure and stays as it is, so a redaction never
/// breaks a page's styles (FORMATS.md: wiping `_cssText` broke replays). Tokenizing follows
/// CSS Syntax Level 3, section 4 (strings, escapes, comments, url tokens).
public enum CSSText {
    /// An editable piece of CSS text.
    public struct Segment: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// The inside of a string token delimited by this quote (`"` or `'`).
            case string(quote: UInt8)
            /// An unquoted `url(...)` argument (a quoted one is a string token).
            case url
            /// The text of a comment, between `/*` and `*/` (or the end of the text, for a
            /// comment never closed). Backslashes are no escapes there, and nothing may write
            /// `*/` into it (`escape`).
            case comment
            /// The value of a custom property (`--user-email: ana@shop.test`), when it is plain
            /// tokens (no string, `url()`, comment, escape or block: those are read as their own
            /// segments): any token sequence is a valid value, so the page ships it, and a script
            /// may show it (`var()`, `getPropertyValue`). Rewritten whole, nothing written may
            /// open a comment (`escape`).
            case customProperty
        }
        /// Byte range of the contents, without quotes, `url(`/`)` or `/*`/`*/`.
        public let range: Range<Int>
        public let kind: Kind
    }

    /// The editable segments of `css`, in order. `data:` URLs and strings are not returned:
    /// they are reported through `binary` with their kind and size (a comment is always
    /// returned: it is text, whatever it starts with).
    public static func segments(_ css: UnsafeRawBufferPointer, binary: (UnscannedKind, Int) -> Void = { _, _ in }) -> [Segment] {
        var out: [Segment] = []
        let n = css.count
        var i = 0
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
        @inline(__always) func isIdent(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b >= 0x80
        }
        func add(_ range: Range<Int>, _ kind: Segment.Kind) {
            if range.isEmpty { return }
            if let k = dataURLKind(css, range) { binary(k, range.count); return }
            out.append(Segment(range: range, kind: kind))
        }
        while i < n {
            // Most bytes start nothing: the next that may is found sixteen at a time.
            i = nextCandidate(css, from: i)
            if i >= n { break }
            let c = css[i]
            if c == 0x2F && i + 1 < n && css[i + 1] == 0x2A { // /* comment */
                i += 2
                let start = i
                while i + 1 < n && !(css[i] == 0x2A && css[i + 1] == 0x2F) { i += 1 }
                let closed = i + 1 < n
                let end = closed ? i : n
                if end > start { out.append(Segment(range: start..<end, kind: .comment)) }
                i = min(n, end + 2)
            } else if c == 0x22 || c == 0x27 { // string token
                let start = i + 1
                var j = start
                while j < n && css[j] != c && css[j] != 0x0A {
                    j += css[j] == 0x5C ? 2 : 1
                }
                j = min(j, n)
                add(start..<j, .string(quote: c))
                i = j + 1
            } else if c == 0x5C { // an escape inside an identifier
                i += 2
            } else if c == 0x2D, i + 1 < n, css[i + 1] == 0x2D, startsDeclaration(i), let value = customPropertyValue(after: i) {
                // A custom property's plain value; any other value is read on from its start.
                if value.plain { add(value.range, .customProperty); i = value.range.upperBound } else { i = value.range.lowerBound }
            } else if lower(c) == 0x75, i + 3 < n, lower(css[i + 1]) == 0x72, lower(css[i + 2]) == 0x6C, css[i + 3] == 0x28,
                      i == 0 || !isIdent(css[i - 1]) { // url(
                var j = i + 4
                while j < n && isSpace(css[j]) { j += 1 }
                if j < n && (css[j] == 0x22 || css[j] == 0x27) { i = j; continue } // quoted: a string token
                let start = j
                while j < n && css[j] != 0x29 {
                    j += css[j] == 0x5C ? 2 : 1
                }
                j = min(j, n)
                var end = j
                while end > start && isSpace(css[end - 1]) { end -= 1 }
                add(start..<end, .url)
                i = j + 1
            } else {
                i += 1
            }
        }
        return out

        /// Whether a name at `i` starts a declaration: the text's start, or after `{`, `;` or
        /// white space and comments that follow one of them (not `.a--b` in a selector).
        func startsDeclaration(_ i: Int) -> Bool {
            var k = i - 1
            while true {
                while k >= 0 && isSpace(css[k]) { k -= 1 }
                // A comment before it (`/* theme */ --x: ...`) is passed over.
                guard k >= 1, css[k] == 0x2F, css[k - 1] == 0x2A else { break }
                k -= 2
                while k >= 1 && !(css[k - 1] == 0x2F && css[k] == 0x2A) { k -= 1 }
                k -= 2
            }
            return k < 0 || css[k] == 0x7B || css[k] == 0x3B
        }
        /// After a custom property's name at `i` (`--` and name characters, a `:`), its value's
        /// range, white space at its edges left out, up to the `;`, `}` or `!` that ends it; and
        /// whether it is plain tokens.
        func customPropertyValue(after i: Int) -> (range: Range<Int>, plain: Bool)? {
            var j = i + 2
            while j < n && isIdent(css[j]) { j += 1 }
            while j < n && isSpace(css[j]) { j += 1 }
            guard j < n, css[j] == 0x3A else { return nil }
            j += 1
            while j < n && isSpace(css[j]) { j += 1 }
            let start = j
            var plain = true
            while j < n && css[j] != 0x3B && css[j] != 0x7D && css[j] != 0x21 {
                let b = css[j]
                if b == 0x22 || b == 0x27 || b == 0x5C || b == 0x7B || b == 0x28 || (b == 0x2F && j + 1 < n && css[j + 1] == 0x2A) { plain = false }
                j += 1
            }
            var end = j
            while end > start && isSpace(css[end - 1]) { end -= 1 }
            return (start..<end, plain)
        }
    }

    /// The first position from `i` on where `segments` may find something: a quote or a
    /// backslash, `/*`, `--`, or a byte three before a `(` (`url(`); `css.count` if none. Every
    /// position `segments` acts on is one, so the bytes passed over would each have been
    /// stepped over one at a time.
    @inline(__always)
    static func nextCandidate(_ css: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = css.count
        var i = start
        #if arch(x86_64)
        if let base = css.baseAddress {
            // Sixteen positions at a time while the loads at i + 1 and i + 3 stay inside.
            while i &+ 19 <= n {
                @inline(__always) func load(_ at: Int) -> __m128i {
                    _mm_loadu_si128((base + at).assumingMemoryBound(to: __m128i_u.self))
                }
                let v0 = load(i), v1 = load(i &+ 1), v3 = load(i &+ 3)
                let quoteOrEscape = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8(0x22)), _mm_cmpeq_epi8(v0, _mm_set1_epi8(0x27))),
                                                 _mm_cmpeq_epi8(v0, _mm_set1_epi8(0x5C)))
                let comment = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8(0x2F)), _mm_cmpeq_epi8(v1, _mm_set1_epi8(0x2A)))
                let dashes = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8(0x2D)), _mm_cmpeq_epi8(v1, _mm_set1_epi8(0x2D)))
                let call = _mm_cmpeq_epi8(v3, _mm_set1_epi8(0x28))
                let any = _mm_or_si128(_mm_or_si128(quoteOrEscape, comment), _mm_or_si128(dashes, call))
                let mask = UInt32(truncatingIfNeeded: _mm_movemask_epi8(any))
                if mask != 0 { return i &+ mask.trailingZeroBitCount }
                i &+= 16
            }
        }
        #endif
        while i < n {
            let c = css[i]
            if c == 0x22 || c == 0x27 || c == 0x5C { return i }
            if i &+ 1 < n && ((c == 0x2F && css[i &+ 1] == 0x2A) || (c == 0x2D && css[i &+ 1] == 0x2D)) { return i }
            if i &+ 3 < n && css[i &+ 3] == 0x28 { return i }
            i &+= 1
        }
        return n
    }

    static func dataURLKind(_ css: UnsafeRawBufferPointer, _ r: Range<Int>) -> UnscannedKind? {
        guard r.count > 5 else { return nil }
        let head = String(decoding: UnsafeRawBufferPointer(rebasing: css[r.lowerBound..<min(r.upperBound, r.lowerBound + 64)]), as: UTF8.self).lowercased()
        guard head.hasPrefix("data:") else { return nil }
        return DataURLKind.classify(mediaTypePrefix: String(head.dropFirst(5))) ?? nil
    }

    /// The value of a segment as CSS reads it (CSS Syntax Level 3, 4.3.7): `\40 ` or
    /// `\000040` is `@` (up to six hex digits, one white space after them taken with them;
    /// zero, a surrogate or a value past U+10FFFF is U+FFFD), `\@` is `@`, and a backslash
    /// before a line break (in a string) is nothing.
    public static func unescape(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        @inline(__always) func hex(_ b: UInt8) -> UInt32? {
            switch b {
            case 0x30...0x39: UInt32(b - 0x30)
            case 0x41...0x46: UInt32(b - 0x41 + 10)
            case 0x61...0x66: UInt32(b - 0x61 + 10)
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        let n = raw.count
        var i = 0
        while i < n {
            let c = raw[i]
            guard c == 0x5C else { out.append(c); i += 1; continue }
            guard i + 1 < n else { break } // a backslash at the end: nothing
            let next = raw[i + 1]
            if next == 0x0A || next == 0x0C || next == 0x0D {
                i += 2
                if next == 0x0D && i < n && raw[i] == 0x0A { i += 1 }
                continue
            }
            if var value = hex(next) {
                var j = i + 2
                while j < n && j < i + 7, let h = hex(raw[j]) { value = value << 4 | h; j += 1 }
                if j < n && (raw[j] == 0x20 || raw[j] == 0x09 || raw[j] == 0x0A || raw[j] == 0x0C || raw[j] == 0x0D) {
                    j += raw[j] == 0x0D && j + 1 < n && raw[j + 1] == 0x0A ? 2 : 1
                }
                let scalar = (value == 0 || value > 0x10FFFF) ? nil : Unicode.Scalar(value)
                out += Array(String(Character(scalar ?? "\u{FFFD}")).utf8)
                i = j
                continue
            }
            // Any other character stands for itself (the whole UTF-8 sequence).
            let length = next < 0x80 ? 1 : next >= 0xF0 ? 4 : next >= 0xE0 ? 3 : 2
            let end = min(n, i + 1 + length)
            out += UnsafeRawBufferPointer(rebasing: raw[(i + 1)..<end])
            i = end
        }
        return out
    }

    /// `text` made safe to stand inside a segment of `kind`: the quote, backslashes and line
    /// breaks escaped in a string; quotes, parentheses, whitespace and backslashes escaped in
    /// an unquoted `url()`; in a custom property's value (its whole rewritten text), a space
    /// between a `/` and a `*` after it, so that no rewrite opens a comment. In a comment (`text` its whole rewritten text: a comment has no
    /// escapes) a space goes between every `*` and a `/` after it, so that a rewrite never
    /// ends the comment early: a masked value before a `/` (`ana@shop.test/x` masked is
    /// `*************/x`), a replacement ending in `*` before one, or one holding `*/`. The
    /// comment's own text never holds `*/` (it would have ended there), so only what a rule
    /// wrote is changed; a leading `/` is safe (`/*/` opens a comment and does not close it).
    public static func escape(_ text: [UInt8], for kind: Segment.Kind) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for b in text {
            switch kind {
            case .comment:
                if b == UInt8(ascii: "/") && out.last == UInt8(ascii: "*") { out.append(0x20) }
                out.append(b)
            case .customProperty:
                // No `/*` may open a comment: a mask after a `/` (`a/ana@shop.test`).
                if b == UInt8(ascii: "*") && out.last == UInt8(ascii: "/") { out.append(0x20) }
                out.append(b)
            case .string(let q):
                if b == q || b == 0x5C { out.append(0x5C); out.append(b) }
                else if b == 0x0A || b == 0x0D || b == 0x0C { out += Array("\\\(b == 0x0A ? "a" : b == 0x0D ? "d" : "c") ".utf8) }
                else { out.append(b) }
            case .url:
                if b == 0x22 || b == 0x27 || b == 0x28 || b == 0x29 || b == 0x5C || b == 0x20 || b == 0x09 { out.append(0x5C); out.append(b) }
                else if b == 0x0A || b == 0x0D || b == 0x0C { out += Array("\\\(b == 0x0A ? "a" : b == 0x0D ? "d" : "c") ".utf8) }
                else { out.append(b) }
            }
        }
        return out
    }
}
