#if canImport(Glibc)
import Glibc
#endif
import ScrubjayRules

/// `application/x-www-form-urlencoded` text (request bodies, URL query strings): the
/// parameters with their raw and decoded names and values, so one value can be rewritten
/// and the others kept byte for byte.
struct FormEncoded {
    struct Pair {
        var rawName: [UInt8]
        var rawValue: [UInt8]
        /// Whether the pair has an `=` (`a` and `a=` differ).
        var hasValue: Bool
        /// Percent-decoded, `+` as space.
        var name: [UInt8]
        var value: [UInt8]
    }
    var pairs: [Pair]

    /// Parses `text` when it looks form-encoded: no whitespace or quotes, at least one `=`.
    /// Otherwise nil. Names and values are decoded as a browser does (`decodeLeniently`: a
    /// stray `%` hides nothing).
    init?(_ text: [UInt8]) {
        guard text.withUnsafeBytes(FormEncoded.mayHold) else { return nil }
        var pairs: [Pair] = []
        for part in text.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let eq = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = Array(part[..<(eq ?? part.endIndex)])
            let rawValue = eq.map { Array(part[($0 + 1)...]) } ?? []
            guard let name = FormEncoded.decodeLeniently(rawName), let value = FormEncoded.decodeLeniently(rawValue) else { return nil }
            pairs.append(Pair(rawName: rawName, rawValue: rawValue, hasValue: eq != nil, name: name, value: value))
        }
        self.pairs = pairs
    }

    /// Whether `text` has the look of form-encoded text (at least one `=`, no whitespace,
    /// quote, brace or angle bracket): the cheap test before parsing, read in place.
    static func mayHold(_ text: UnsafeRawBufferPointer) -> Bool {
        var equals = false
        for b in text {
            if b <= 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") || b == UInt8(ascii: "<") { return false }
            if b == UInt8(ascii: "=") { equals = true }
        }
        return equals
    }

    /// The text again, each pair as it was except where `newName` gives a name or `newValue`
    /// a value (written percent-encoded). `valueAt`, when given, learns where each pair's
    /// value (by the pair's index) stands in it, just after `newValue` is asked for it.
    func joined(name newName: (Pair) -> [UInt8]? = { _ in nil }, _ newValue: (Pair) -> [UInt8]?,
                valueAt: ((Int, Range<Int>) -> Void)? = nil) -> [UInt8] {
        var out: [UInt8] = []
        for (n, pair) in pairs.enumerated() {
            if n > 0 { out.append(UInt8(ascii: "&")) }
            // A name written without escapes keeps its other bytes as they were (text that
            // only looks form-encoded reads as before).
            out += newName(pair).map(pair.rawName == pair.name ? FormEncoded.encodeDelimiters : FormEncoded.encode) ?? pair.rawName
            if pair.hasValue { out.append(UInt8(ascii: "=")) }
            let start = out.count
            out += newValue(pair).map(FormEncoded.encode) ?? pair.rawValue
            valueAt?(n, start..<out.count)
        }
        return out
    }

    /// `raw` percent-decoded, `+` as a space: nil when a `%` is not followed by two hex
    /// digits (then the text is not form-encoded) or when the result is not UTF-8 (rules
    /// read UTF-8 only: an escape of a stray byte, `%FF`, leaves the text as it is).
    static func decode(_ raw: [UInt8]) -> [UInt8]? { decode(raw, lenient: false) }

    /// `raw` decoded as a browser's `URLSearchParams` does: a `%` not followed by two hex
    /// digits stays as it is, and bytes that are not UTF-8 become U+FFFD (what the page shows).
    static func decodeLeniently(_ raw: [UInt8]) -> [UInt8]? { decode(raw, lenient: true) }

    /// `decodeLeniently` for a URL path segment, where `+` is itself.
    static func decodePathSegment(_ raw: [UInt8]) -> [UInt8]? { decode(raw, lenient: true, plusIsSpace: false) }

    private static func decode(_ raw: [UInt8], lenient: Bool, plusIsSpace: Bool = true) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b == UInt8(ascii: "%") {
                if i + 2 < raw.count, let h = hexValue(raw[i + 1]), let l = hexValue(raw[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                if !lenient { return nil }
            }
            out.append(b == UInt8(ascii: "+") && plusIsSpace ? 0x20 : b)
            i += 1
        }
        if out.contains(where: { $0 >= 0x80 }) && String(validating: out, as: UTF8.self) == nil {
            return lenient ? Array(String(decoding: out, as: UTF8.self).utf8) : nil
        }
        return out
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    /// Percent-encodes only what would end or change a name or value: `&`, `=`, `+`, `%`,
    /// `#`, control characters and white space (UTF-8 stays as it was written).
    static func encodeDelimiters(_ value: [UInt8]) -> [UInt8] {
        percentEncode(value) { b in
            b == UInt8(ascii: "&") || b == UInt8(ascii: "=") || b == UInt8(ascii: "+") || b == UInt8(ascii: "%") || b == UInt8(ascii: "#")
                || b <= 0x20 || b == 0x7F
        }
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986) and `*`.
    static func encode(_ value: [UInt8]) -> [UInt8] {
        percentEncode(value) { b in
            !((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
              || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~") || b == UInt8(ascii: "*"))
        }
    }

    /// `value` with each byte `escaped` accepts written `%XX`.
    private static func percentEncode(_ value: [UInt8], _ escaped: (UInt8) -> Bool) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in value {
            if escaped(b) { out += [UInt8(ascii: "%"), digits[Int(b >> 4)], digits[Int(b & 15)]] } else { out.append(b) }
        }
        return out
    }
}

/// A URL cut into the parts field paths name (`scheme://userinfo@host/path?query#fragment`);
/// `joined()` puts it back, byte for byte where nothing changed.
struct URLParts {
    var head: [UInt8]      // scheme and "//", or nothing for a relative URL
    var userinfo: [UInt8]?
    var host: [UInt8]
    var path: [UInt8]
    var query: [UInt8]?
    var fragment: [UInt8]?

    init?(_ url: [UInt8]) {
        var rest = url[...]
        if let f = rest.firstIndex(of: UInt8(ascii: "#")) { fragment = Array(rest[(f + 1)...]); rest = rest[..<f] } else { fragment = nil }
        if let q = rest.firstIndex(of: UInt8(ascii: "?")) { query = Array(rest[(q + 1)...]); rest = rest[..<q] } else { query = nil }
        // scheme://authority
        if let colon = rest.firstIndex(of: UInt8(ascii: ":")), colon > rest.startIndex, colon + 2 < rest.endIndex,
           rest[colon + 1] == UInt8(ascii: "/"), rest[colon + 2] == UInt8(ascii: "/"),
           rest[..<colon].allSatisfy({ ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }) {
            head = Array(rest[..<(colon + 3)])
            rest = rest[(colon + 3)...]
            let authorityEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
                userinfo = Array(authority[..<at])
                host = Array(authority[(at + 1)...])
            } else {
                userinfo = nil
                host = Array(authority)
            }
            path = Array(rest[authorityEnd...])
        } else {
            head = []
            userinfo = nil
            host = []
            path = Array(rest)
        }
    }

    /// The parts field paths name.
    enum Part { case userinfo, path, query, fragment }

    /// The URL put together again; `partAt`, when given, learns where each part it has stands
    /// in it.
    func joined(partAt: ((Part, Range<Int>) -> Void)? = nil) -> [UInt8] {
        var out = head
        func put(_ part: Part, _ bytes: [UInt8]) {
            let start = out.count
            out += bytes
            partAt?(part, start..<out.count)
        }
        if let userinfo { put(.userinfo, userinfo); out.append(UInt8(ascii: "@")) }
        out += host
        put(.path, path)
        if let query { out.append(UInt8(ascii: "?")); put(.query, query) }
        if let fragment { out.append(UInt8(ascii: "#")); put(.fragment, fragment) }
        return out
    }
}

