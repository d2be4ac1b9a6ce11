import Foundation

/// Hosts taken from URLs: the page URLs and request URLs `inspect` lists, and the hosts
/// policies judge (`Hosts` in ScrubjayPolicy).
public enum URLHost {
    /// The lower-cased host of an absolute URL (`https://a.example.com:8443/x` →
    /// `a.example.com`), of a scheme-relative one (`//cdn.example.com/x`), or of a bare host
    /// (`eu.i.posthog.com`). Nil for a relative URL or anything without a host.
    public static func of(_ url: String) -> String? {
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
