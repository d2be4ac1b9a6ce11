import Foundation

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Host names: taken from URLs, and matched against a policy's patterns.
public enum Hosts {
    /// The lower-cased host of an absolute URL (`https://a.example.com:8443/x` →
    /// `a.example.com`), of a scheme-relative one (`//cdn.example.com/x`), or of a bare host
    /// (`eu.i.posthog.com`). Nil for a relative URL or anything without a host.
    public static func host(of url: String) -> String? {
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

    /// Whether `host` matches `pattern`: an exact name (case-insensitive), `*.example.com`
    /// (any subdomain of example.com, not example.com itself), or `*` (anything). A pattern
    /// may hold `*` elsewhere too, standing for any run of characters within one label.
    public static func matches(_ host: String, pattern: String) -> Bool {
        let h = Array(host.lowercased().utf8), p = Array(pattern.lowercased().utf8)
        if p == [UInt8(ascii: "*")] { return true }
        if p.count > 2, p[0] == UInt8(ascii: "*"), p[1] == UInt8(ascii: "."), !p.dropFirst(2).contains(UInt8(ascii: "*")) {
            let suffix = p.dropFirst(1) // ".example.com"
            return h.count > suffix.count && h.suffix(suffix.count).elementsEqual(suffix)
        }
        return glob(h[...], p[...], crossesDots: false)
    }

    /// `*` matches any run of characters; with `crossesDots` false, none of them a dot.
    static func glob(_ v: ArraySlice<UInt8>, _ p: ArraySlice<UInt8>, crossesDots: Bool) -> Bool {
        guard let first = p.first else { return v.isEmpty }
        if first == UInt8(ascii: "*") {
            var i = v.startIndex
            while true {
                if glob(v[i...], p.dropFirst(), crossesDots: crossesDots) { return true }
                guard i < v.endIndex, crossesDots || v[i] != UInt8(ascii: ".") else { return false }
                i += 1
            }
        }
        guard let c = v.first, c == first else { return false }
        return glob(v.dropFirst(), p.dropFirst(), crossesDots: crossesDots)
    }
}

extension Hosts {
    /// A plain glob: `*` stands for any run of characters (dots included); case-insensitive.
    /// For regions (`eu-*`), exception matches and rule ids.
    public static func globMatches(_ value: String, pattern: String) -> Bool {
        glob(Array(value.lowercased().utf8)[...], Array(pattern.lowercased().utf8)[...], crossesDots: true)
    }
}