enum URLText {
    /// Whether a string of any channel is a URL whose parts are worth reading decoded: it
    /// starts with `http://`, `https://` (any case) or `/` and holds a `%` or a `+`.
    @inline(__always) static func isURL(_ text: UnsafeRawBufferPointer) -> Bool {
        // Most strings start with neither: one byte tells.
        guard let p = text.baseAddress, text.count > 1, p.load(as: UInt8.self) | 0x20 == UInt8(ascii: "h") || p.load(as: UInt8.self) == UInt8(ascii: "/") else { return false }
        return isURLAfterFirstByte(text)
    }

    /// Whether `text` starts as a URL does, before its first `=`: a path (`/`) or a scheme and
    /// `://` (`https://`, `myapp://`), so that it is no form-encoded text.
    static func startsAsURL(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let first = text.first else { return false }
        if first == UInt8(ascii: "/") { return true }
        var i = 0
        // A scheme: a letter, then letters, digits, `+`, `-` or `.`.
        guard (first | 0x20) &- 0x61 < 26 else { return false }
        while i < text.count, (text[i] | 0x20) &- 0x61 < 26 || text[i] &- 0x30 < 10 || text[i] == 0x2B || text[i] == 0x2D || text[i] == 0x2E { i += 1 }
        return i + 2 < text.count && text[i] == UInt8(ascii: ":") && text[i + 1] == UInt8(ascii: "/") && text[i + 2] == UInt8(ascii: "/")
    }

