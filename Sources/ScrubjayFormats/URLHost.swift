import Foundation

/// Hosts taken from URLs: the page URLs and request URLs `inspect` lists, and the hosts
/// policies judge (`Hosts` in ScrubjayPolicy).
public enum URLHost {
    /// The lower-cased host of an absolute URL (`https://a.example.com:8443/x` →
    /// `a.example.com`), of a scheme-relative one (`//cdn.example.com/x`), or of a bare host
    /// (`eu.i.posthog.com`). Nil for a relative URL or anything without a host.
    public static func of(_ url: String) -> String? {
        var url = url
        // URLs are ASCII nearly always: read as bytes (the same rules, a hundred times
        // faster than Characters); anything else by Characters.
        if let host = url.withUTF8(ofASCII) { return host }
        return ofCharacters(url)
    }

    /// `of` for ASCII text, on its bytes: nil when the text is not ASCII, else `of`'s answer
    /// (`.some(nil)`: no host).
    static func ofASCII(_ b: UnsafeBufferPointer<UInt8>) -> String?? {
        guard b.allSatisfy({ $0 < 0x80 }) else { return nil }
        @inline(__always) func isAlnum(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 }
        @inline(__always) func lower(_ r: Range<Int>) -> String {
            String(decoding: b[r].lazy.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        func first(_ r: Range<Int>, _ test: (UInt8) -> Bool) -> Int? { r.first { test(b[$0]) } }
        var lo = 0, hi = b.count
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
        if let r = (lo..<max(lo, hi - 2)).first(where: { b[$0] == colon && b[$0 + 1] == slash && b[$0 + 2] == slash }) {
            guard r > lo, b[lo..<r].allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else {
                return .some(nil)
            }
            lo = r + 3
        } else if hi - lo >= 2 && b[lo] == slash && b[lo + 1] == slash {
            lo += 2
        } else {
            // A bare host, perhaps with a port: nothing else (not `mailto:a@b.org`, not a path).
            if let c = first(lo..<hi, { $0 == colon }) {
                guard b[(c + 1)..<hi].allSatisfy({ $0 &- 0x30 < 10 }) else { return .some(nil) }
                hi = c
            }
            let isLocalhost = b[lo..<hi].elementsEqual("localhost".utf8)
            guard first(lo..<hi, { $0 == slash || $0 == UInt8(ascii: "@") }) == nil,
                  isLocalhost || first(lo..<hi, { $0 == UInt8(ascii: ".") }) != nil else { return .some(nil) }
        }
        // Authority: up to the first / ? # \ ; drop userinfo and port.
        if let end = first(lo..<hi, { $0 == slash || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "\\") }) { hi = end }
        if let at = (lo..<hi).last(where: { b[$0] == UInt8(ascii: "@") }) { lo = at + 1 }
        if hi > lo && b[lo] == UInt8(ascii: "[") {
            guard let close = first(lo..<hi, { $0 == UInt8(ascii: "]") }) else { return .some(nil) }
            return .some(lower(lo..<(close + 1)))
        }
        if let c = first(lo..<hi, { $0 == colon }) { hi = c }
        while hi > lo && b[hi - 1] == UInt8(ascii: ".") { hi -= 1 }
        guard hi > lo, b[lo..<hi].allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") }) else {
            return .some(nil)
        }
        return .some(lower(lo..<hi))
    }

    /// `of` by Characters, for text that is not ASCII (and the reference `ofASCII` is tested against).
    static func ofCharacters(_ url: String) -> String? {
        var s = Substring(url.trimmingCharacters(in: .whitespaces))
        if let r = s.range(of: "://") {
            let scheme = s[..<r.lowerBound]
            guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else { return nil }
            s = s[r.upperBound...]
        } else if s.hasPrefix("//") {
            s = s.dropFirst(2)
        } else {
            // A bare host, perhaps with a port: nothing else (not `mailto:a@b.org`, not a path).
            if let colon = s.firstIndex(of: ":") {
                guard s[s.index(after: colon)...].allSatisfy(\.isASCIIDigit) else { return nil }
                s = s[..<colon]
            }
            guard !s.contains("/"), !s.contains("@"), s.contains(".") || s == "localhost" else { return nil }
        }
        // Authority: up to the first / ? # ; drop userinfo and port.
        if let end = s.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "\\" }) { s = s[..<end] }
        if let at = s.lastIndex(of: "@") { s = s[s.index(after: at)...] }
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            return String(s[...close]).lowercased()
        }
        if let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        while s.hasSuffix(".") { s = s.dropLast() }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
            return nil
        }
        return s.lowercased()
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
