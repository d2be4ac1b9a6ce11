import Foundation
import ScrubjayFormats

/// Host names: taken from URLs, and matched against a policy's patterns.
public enum Hosts {
    /// The lower-cased host of a URL (`URLHost.of`), read as a browser reads the URL before it
    /// connects (`readable`): a request written `HTTPS://`, with a tab inside, with backslashes,
    /// a percent-encoded or full-width dot, or letters beyond ASCII still names the host it reaches.
    public static func host(of url: String) -> String? { URLHost.of(readable(url).text) }

    /// The host of an absolute URL (`scheme://`, any case, or `//`, with `\` for `/` after a web
    /// scheme), read as `host(of:)` does; nil for a relative URL or a bare host.
    public static func absoluteHost(of url: String) -> String? {
        let r = readable(url)
        return r.hasAuthority ? URLHost.of(r.text) : nil
    }

    /// `url` as the WHATWG URL parser reads it, as far as the host goes: leading and trailing
    /// C0 controls and spaces dropped, tabs and newlines removed; after `http`, `https`, `ws`,
    /// `wss` or `ftp` (any case) and at the start, a run of two or more `/` and `\` is `//`; the
    /// host percent-decoded, mapped by NFKC (full-width letters and dots), ideographic full
    /// stops read as dots, lower-cased, and each label beyond ASCII in punycode (`xn--`, as DNS sees it).
    static func readable(_ url: String) -> (text: String, hasAuthority: Bool) {
        // Read up to the end of the authority only: a request body may be megabytes long.
        var scalars = url.unicodeScalars.makeIterator()
        var x = scalars.next()
        while let c = x, c.value <= 0x20 { x = scalars.next() }
        func next() -> Unicode.Scalar? {
            while let c = scalars.next() { if c != "\t" && c != "\n" && c != "\r" { return c } }
            return nil
        }
        func isSlash(_ c: Unicode.Scalar) -> Bool { c == "/" || c == "\\" }
        var scheme = ""
        if let first = x, first.isASCII, Character(first).isLetter {
            var name: [Unicode.Scalar] = []
            while let c = x, c.isASCII, Character(c).isLetter || Character(c).isNumber || c == "+" || c == "-" || c == "." {
                name.append(c)
                x = next()
            }
            guard x == ":" else { return (url, false) }
            scheme = String(String.UnicodeScalarView(name)).lowercased()
            x = next()
        }
        let special = ["http", "https", "ws", "wss", "ftp"].contains(scheme)
        var slashes = 0
        while let c = x, isSlash(c), special || scheme.isEmpty || c == "/" {
            slashes += 1
            x = next()
        }
        guard slashes >= 2 else { return (url, false) }
        // The authority: up to the first / \ ? #; user information up to its last @; the port.
        var authority: [Unicode.Scalar] = []
        while let c = x, !["/", "\\", "?", "#"].contains(c) {
            authority.append(c)
            x = next()
        }
        if x == nil { while let l = authority.last, l.value <= 0x20 { authority.removeLast() } }
        if let a = authority.lastIndex(of: "@") { authority = Array(authority[(a + 1)...]) }
        var port: [Unicode.Scalar] = []
        if authority.first != "[", let c = authority.firstIndex(of: ":") { port = Array(authority[c...]); authority = Array(authority[..<c]) }
        let host = readableHost(String(String.UnicodeScalarView(authority)))
        return ((scheme.isEmpty ? "" : scheme + ":") + "//" + host + String(String.UnicodeScalarView(port)) + "/", true)
    }

    /// A host as DNS is asked for it (WHATWG "domain to ASCII", in part). One that decodes to a
    /// character no host may hold is left as written (so it reads as no host at all).
    static func readableHost(_ host: String) -> String {
        guard host.contains("%") || !host.allSatisfy(\.isASCII) else { return host }
        guard let decoded = host.removingPercentEncoding else { return host }
        var mapped = decoded.precomposedStringWithCompatibilityMapping.lowercased()
        mapped = String(String.UnicodeScalarView(mapped.unicodeScalars.map { ["\u{3002}", "\u{FF0E}", "\u{FF61}"].contains($0) ? "." : $0 }))
        guard !mapped.unicodeScalars.contains(where: { $0.value <= 0x20 || "#%/:<>?@[\\]^|".unicodeScalars.contains($0) }) else { return host }
        var labels: [String] = []
        for label in mapped.split(separator: ".", omittingEmptySubsequences: false) {
            if label.allSatisfy(\.isASCII) { labels.append(String(label)); continue }
            guard let encoded = punycode(String(label)) else { return host }
            labels.append(encoded)
        }
        return labels.joined(separator: ".")
    }

    /// `xn--` and the RFC 3492 encoding of `label`; nil for a label longer than DNS allows.
    static func punycode(_ label: String) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        guard input.count <= 63 else { return nil }
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        var output: [UInt8] = input.filter { $0 < 0x80 }.map { UInt8($0) }
        let basic = output.count
        if basic > 0 { output.append(UInt8(ascii: "-")) }
        func digit(_ d: Int) -> UInt8 { UInt8(d < 26 ? d + 97 : d - 26 + 48) }
        func adapt(_ delta: Int, _ points: Int, _ first: Bool) -> Int {
            var delta = first ? delta / damp : delta / 2
            delta += delta / points
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 { delta /= base - tMin; k += base }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }
        var n = 128, delta = 0, bias = 72, handled = basic
        while handled < input.count {
            let m = input.filter { $0 >= n }.min()!
            delta += (m - n) * (handled + 1)
            n = m
            for c in input {
                if c < n { delta += 1 }
                guard c == n else { continue }
                var q = delta, k = base
                while true {
                    let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, handled + 1, handled == basic)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return "xn--" + String(decoding: output, as: UTF8.self)
    }

    /// Whether `host` matches `pattern`: an exact name (case-insensitive), `*.example.com`
    /// (any subdomain of example.com, not example.com itself), or `*` (anything). A pattern
    /// may hold `*` elsewhere too, standing for any run of characters within one label.
    public static func matches(_ host: String, pattern: String) -> Bool {
        let h = Array(host.lowercased().utf8), p = Array(pattern.lowercased().utf8)
        if p == [UInt8(ascii: "*")] { return true }
        // Text that is not a host (an ingest host packed as `us.example/.eu.example`, with a path or
        // user information) matches no other pattern: its end says nothing about where it connects.
        let isHost = h.allSatisfy { ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") }
            || (h.first == UInt8(ascii: "[") && h.last == UInt8(ascii: "]"))
        guard isHost else { return false }
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
