import Foundation
import ScrubjayFormats

/// Host names: taken from URLs, and matched against a policy's patterns.
public enum Hosts {
    /// The lower-cased host of a URL (`URLHost.of`).
    public static func host(of url: String) -> String? { URLHost.of(url) }

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