    /// `matches` in `url` (a URL: text that starts as one, without white space) kept inside the query parameter
    /// or fragment parameter each starts in: a raw `&` or `#` ends a query value, and `&` a
    /// fragment's (`?password=abc123#section-2`: a rule that reads a password to the next space
    /// took the fragment too, and the page's anchor was lost). Matches before the `?`, and in
    /// text that is no URL, are as they were; one cut to what redaction writes is dropped.
    static func keptInsideParameters(_ matches: [RuleMatch], in url: UnsafeRawBufferPointer, engine: RuleEngine) -> [RuleMatch] {
        // A whole URL: no white space (text that starts with one and goes on is read as text).
        guard !matches.isEmpty, startsAsURL(url), !url.contains(where: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }), let base = url.baseAddress,
              let q = memchr(base, Int32(UInt8(ascii: "?")), url.count).map({ base.distance(to: UnsafeRawPointer($0)) })
                ?? memchr(base, Int32(UInt8(ascii: "#")), url.count).map({ base.distance(to: UnsafeRawPointer($0)) }) else { return matches }
        let fragment = url[q...].firstIndex(of: UInt8(ascii: "#")) ?? url.count
        var out: [RuleMatch] = []
        out.reserveCapacity(matches.count)
        for m in matches {
            guard m.range.lowerBound > q, !m.limited else { out.append(m); continue }
            let start = m.range.lowerBound
            var end = m.range.upperBound
            if let stop = url[start..<end].firstIndex(where: { $0 == UInt8(ascii: "&") || ($0 == UInt8(ascii: "#") && start < fragment) }) {
                end = stop
            }
            if end == m.range.upperBound { out.append(m); continue }
            // Cut shorter, it may be what redaction wrote (`?password=[password]#top`).
            if end > start && !engine.isRedacted(UnsafeRawBufferPointer(rebasing: url[start..<end]), foundBy: m.rule) {
                out.append(RuleMatch(rule: m.rule, range: start..<end, limited: false))
            }
        }
        return out
    }

    static func isURLAfterFirstByte(_ text: UnsafeRawBufferPointer) -> Bool {
        let p = text.baseAddress!
        if p.load(as: UInt8.self) != UInt8(ascii: "/") {
            // "http://" or "https://", letters in any case: seven bytes loaded as one word (the
            // eighth is the string's or its JSON's closing quote at the latest).
            guard text.count > 8 else { return false }
            let head = p.loadUnaligned(as: UInt64.self).littleEndian | 0x0000_0020_2020_2020 // the letters folded
            let http: UInt64 = 0x00_2F_2F_3A_70_74_74_68, https: UInt64 = 0x2F_2F_3A_73_70_74_74_68
            guard head & 0x00FF_FFFF_FFFF_FFFF == http || head == https else { return false }
        }
        let base = text.baseAddress!
        return memchr(base, Int32(UInt8(ascii: "%")), text.count) != nil || memchr(base, Int32(UInt8(ascii: "+")), text.count) != nil
    }
}
