import Testing
@testable import ScrubjayFormats

/// `URLHost.of` reads ASCII URLs as bytes; it must answer exactly as the Character-based
/// reading it replaced (kept for other text), which `HostsTests` checks on known cases.
@Suite("URL hosts")
struct URLHostTests {
    @Test func bytesAndCharactersAgreeOnRandomURLs() {
        // The bytes the rules turn on, with whole pieces of URLs among them.
        let pieces = ["https://", "http://", "//", "://", ":", "/", "?", "#", "\\", "@", "[", "]", ".", "-", "_", "+",
                      " ", "\t", "\r\n", "a", "Z", "0", "9", "example", "COM", "localhost", "8080", "user:pw@", "[::1]",
                      "mailto:", "data:", "%20", "~", "!", "*"]
        var random = XorShift(state: 0xC0FFEE)
        var withHost = 0
        for _ in 0..<20_000 {
            let url = (0..<(1 + random.next(9))).map { _ in pieces[random.next(pieces.count)] }.joined()
            let expected = URLHost.ofCharacters(url)
            #expect(URLHost.of(url) == expected, "\(url.debugDescription)")
            if expected != nil { withHost += 1 }
        }
        #expect(withHost > 500) // the generator reaches hosts, not only rejections
    }

    @Test func knownURLs() {
        let cases: [(String, String?)] = [
            ("  https://API.Example.com:443/v1/total?x=1  ", "api.example.com"),
            ("\thttps://a.b/", "a.b"),
            ("https://user@[2001:DB8::1]:8443/", "[2001:db8::1]"),
            ("https://[::1", nil),
            ("https:///path", nil),
            ("://host.example", nil),
            ("h t://host.example", nil),
            ("localhost", "localhost"),
            ("localhost:3000", "localhost"),
            ("example.com:80x", nil),
            ("https://example.com\\evil.org/", "example.com"),
            ("https://exa_mple.com/", "exa_mple.com"),
            ("https://example.com.../", "example.com"),
            ("https://.../", nil),
            ("https://bücher.example/", nil), // not ASCII: read by Characters
        ]
        for (url, host) in cases {
            #expect(URLHost.of(url) == host, "\(url)")
            #expect(URLHost.ofCharacters(url) == host, "\(url)")
        }
    }
}
