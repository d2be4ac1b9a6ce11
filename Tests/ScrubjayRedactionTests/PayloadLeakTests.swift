import Foundation
import Testing
@testable import ScrubjayRedaction

/// Leaks in payloads that a review planted and found (each test one reproducer, cut down):
/// the value is found, gone from the package, and a rescan of the package is clean.
@Suite("Payload values a review found left")
struct PayloadLeakTests {
    static func network(_ request: String, at t: Int = 1) -> String {
        #"{"type":6,"timestamp":\#(t),"data":{"plugin":"rrweb/network@1","payload":{"requests":[\#(request)]}}}"#
    }

    /// A URL that is a body's value, or the whole body, is a URL: it was read as form-encoded
    /// text, so its first parameter's name was `https://x.test/cb?token` and its token stayed.
    @Test func aURLInABodyIsReadAsAURL() throws {
        let json = "[" + Self.network(#"{"name":"https://a.test/","method":"POST","requestBody":"{\"next\":\"https://x.test/cb?token=abc123&password=hunter2x\",\"frag\":\"https://x.test/cb#access_token=FragBodyTok1\"}","responseBody":"https://x.test/cb?session_id=s3ss10n&sig=x"}"#) + "]"
        let (events, audit, rescan) = try redactRecording(json)
        for value in ["abc123", "hunter2x", "FragBodyTok1", "s3ss10n"] { #expect(!events.contains(value), "\(value): \(events)") }
        #expect(audit.findings.count == 5)
        #expect(events.contains(#"https://x.test/cb?token=******&password="#), "\(events)")
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map(\.rule))")
    }

    /// A key with a digit names its value as any key does (`cvv2`, `card_cvc2`, `mobile_1`):
    /// such keys were taken for data and their values read alone.
    @Test func keysWithDigitsNameTheirValues() throws {
        let json = "[" + [
            #"{"type":5,"timestamp":1,"data":{"tag":"checkout","payload":{"cvv2":"987","card_cvc2":"123","mobile_1":"4155550134","line1":"ok"}}}"#,
            Self.network(#"{"name":"https://a.test/","method":"POST","requestBody":"cvv2=987&x=1","responseBody":"{\"cvv2\":987}"}"#, at: 2),
        ].joined(separator: ",") + "]"
        let (events, _, rescan) = try redactRecording(json)
        #expect(!events.contains("987") && !events.contains("123") && !events.contains("4155550134"), "\(events)")
        #expect(events.contains(#""line1":"ok""#))
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map(\.rule))")
    }

    /// Password and token fields named in camelCase or with a suffix (`newPassword`,
    /// `password_confirmation`, `accessToken`, `idToken`), in bodies, URLs and console
    /// arguments: the rules' word boundaries did not see `newPassword`'s.
    @Test func camelCaseCredentialNamesAreRead() throws {
        let json = "[" + [
            Self.network(#"{"name":"https://a.test/api?accessToken=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5","method":"POST","requestBody":"{\"newPassword\":\"correct-horse-battery-staple-99\",\"password_confirmation\":\"correct-horse\",\"idToken\":\"short1\"}"}"#),
            #"{"type":6,"timestamp":2,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","payload":["\"login\"","{\"userPassword\":\"s3cretPw!\",\"refreshToken\":\"Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5\"}"]}}}"#,
        ].joined(separator: ",") + "]"
        let (events, _, rescan) = try redactRecording(json)
        for value in ["Zm9vYmFy", "correct-horse", "short1", "s3cretPw!"] { #expect(!events.contains(value), "\(value): \(events)") }
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map(\.rule))")
    }

    /// What one rule writes is not another's finding on a rescan (`"password":"[redacted]"`,
    /// the field rule's output, was `password_pair`'s; `#id_token=[jwt]`, `url_sensitive_param`'s),
    /// and a value in a URL's query ends at its `&` or `#` (the page's anchor was taken with a
    /// password).
    @Test func redactedURLsAndBodiesRescanClean() throws {
        let json = "[" + [
            Self.network(#"{"name":"https://a.test/","requestBody":"{\"password\":\"hunter2x\"}"}"#),
            Self.network(#"{"name":"https://a.test/","requestBody":"password=hunter2x&a=1"}"#, at: 2),
            #"{"type":5,"timestamp":3,"data":{"tag":"$pageview","payload":{"$current_url":"https://shop.test/p?password=abc123#section-2"}}}"#,
            #"{"type":4,"timestamp":4,"data":{"href":"https://shop.test/cb#id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U","width":1,"height":1}}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.count == 4)
        #expect(!events.contains("hunter2x") && !events.contains("abc123") && !events.contains("eyJhbGci"))
        #expect(events.contains(#"https://shop.test/p?password=[password]#section-2"#), "\(events)")
        #expect(rescan.findings.isEmpty, "\(rescan.findings.map { "\($0.rule) \($0.pointer)" })")
    }
}
