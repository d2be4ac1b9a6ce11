import Foundation
import Testing
import ScrubjayPackage
import ScrubjayRules
@testable import ScrubjayRedaction

/// Values the default pack finds however they are written: an email in another script or in
/// full-width characters, a card grouped with dots, an IBAN typed in lower case. Each is
/// planted where recordings carry it (a text node written with `\u` escapes, a console
/// argument, a JSON request body, an attribute), then found, gone from the package, never
/// shown in a preview, and absent from a rescan.
@Suite("Values written in other forms")
struct WrittenFormsTests {
    @Test func foundRedactedAndNotPreviewed() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            // "Kontakt: josé.müller@bücher.de", its non-ASCII letters as JSON escapes.
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{"title":"iban de89 3704 0044 0532 0130 00"},"childNodes":[{"type":3,"textContent":"Kontakt: jos\u00e9.m\u00fcller@b\u00fccher.de","id":8}],"id":7}"#),
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["\"メール：ａｎａ＠ｓｈｏｐ．ｔｅｓｔ\""]}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/pay","method":"POST","requestBody":"{\"memo\":\"paid with 4242.4242.4242.4242\",\"note\":\"ok\"}"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 2)
        #expect(audit.findings.contains { $0.rule == "payment_card" })
        #expect(audit.findings.contains { $0.rule == "iban" && $0.nodeId == 7 })
        let planted = ["müller", "m\\u00fcller", "bücher", "b\\u00fccher", "ａｎａ", "ｓｈｏｐ", "4242.4242.4242", "de89 3704", "0532 0130"]
        for value in planted { #expect(!events.contains(value), "\(value) left") }
        // The last four digits of a card are kept, as `keep_last` says; the body stays JSON.
        #expect(events.contains(#"****.****.****.4242"#))
        #expect(events.contains(#"\"note\":\"ok\""#))
        for f in audit.findings {
            for value in ["müller", "bücher", "ａｎａ", "ｓｈｏｐ", "4242.4242", "3704"] {
                #expect(!f.preview.contains(value), "\(f.rule) preview \(f.preview)")
            }
        }
        #expect(rescan.findings.isEmpty)
    }

    /// Numbers grouped with no-break spaces, as pages write them (`&nbsp;` in the markup is
    /// U+00A0 in the text a recorder reads; French typography groups with U+202F): a phone
    /// number, a card, an IBAN and an SSN are found and masked, the spaces kept.
    @Test func noBreakSpaces() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{"title":"IBAN DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000"},"childNodes":[{"type":3,"textContent":"call +44\#u{A0}20\#u{A0}7946\#u{A0}0958 or 06\#u{202F}12\#u{202F}34\#u{202F}56\#u{202F}78, SSN 078\#u{A0}05\#u{A0}1120","id":8}],"id":7}"#),
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/pay","method":"POST","requestBody":"{\"memo\":\"card 4242\\u00a04242\\u00a04242\\u00a04242\"}"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(Set(audit.findings.map(\.rule)) == ["phone_e164", "phone_eu_pairs", "us_ssn", "iban", "payment_card"])
        for value in ["7946", "0958", "34\u{202F}56", "1120", "3704", "0532", #"4242\\u00a04242"#, "4242\u{A0}4242"] {
            #expect(!events.contains(value), "\(value) left")
        }
        #expect(events.contains("call ***\u{A0}**\u{A0}****\u{A0}****"))
        #expect(events.contains(#"****\\u00a0****\\u00a0****\\u00a04242"#) || events.contains("****\u{A0}****\u{A0}****\u{A0}4242"))
        #expect(rescan.findings.isEmpty)
    }

    /// A form-encoded body's parameter names are read too: a name may be data
    /// (`invite[ana@shop.test]=on`), and text with an `=` that only looks form-encoded is
    /// mostly name (`contact:ana@shop.test;v=2`). Bytes around a rewritten name stay.
    @Test func formParameterNames() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/invite","method":"POST","requestBody":"invite%5Bana.lima%40shop.test%5D=on&bo.berg@shop.test=on"},{"name":"https://api.shop.test/contact","method":"POST","requestBody":"contact:cy.diaz@shop.test;v=2"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 3)
        for value in ["ana.lima", "bo.berg", "cy.diaz"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#"invite%5B"#) && events.contains(#"%5D=on&"#))
        #expect(events.contains(#""requestBody":"contact:*****************;v=2""#))
        #expect(rescan.findings.isEmpty)
    }

    /// Percent-encoded path segments, and URLs outside the URL channel (a `$pageview`'s page,
    /// a navigation's target in a custom payload): read decoded, written back encoded, and
    /// the manifest's page URLs (taken from the redacted events) hold none of them.
    @Test func percentEncodedPartsOfURLs() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"https://app.shop.test/users/ana.lima%40shop.test/settings","width":1000,"height":800},"timestamp":1700000000000}"#,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"img","attributes":{"src":"/avatar/bo.berg%40shop.test.png"},"childNodes":[],"id":6}"#),
            #"{"type":5,"data":{"tag":"$pageview","payload":{"href":"https://app.shop.test/welcome?ref=cy.diaz%40shop.test"}},"timestamp":1700000000200}"#,
            #"{"type":5,"data":{"tag":"navigation","payload":{"to":"/u/di.eze%40shop.test","path":"/a+b/c"}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let input = temporaryPath("urls.json"), output = temporaryPath("urls.zip")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 4)
        for value in ["ana.lima", "bo.berg", "cy.diaz", "di.eze"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""href":"https://app.shop.test/users/******************/settings""#))
        #expect(events.contains(#""path":"/a+b/c""#)) // nothing found: as it was
        #expect(rescan.findings.isEmpty)
        try json.write(toFile: input, atomically: true, encoding: .utf8)
        try RedactionJob.redact(inputs: [input], output: output, rules: defaults, pseudonymKey: nil, options: PackOptions())
        let pages = try ReplayPackage.open(output).manifest.recording.pageURLs
        #expect(!pages.isEmpty)
        #expect(pages.allSatisfy { !$0.contains("ana.lima") && !$0.contains("cy.diaz") && !$0.contains("di.eze") })
    }

    /// A URL's fragment is read as a path and a query too: a hash route
    /// (`#/users/ana.lima%40shop.test/edit`, `#/search?q=...`) and parameters alone
    /// (`#state=...&login_hint=...`), in a page URL, a link and a request; the manifest's
    /// page URLs hold none of them.
    @Test func fragmentsAreReadAsRoutes() throws {
        let json = "[" + [
            #"{"type":4,"data":{"href":"https://app.shop.test/#/users/ana.lima%40shop.test/edit","width":1000,"height":800},"timestamp":1700000000000}"#,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"a","attributes":{"href":"/app#/search?q=bo.berg%40shop.test&page=2"},"childNodes":[],"id":6}"#),
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://id.shop.test/cb#state=x1&login_hint=cy.diaz%40shop.test","method":"GET"}]}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let input = temporaryPath("fragments.json"), output = temporaryPath("fragments.zip")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 3)
        for value in ["ana.lima", "bo.berg", "cy.diaz"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""href":"https://app.shop.test/#/users/******************/edit""#))
        #expect(events.contains(#""href":"/app#/search?q=*****************&page=2""#))
        #expect(events.contains(#"cb#state=x1&login_hint=*****************""#))
        #expect(rescan.findings.isEmpty)
        try json.write(toFile: input, atomically: true, encoding: .utf8)
        try RedactionJob.redact(inputs: [input], output: output, rules: defaults, pseudonymKey: nil, options: PackOptions())
        let pages = try ReplayPackage.open(output).manifest.recording.pageURLs
        #expect(!pages.isEmpty && pages.allSatisfy { !$0.contains("ana.lima") })
    }

    /// CSS strings are read as CSS reads them: `\40 `, `\000040`, `\@` and a backslash
    /// before a line break hide nothing. A string with a finding is written back whole,
    /// escaped for where it stands; the rest of the stylesheet is as it was.
    @Test func cssEscapes() throws {
        let css = #".a::before{content:\"ana.lima\\40 shop.test\"}.b::after{content:'bo.berg\\@shop.test'}.c{content:\"cy.diaz\\000040shop.test and \\\"q\\\"\"}.d{content:\"di.e\\\nze@shop.test\"}.e{color:red}"#
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":""# + css + #"","isStyle":true,"id":8}],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" && $0.channel == .css }.count == 4)
        for value in ["ana.lima", "bo.berg", "cy.diaz", "di.e", "ze@shop"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#"content:\"******************\"}"#))
        #expect(events.contains(#" and \\\"q\\\"\"}"#)) // the rest of an escaped string, escaped again
        #expect(events.contains(#".e{color:red}"#))
        #expect(rescan.findings.isEmpty)
        let cases: [(String, String)] = [(#"a\40 b"#, "a@b"), (#"a\000040b"#, "a@b"), (#"a\@b"#, "a@b"), ("a\\\nb", "ab"),
                                         (#"\e9 t\E9"#, "été"), (#"\0 x"#, "\u{FFFD}x"), (#"\110000"#, "\u{FFFD}"), (#"x\"#, "x")]
        for (raw, value) in cases {
            let got = Array(raw.utf8).withUnsafeBytes { String(decoding: CSSText.unescape($0), as: UTF8.self) }
            #expect(got == value, "\(raw)")
        }
    }

    /// A stylesheet's URLs are URLs: their percent-encoded query values and path segments
    /// are read decoded (`url(/p.png?u=ana%40shop.test)`, an `@import` string, a `style`
    /// attribute, a rule a StyleSheetRule event inserts), rewritten and encoded again; the
    /// rest of the stylesheet, other escapes included, is as it was.
    @Test func percentEncodedURLsInCSS() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"style","attributes":{"_cssText":"@import \"https://fonts.shop.test/css?u=ana.lima%40shop.test\";body{background:url(https://t.shop.test/a%20b.png?u=bo.berg%40shop.test)}.e{color:red}"},"childNodes":[],"id":6},{"type":2,"tagName":"div","attributes":{"style":"background-image:url('/avatars/cy.diaz%40shop.test/photo.png')"},"childNodes":[],"id":7}"#),
            #"{"type":3,"data":{"source":8,"id":6,"adds":[{"rule":".f{background:url(/p?e=di.eze%40shop.test&n=1)}","index":1}]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" && $0.channel == .css }.count == 4)
        for value in ["ana.lima", "bo.berg", "cy.diaz", "di.eze"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#"url(https://t.shop.test/a%20b.png?u="# + String(repeating: "*", count: 17) + #")}.e{color:red}"#))
        #expect(events.contains(#"url('/avatars/"# + String(repeating: "*", count: 17) + #"/photo.png')"#))
        #expect(events.contains(#"url(/p?e="# + String(repeating: "*", count: 16) + #"&n=1)"#))
        #expect(rescan.findings.isEmpty)
    }

    /// A member of a payload or a body is read with its key before it, as its JSON text
    /// reads: what the rules find in `{"password":"c0rrect horse"}` or `{"cvc":"4321"}` written
    /// as free text they find in a console argument, a custom event and a response body too.
    /// Keys that only look alike (`password_hint`, `secretary`) find nothing.
    @Test func membersReadWithTheirKeys() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["{\"user\":\"ana\",\"password\":\"c0rrect horse\"}"]}},"timestamp":1700000000100}"#,
            #"{"type":5,"data":{"tag":"checkout","payload":{"card":{"cvc":"4321"},"password_hint":"blue","secretary":"Ana"}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/me","method":"GET","responseBody":"{\"profile\":{\"pwd\":\"Tr0ub4dor&3\"}}"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "password_pair" }.map(\.channel) == [.console, .network])
        #expect(audit.findings.contains { $0.rule == "card_cvv" && $0.channel == .custom && $0.pointer == "/data/payload/card/cvc" })
        for value in ["c0rrect", "4321", "Tr0ub4dor"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#"\"password\":\"[password]\""#))
        #expect(events.contains(#""password_hint":"blue","secretary":"Ana""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A value read with its key is the member's value whole: a quote, a line break or a
    /// backslash in it (written `\"`, `\n`, `\\` in the JSON) does not end it where it
    /// would end a quoted value in free text, so no part of the password stays.
    @Test func memberValuesHoldingQuotes() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":5,"data":{"tag":"login","payload":{"password":"hun\"ter2","pwd":"\"quoted\" start","secret":"two\nlines"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "password_pair" }.count == 3)
        for value in ["hun", "ter2", "quoted", "start", "two", "lines"] { #expect(!events.contains(value), "\(value) left") }
        #expect(rescan.findings.isEmpty)
    }

    /// A form-encoded body's values are read with their names as a JSON body's members are
    /// with their keys: `pwd=...` and `zip=...` are found as in `{"pwd":"..."}`, and so is the
    /// last part of a nested name (`user[password]=...`, as PHP and Rails write forms).
    @Test func formValuesReadWithTheirNames() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/login","method":"POST","requestBody":"user=ana&pwd=Tr0ub4dor3&zip=94107&note=blue"}]}},"timestamp":1700000000300}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/signup","method":"POST","requestBody":"user%5Bname%5D=ana&user%5Bpassword%5D=Secr3tPw1&user[address][zip][]=10115&tags[]=x"}]}},"timestamp":1700000000400}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["password_pair", "password_pair", "us_zip_code", "us_zip_code"])
        for value in ["Tr0ub4dor3", "94107", "Secr3tPw1", "10115"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("user%5Bname%5D=ana&user%5Bpassword%5D="))
        #expect(events.contains("user=ana&pwd="))
        #expect(events.contains("&note=blue"))
        #expect(rescan.findings.isEmpty)
    }

    /// A key inside a body or a payload is data too (a map keyed by email): it is found,
    /// rewritten inside its quotes, and no finding's pointer spells it.
    @Test func keysInBodiesAndPayloads() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/team","method":"POST","requestBody":"{\"members\":{\"ana.lima@shop.test\":{\"role\":\"admin\",\"phone\":\"+44 20 7946 0958\"}}}"}]}},"timestamp":1700000000300}"#,
            #"{"type":5,"data":{"tag":"identify","payload":{"traits":{"bo.berg@shop.test":{"plan":"pro"},"user_name":"x"}}},"timestamp":1700000000400}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 2)
        #expect(audit.findings.count == 3) // the two keys, and the phone (a field the network pack names)
        for value in ["ana.lima", "bo.berg", "7946"] { #expect(!events.contains(value), "\(value) left") }
        for f in audit.findings { #expect(!f.pointer.contains("@shop.test"), "\(f.pointer)") }
        #expect(audit.findings.contains { $0.pointer == "/data/payload/requests/0/requestBody#/members/******************/phone" })
        #expect(events.contains(#""user_name":"x""#) && events.contains(#""plan":"pro""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A body that is JSON Lines (an NDJSON response) is read line by line as JSON, so an
    /// escape inside hides nothing; the lines are rewritten, the line breaks kept.
    @Test func jsonLinesBodies() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/feed","method":"GET","responseBody":"{\"n\":1}\n{\"owner\":\"ana.lima\\u0040shop.test\"}\n"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 1)
        #expect(!events.contains("ana.lima"))
        #expect(events.contains(#""responseBody":"{\"n\":1}\n{\"owner\":\"******************\"}\n""#))
        #expect(rescan.findings.isEmpty)
    }

    /// Keys rewritten alike stay two members (` (2)`), a key of digits is no array index to
    /// a pointer, and a form name keeps its UTF-8 as written.
    @Test func rewrittenKeysStayDistinct() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":5,"data":{"tag":"team","payload":{"members":{"ana@shop.test":"owner","bob@shop.test":"viewer"},"cards":{"4242424242424242":"visa"}}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/x","method":"POST","requestBody":"café:cy.diaz@shop.test=1"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(events.contains(#""members":{"*************":"owner","************* (2)":"viewer"}"#))
        #expect(events.contains(#""requestBody":"café:*****************=1""#))
        for f in audit.findings { #expect(!f.pointer.contains("4242424242"), "\(f.pointer)") }
        for value in ["ana@", "bob@", "cy.diaz", "4242424242424242"] { #expect(!events.contains(value), "\(value) left") }
        #expect(rescan.findings.isEmpty)
    }

    /// A string of another channel that is a URL is read with that channel's rules, its
    /// findings counted in that channel: a rule of the URL channel alone does not reach into
    /// a text node, and a rule of the text channel reads a percent-encoded part of one.
    @Test func urlsElsewhereKeepTheirChannel() throws {
        let rules = try pack("""
        version: 1
        pack: channels
        rules:
          - id: secret_word
            category: credential
            severity: high
            channels: [url]
            kind: pattern
            pattern: 'topsecret'
            action: mask
            examples: {match: [{input: 'https://x.test/?q=topsecret', output: 'https://x.test/?q=*********'}]}
          - id: text_email
            category: contact
            severity: medium
            channels: [text]
            kind: pattern
            pattern: '[A-Za-z0-9._%+\\-]+@(?:[A-Za-z0-9\\-]+\\.)+[A-Za-z]{2,}'
            keywords: ['@']
            action: mask
            examples: {match: [{input: 'mail ana@shop.test', output: 'mail *************'}]}
        """)
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":3,"textContent":"/users/ana%40shop.test/topsecret%20x","id":8}"#),
        ].joined(separator: ",") + "]"
        let input = temporaryPath("channels.json")
        defer { try? FileManager.default.removeItem(atPath: input) }
        try json.write(toFile: input, atomically: true, encoding: .utf8)
        let audit = try RedactionJob.audit(inputs: [input], rules: rules)
        #expect(audit.findings.map(\.rule) == ["text_email"])
        #expect(audit.findings.allSatisfy { $0.channel == .text })
    }

    /// An iframe's `srcdoc` is HTML: character references hide nothing (`&#64;`, `&#x40;`,
    /// `&commat;`), and only what a rule finds is rewritten, in place; the markup and the
    /// other references stay as they were.
    @Test func srcdocCharacterReferences() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"iframe","attributes":{"srcdoc":"<p class=\"x\">Reply to ana.lima&#64;shop.test, bo.berg&#x40;shop&period;test or cy.diaz&commat;shop.test &amp; co</p>"},"childNodes":[],"id":6}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.count == 3)
        for value in ["ana.lima", "bo.berg", "cy.diaz"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""srcdoc":"<p class=\"x\">Reply to ******************, ***************** or *****************"#))
        #expect(events.contains(#" &amp; co</p>""#))
        #expect(rescan.findings.isEmpty)
        let decoded = Array("a&#64;b &#x41; &commat; &bogus; &#;".utf8).withUnsafeBytes { HTMLText.decode($0) }
        #expect(decoded.map { String(decoding: $0.text, as: UTF8.self) } == "a@b A @ &bogus; &#;")
    }

    /// A URL part percent-encoded twice or three times (`?u=ana%2540shop.test`, a redirect
    /// whose own query is encoded again) is decoded again while it still holds escapes, up to
    /// three rounds; the match is written back encoded as many times, the rest of the part as
    /// it was.
    @Test func percentEncodedTwice() throws {
        let href = "https://shop.test/users/cy%2540shop.test?u=ana%2540shop.test&r=https%3A%2F%2Fx.test%2Fp%3Fm%3Dbob%252540shop.test&n=50%2525"
        let json = "[" + [
            #"{"type":4,"data":{"href":""# + href + #"","width":1000,"height":800},"timestamp":1700000000000}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" && $0.channel == .url }.count == 3)
        for value in ["ana%2540", "bob%252540", "cy%2540", "ana", "bob"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("/users/************?u=*************&r=https%3A%2F%2Fx.test%2Fp%3Fm%3D*************&n=50%2525"))
        #expect(rescan.findings.isEmpty)
        let decoded = Array("a%252540b%41".utf8).withUnsafeBytes { PercentText.decode($0, plusIsSpace: false) }
        #expect(decoded.map { String(decoding: $0.text, as: UTF8.self) } == "a@bA")
        #expect(decoded?.rounds == 3)
    }

    /// A plain value of a payload, a body or a console argument (not a URL) that is
    /// percent-encoded (`"ref":"ana%40shop.test"`) is read decoded: the match is rewritten
    /// over the bytes it came from, every other byte as it was.
    @Test func percentEncodedPlainValues() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":5,"data":{"tag":"checkout","payload":{"ref":"ana%40shop.test","line":"to%20dee%40shop.test%20now","note":"100% sure"}},"timestamp":1700000000100}"#,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["\"cy%40shop.test\""]}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/pay","method":"POST","requestBody":"{\"ref\":\"bob%2540shop.test\",\"note\":\"ok\"}"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.map(\.channel) == [.custom, .custom, .console, .network])
        for value in ["ana%40", "dee%40", "cy%40", "bob%25", "shop.test%20"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""ref":"*************""#))
        #expect(events.contains(#""line":"to%20*************%20now""#))
        #expect(events.contains(#""note":"100% sure""#))
        #expect(events.contains(#"\"note\":\"ok\""#))
        #expect(rescan.findings.isEmpty)
    }

    /// HTML held by a custom event's payload, a console argument or a network body is read
    /// with its character references decoded (`ana&#64;shop.test`, `&commat;`), as a page that
    /// shows it reads it; the match is rewritten in place, the markup and other references kept.
    @Test func characterReferencesInPayloadHTML() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":5,"data":{"tag":"toast","payload":{"html":"<p class=\"m\">Sent to ana&#64;shop.test &amp; co</p>"}},"timestamp":1700000000100}"#,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["\"<b>cy&#x40;shop.test</b>\""]}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/me","method":"GET","responseBody":"<div>bob&commat;shop&period;test</div>"}]}},"timestamp":1700000000300}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.map(\.channel) == [.custom, .console, .network])
        for value in ["ana&#64;", "cy&#x40;", "bob&commat;", "shop&period;"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""html":"<p class=\"m\">Sent to ************* &amp; co</p>""#))
        #expect(events.contains(#""responseBody":"<div>*************</div>""#))
        #expect(rescan.findings.isEmpty)
        let html = Array("<p>a</p>".utf8).withUnsafeBytes(HTMLText.looksLikeHTML), plain = Array("a < b & c > d".utf8).withUnsafeBytes(HTMLText.looksLikeHTML)
        #expect(html && !plain)
    }

    /// A data URL of a textual media type is read as the browser reads its text: base64
    /// decoded (`data:application/json;base64,...`), percent-encoded read decoded
    /// (`data:text/html,%3Cp%3E...`), SVG as the XML text it is (it was skipped as an image).
    /// The text is written back rewritten and encoded as it was, the head kept byte for byte
    /// (a URL's reading had percent-encoded its `,` and `;`, and the URL was no data URL).
    /// Base64 written with percent-escapes (`%3D`) is read as the browser reads it.
    @Test func textualDataURLs() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"a","attributes":{"href":"data:application/json;base64,eyJlbWFpbCI6ImFuYUBzaG9wLnRlc3QiLCJwbGFuIjoicHJvIn0="},"childNodes":[],"id":7},"#
                + #"{"type":2,"tagName":"iframe","attributes":{"src":"data:text/html;charset=utf-8,%3Cp%3Email%20bob%40shop.test%3C%2Fp%3E"},"childNodes":[],"id":8},"#
                + #"{"type":2,"tagName":"img","attributes":{"src":"data:image/svg+xml;utf8,<svg><text>eve@shop.test</text></svg>"},"childNodes":[],"id":9},"#
                + #"{"type":2,"tagName":"div","attributes":{"style":"background:url(data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjx0ZXh0PmN5QHNob3AudGVzdDwvdGV4dD48L3N2Zz4=)"},"childNodes":[],"id":10},"#
                + #"{"type":2,"tagName":"i","attributes":{"style":"background:url(\"data:image/svg+xml;utf8,<svg xmlns=\\\"http://www.w3.org/2000/svg\\\"><text>fay@shop.test</text></svg>\")"},"childNodes":[],"id":11}"#),
            #"{"type":5,"data":{"tag":"upload","payload":{"file":"data:text/plain;base64,bm90ZSBmb3IgZGVlQHNob3AudGVzdA%3D%3D"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.map(\.channel) == [.url, .url, .url, .css, .css, .custom])
        #expect(audit.notScanned.isEmpty)
        for value in ["eyJlbWFpbCI6ImFuYUBzaG9w", "bob%40", "eve@", "fay@", "Pjx0ZXh0PmN5QHNob3", "bm90ZSBmb3IgZGVlQHNob3Au", "%2C%3Cp"] {
            #expect(!events.contains(value), "\(value) left")
        }
        #expect(events.contains(#""href":"data:application/json;base64,eyJlbWFpbCI6IioqKioqKioqKioqKioiLCJwbGFuIjoicHJvIn0=""#))
        #expect(events.contains(#""src":"data:text/html;charset=utf-8,%3Cp%3Email%20*************%3C%2Fp%3E""#))
        #expect(events.contains(#""src":"data:image/svg+xml;utf8,<svg><text>*************</text></svg>""#))
        #expect(events.contains(#"url(data:image/svg+xml;base64,"#))
        // Read as CSS reads it (`\"` is `"`), written back escaped for the string it stands in.
        #expect(events.contains(#"url(\"data:image/svg+xml;utf8,<svg xmlns=\\\"http://www.w3.org/2000/svg\\\"><text>*************</text></svg>\")"#))
        #expect(rescan.findings.isEmpty)
    }

    /// Text outside payloads holds percent-encoded values and character references too: a
    /// URL inside a text node or a `<meta http-equiv=refresh>` content (not a URL itself, so
    /// not read as one), a comment, and text a page shows as written (`cy&#64;shop.test`,
    /// which a reader reads as an address; also in a payload without tags). Each is read
    /// decoded and rewritten over the bytes it came from, encoded as it was.
    @Test func encodedValuesInText() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"Link copied: https://shop.test/invite?email=ana%40shop.test (100% sure)","id":8}],"id":7},"#
                + #"{"type":2,"tagName":"meta","attributes":{"http-equiv":"refresh","content":"0; url=https://shop.test/?u=bob%40shop.test"},"childNodes":[],"id":9},"#
                + #"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"write to cy&#64;shop.test &amp; co","id":11},{"type":5,"textContent":" owner dee%40shop.test ","id":12}],"id":10}"#),
            #"{"type":5,"data":{"tag":"note","payload":{"text":"eve&#x40;shop.test"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.filter { $0.rule == "email" }.map(\.channel) == [.text, .attribute, .text, .comment, .custom])
        for value in ["ana%40", "bob%40", "cy&#64;", "dee%40", "eve&#x40;", "shop.test%"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""textContent":"Link copied: https://shop.test/invite?email=************* (100% sure)""#))
        #expect(events.contains(#""content":"0; url=https://shop.test/?u=*************""#))
        #expect(events.contains(#""textContent":"write to ************ &amp; co""#))
        #expect(rescan.findings.isEmpty)
    }

    /// Characters that look like the ASCII a rule reads, or hide inside a value, as pages
    /// write them: full-width digits (Japanese input methods type them), Arabic-Indic digits,
    /// en dashes and thin spaces between groups, a zero-width space or a soft hyphen inside an
    /// address or a card. Each value is found and rewritten over the bytes it came from; a
    /// date range written with an en dash is left alone.
    @Test func lookAlikeCharacters() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{"title":"カード ４２４２ ４２４２ ４２４２ ４２４２"},"childNodes":[{"type":3,"textContent":"call 415\#u{2013}555\#u{2013}0134 or +44\#u{2009}20\#u{2009}7946\#u{2009}0958, open Mon\#u{2013}Fri 2019\#u{2013}2024","id":8}],"id":7},"#
                + #"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"mail ana@​shop.test, card 4242­4242­4242­4242","id":10}],"id":9}"#),
            #"{"type":5,"data":{"tag":"profile","payload":{"phone":"٠٦ ١٢ ٣٤ ٥٦ ٧٨"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["email", "payment_card", "payment_card", "phone_e164", "phone_eu_pairs", "phone_nanp"])
        for value in ["４２４２ ４２４２", "555\u{2013}0134", "7946\u{2009}0958", "ana@", "\u{200B}shop", #"\u200bshop"#, "4242\u{AD}4242", #"\u00ad4242"#, "٣٤ ٥٦"] {
            #expect(!events.contains(value), "\(value) left")
        }
        #expect(events.contains("Mon\u{2013}Fri 2019\u{2013}2024") || events.contains(#"Mon\u2013Fri 2019\u20132024"#))
        #expect(events.contains("カード **** **** **** 4242"))
        #expect(rescan.findings.isEmpty)
    }

    /// A match in a percent-encoded value over bytes written with no escape (a card beside a
    /// link in a text node, in a payload) is written as a match in the text as written is:
    /// its spaces stay spaces, not `%20`; one over escapes is written back encoded.
    @Test func percentViewsEscapeOnlyEscapedSpans() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"https://x.test/?u=ana%40shop.test card 4242 4242 4242 4242","id":8}],"id":7}"#),
            #"{"type":5,"data":{"tag":"note","payload":{"text":"ref=bob%40shop.test card 4242 4242 4242 4242&p=4242%204242%204242%204242"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["email", "email", "payment_card", "payment_card", "payment_card"])
        #expect(events.contains(#""textContent":"https://x.test/?u=************* card **** **** **** 4242""#))
        #expect(events.contains(#""text":"ref=************* card **** **** **** 4242&p=****%20****%20****%204242""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A value with an escape or a reference and a look-alike is read with both: the card in
    /// full-width digits beside a percent-encoded address, or in HTML with a reference, is
    /// found with the address (the escapes alone read the address, and the card was left).
    @Test func escapesAndLookAlikesTogether() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"sent ana%40shop.test card ４２４２ ４２４２ ４２４２ ４２４２","id":8}],"id":7}"#),
            #"{"type":5,"data":{"tag":"note","payload":{"text":"<p>bob&#64;shop.test ٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢</p>"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["email", "email", "payment_card", "payment_card"])
        for value in ["ana%40", "bob&#64;", "４２４２", "٤٢٤٢"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains("<p>************* ************4242</p>"))
        #expect(rescan.findings.isEmpty)
    }

    /// An iframe's `srcdoc` with a character reference is read with its look-alikes as ASCII
    /// too, as any text is (its references alone were read, and the card was left).
    @Test func lookAlikesInSrcdoc() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"iframe","attributes":{"srcdoc":"<p>Tom &amp; Ana: ４２４２ ４２４２ ４２４２ ４２４２</p>"},"childNodes":[],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["payment_card"])
        #expect(events.contains(#""srcdoc":"<p>Tom &amp; Ana: **** **** **** 4242</p>""#))
        #expect(rescan.findings.isEmpty)
    }

    /// Look-alikes written as named references (`&shy;`, `&ndash;`, `&thinsp;`) are read as
    /// the characters they stand for, and so as ASCII or dropped (they were left as written,
    /// and the address or the phone with them).
    @Test func lookAlikesAsNamedReferences() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"mail ana&shy;@shop.test or call 415&ndash;555&ndash;0134 ok","id":8}],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["email", "phone_nanp"])
        #expect(events.contains(#""textContent":"mail ************* or call ************ ok""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A text in full-width letters with no digit is read as ASCII too: a name stated in
    /// full-width letters was read as written, and the rule that reads `my name is` did not
    /// find it; a sentence with full-width punctuation alone is still read as written.
    @Test func fullWidthLettersWithoutDigits() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"ｍｙ ｎａｍｅ ｉｓ Ａｎａ Ｌｉｍａ。","id":8}],"id":7},"#
                + #"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"（お問い合わせ）！","id":10}],"id":9}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["self_identified_name"])
        #expect(events.contains("ｍｙ ｎａｍｅ ｉｓ *** ****。"))
        #expect(events.contains("（お問い合わせ）！"))
        #expect(rescan.findings.isEmpty)
    }

    /// A textual data URL's text is read with its look-alikes as ASCII, as any text is: a
    /// phone in full-width digits and en dashes, a card in full-width digits inside base64.
    @Test func lookAlikesInDataURLs() throws {
        let card = Data("card ４２４２ ４２４２ ４２４２ ４２４２".utf8).base64EncodedString()
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"a","attributes":{"href":"data:text/plain,call ４１５–５５５–０１３４","title":"data:text/plain;base64,"# + card + #""},"childNodes":[],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["payment_card", "phone_nanp"])
        #expect(!events.contains("０１３４") && !events.contains(card))
        #expect(events.contains(#""href":"data:text/plain,call ************""#))
        #expect(events.contains(#""title":"data:text/plain;base64,"# + Data("card **** **** **** 4242".utf8).base64EncodedString() + #"""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A payload member's value in look-alikes is read with its key as ASCII, as the value
    /// alone is: `"cvc":"１２３"` and `"zip":"９４１０７"` were left (the rules that read the
    /// word before a value read ASCII digits).
    @Test func lookAlikeValuesReadWithTheirKey() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":5,"data":{"tag":"checkout","payload":{"cvc":"１２３","zip":"９４１０７","note":"ok ３"}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["card_cvv", "us_zip_code"])
        #expect(events.contains(#""cvc":"***""#) && events.contains(#""zip":"*****""#) && events.contains(#""note":"ok ３""#))
        #expect(rescan.findings.isEmpty)
    }

    /// An attribute's value is read with its name before it, as a payload member's value is
    /// read with its key: `data-phone="4155550134"`, `data-customer-ssn="123456789"` and
    /// `data-dob` were left, and so were the `value` of a hidden input and the `content` of a
    /// `<meta>`, read with the element's `name` (a form's later step carries what an earlier
    /// one typed in hidden inputs, which record-time masking leaves). An attribute whose name
    /// holds no word of a rule, or whose value is not what the word names, stays.
    @Test func attributeValuesReadWithTheirName() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"meta","attributes":{"name":"csrf-token","content":"q9Zk3LmP0vXr7TbN2sYw8hJcFdGa5eUi4oKpQxRt6yA="},"childNodes":[],"id":6},{"type":2,"tagName":"div","attributes":{"class":"customer","data-phone":"4155550134","data-customer-ssn":"123456789","data-dob":"1985-03-14","data-count":"123456789","title":"4155550134"},"childNodes":[],"id":7},{"type":2,"tagName":"form","attributes":{},"childNodes":[{"type":2,"tagName":"input","attributes":{"type":"hidden","name":"zip","value":"94107"},"childNodes":[],"id":9},{"type":2,"tagName":"input","attributes":{"type":"hidden","name":"step","value":"94107"},"childNodes":[],"id":10}],"id":8}"#),
            #"{"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":7,"attributes":{"data-mobile":"4155550199"}}],"removes":[],"adds":[]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["date_of_birth", "generic_secret", "phone_after_word", "phone_after_word", "us_ssn_after_word", "us_zip_code"])
        for value in ["4155550199", "1985-03-14", "q9Zk3LmP0vXr7TbN", #""name":"zip","value":"94107""#] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""data-phone":"**********""#) && events.contains(#""data-customer-ssn":"*********""#))
        // No word before them: a count, a title, a hidden step number stay.
        #expect(events.contains(#""data-count":"123456789""#) && events.contains(#""title":"4155550134""#))
        #expect(events.contains(#""name":"step","value":"94107""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A field's nested name, as Rails and PHP forms write it (`customer[ssn]`,
    /// `order[billing][zip]`), names its value by its last part, as a form-encoded body's
    /// parameter does: a hidden input's `123456789` and `94107` were left.
    @Test func hiddenInputsWithNestedNames() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"form","attributes":{},"childNodes":[{"type":2,"tagName":"input","attributes":{"type":"hidden","name":"customer[ssn]","value":"123456789"},"childNodes":[],"id":7},{"type":2,"tagName":"input","attributes":{"type":"hidden","name":"order[billing][zip]","value":"94107"},"childNodes":[],"id":8},{"type":2,"tagName":"input","attributes":{"type":"hidden","name":"zip[step]","value":"94107"},"childNodes":[],"id":9}],"id":6}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["us_ssn_after_word", "us_zip_code"])
        #expect(events.contains(#""name":"customer[ssn]","value":"*********""#) && events.contains(#""name":"order[billing][zip]","value":"*****""#))
        #expect(events.contains(#""name":"zip[step]","value":"94107""#)) // its own name is `step`
        #expect(rescan.findings.isEmpty)
    }

    /// A base64 data URL with a fragment (`#icon`, which a browser drops before it decodes)
    /// is read as a data URL, and its fragment kept.
    @Test func base64DataURLsWithAFragment() throws {
        let url = "data:text/plain;base64," + Data("x eve@shop.test".utf8).base64EncodedString()
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"a","attributes":{"href":"\#(url)#icon"},"childNodes":[],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["email"])
        #expect(events.contains(#""href":"data:text/plain;base64,"# + Data("x *************".utf8).base64EncodedString() + #"#icon""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A base64 data URL in a network body, whole or a JSON member's value, is read as a data
    /// URL though its padding `=` makes it look form-encoded (it was read as a form's name
    /// with an empty value, and the address inside was left).
    @Test func paddedDataURLsInBodies() throws {
        let url = "data:text/plain;base64," + Data("x eve@shop.test  ".utf8).base64EncodedString()
        #expect(url.hasSuffix("="))
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.test/u","requestBody":"\#(url)","responseBody":"{\"f\":\"\#(url)\"}"}]}},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["email", "email"])
        #expect(audit.findings.allSatisfy { $0.channel == .network })
        #expect(!events.contains(url))
        #expect(events.contains("data:text/plain;base64," + Data("x *************  ".utf8).base64EncodedString()))
        #expect(rescan.findings.isEmpty)
    }

    /// CSS strings, URLs and comments are read with their look-alikes as ASCII, as every
    /// channel but `url` and `input` is: a card in full-width digits in `content`, an address
    /// split by a zero-width space; the rest of the rule is kept.
    @Test func lookAlikesInCSS() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{"style":"content:\"card ４２４２ ４２４２ ４２４２ ４２４２\";color:red"},"childNodes":[],"id":7},"#
                + #"{"type":2,"tagName":"i","attributes":{"style":"content:'ana@\#u{200B}shop.test \\22'/* bob@\#u{200B}shop.test */"},"childNodes":[],"id":8}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule).sorted() == ["email", "email", "payment_card"])
        #expect(audit.findings.allSatisfy { $0.channel == .css })
        #expect(events.contains(#""style":"content:\"card **** **** **** 4242\";color:red""#))
        #expect(events.contains(#""style":"content:'************* \"'/* ************* */""#))
        #expect(!events.contains("ana@") && !events.contains("bob@"))
        #expect(rescan.findings.isEmpty)
    }

    /// The one-pass byte test before the decoded readings (`LookAlikeText.mayBeEncoded`, eight
    /// bytes at a time with an overlapping last word) says what a byte loop says, for every
    /// length around the word size and every position of the byte that decides.
    @Test func encodedByteTestAgreesWithBytes() {
        let deciding: [UInt8] = [0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x7F, 0x80, 0xC2, 0xFF, 0x00, 0x04, 0x20]
        for n in 0...24 {
            for at in 0..<max(n, 1) {
                for b in deciding {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: n)
                    if n > 0 { bytes[at] = b }
                    let expected = bytes.contains { $0 >= 0x80 || ($0 >= 0x24 && $0 <= 0x27) }
                    #expect(bytes.withUnsafeBytes(LookAlikeText.mayBeEncoded) == expected, "\(n) \(at) \(b)")
                }
            }
        }
    }

    /// A name stated in a chat: the browser writes a space typed at the end of an editable
    /// box's text as a no-break space (U+00A0), and the message sent to the transcript keeps
    /// it, as the text mutations carry it. (The editable box itself is masked whole:
    /// SelectorRuleTests.editableTextIsMasked.)
    @Test func statedNamesWithNoBreakSpaces() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{"class":"message"},"childNodes":[{"type":3,"textContent":"hi","id":8}],"id":7}"#),
            #"{"type":3,"data":{"source":0,"texts":[{"id":8,"value":"hi my\u00a0name\u00a0is Ana\u00a0Lima"}],"attributes":[],"removes":[],"adds":[]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["self_identified_name"])
        for value in ["Ana", "Lima"] { #expect(!events.contains(value), "\(value) left") }
        #expect(rescan.findings.isEmpty)
    }

    /// Numbers grouped with hyphen look-alikes (U+2011 non-breaking hyphen, U+2010 hyphen), as
    /// typography tools write them, are found where a plain `-` is.
    @Test func hyphenLookAlikes() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"call +44\#u{2011}20\#u{2011}7946\#u{2011}0958 or 415\#u{2010}555\#u{2010}0134, SSN 078\#u{2011}05\#u{2011}1120","id":8}],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(Set(audit.findings.map(\.rule)) == ["phone_e164", "phone_nanp", "us_ssn"])
        for value in ["7946", "0958", "0134", "1120"] { #expect(!events.contains(value), "\(value) left") }
        #expect(rescan.findings.isEmpty)
    }

    /// An email with a quoted local part (`"ana smith"@shop.test`) is found; a quoted word
    /// before an `@` that starts no domain, or JSON text, is not.
    @Test func quotedLocalPart() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"write to \"ana smith\"@shop.test or \"hi\"@ noon","id":8}],"id":7}"#),
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.map(\.rule) == ["email"])
        #expect(!events.contains("smith"))
        #expect(events.contains(#"write to **** **************** or \"hi\"@ noon"#))
        #expect(rescan.findings.isEmpty)
    }

    /// Card numbers, phone numbers and SSNs stored as JSON numbers in payload data: a custom
    /// event's payload, the JSON inside a console argument (keyed by an email), a network
    /// body, an unknown plugin's payload, an rrweb 1.x Log event's arguments, a recorder's own
    /// member on an event and a wireframe's unknown member. Each is found on its channel at
    /// its pointer, becomes a string of its rule's output (as field rules make the numbers
    /// they select), shows no digit in a preview, and a rescan is clean; the payloads'
    /// ordinary numbers (a total, a timestamp, an amount) stay numbers.
    @Test func numbersInPayloads() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            #"{"type":5,"data":{"tag":"checkout","payload":{"card_number":4111111111111111,"phone":5551234567,"ssn":123456789,"total":1299,"ts":1700000000102}},"timestamp":1700000000100}"#,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["{\"ana.smith@shop.test\":4111111111111111}"]}},"timestamp":1700000000200}"#,
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://api.shop.test/pay","method":"POST","status":200,"startTime":1700000000102,"requestBody":"{\"pan\":5555555555554444,\"amount\":12.5,\"zip\":94107}"}]}},"timestamp":1700000000300}"#,
            #"{"type":6,"data":{"plugin":"acme/probe@1","payload":{"card":[378282246310005],"n":3}},"timestamp":1700000000400}"#,
            #"{"type":3,"data":{"source":11,"level":"log","trace":[],"payload":["\"paid\"",6011111111111117]},"timestamp":1700000000500}"#,
            #"{"type":3,"data":{"source":2,"type":2,"id":5,"x":1,"y":2},"timestamp":1700000000600,"userCard":5105105105105100}"#,
            #"{"type":3,"data":{"source":1,"positions":[{"x":1,"y":2,"id":5,"timeOffset":0}]},"timestamp":1700000000700,"card":4012888888881881}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        let found = audit.findings.map { "\($0.rule) \($0.channel.rawValue) \($0.pointer)" }
        #expect(found == [
            "payment_card custom /data/payload/card_number",
            "phone_after_word custom /data/payload/phone",
            "us_ssn_after_word custom /data/payload/ssn",
            "payment_card console /data/payload/payload/0#/*******************",
            "email console /data/payload/payload/0#/*******************",
            "payment_card network /data/payload/requests/0/requestBody#/pan",
            "us_zip_code network /data/payload/requests/0/requestBody#/zip",
            "payment_card custom /data/payload/card/0",
            "payment_card console /data/payload/1",
            "payment_card custom /userCard",
            "payment_card custom /card",
        ], "\(found)")
        for value in ["4111111111111111", "5551234567", "123456789", "ana.smith", "5555555555554444", "94107", "378282246310005",
                      "6011111111111117", "5105105105105100", "4012888888881881"] {
            #expect(!events.contains(value), "\(value) left")
        }
        // Rewritten as a field rule rewrites a number: a string of the action's output.
        #expect(events.contains(#""card_number":"************1111","phone":"**********","ssn":"*********","total":1299,"ts":1700000000102"#))
        #expect(events.contains(#"\"*******************\":\"************1111\""#))
        #expect(events.contains(#"{\"pan\":\"************4444\",\"amount\":12.5,\"zip\":\"*****\"}"#))
        #expect(events.contains(#""status":200,"startTime":1700000000102"#))
        #expect(events.contains(#"{"card":["***********0005"],"n":3}"#))
        #expect(events.contains(#""userCard":"************5100""#))
        for f in audit.findings where f.rule != "email" { #expect(f.preview.filter(\.isNumber).count <= 1, "\(f.rule) preview \(f.preview)") }
        #expect(rescan.findings.isEmpty)
    }

    /// The numbers payloads are full of (timestamps in milliseconds, microseconds and seconds,
    /// durations, status codes, sizes, prices, ids of every length, a snowflake id, negative
    /// and exponent forms, a 16-digit id that fails the Luhn check, a 9- or 10-digit number
    /// under a key that names no SSN or phone) are read and left as they are, and numbers of
    /// the page's structure are never read, card-shaped or not (a node id, a position, an
    /// attribute, a serialized node's own number member): the package holds the input's
    /// bytes. (`RedactionCorpusTests.redactsEveryRecording` holds every number of the real
    /// recordings to the same.)
    @Test func ordinaryNumbersStayNumbers() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"canvas","attributes":{"width":4111111111111111},"childNodes":[],"id":4111111111111111,"rootId":5555555555554444}"#),
            #"{"type":5,"data":{"tag":"performanceSpan","payload":{"op":"resource.fetch","description":"https://api.shop.test/x","startTimestamp":1700000000.1234,"endTimestamp":1700000000.5678,"data":{"method":"GET","statusCode":200,"request":{"size":2949},"response":{"size":1234567,"body":{"orders":[{"id":4111111111111112,"total":129.99,"qty":3,"created":1700000000102,"snowflake":1234567890123456789,"order_no":123456789,"ref":4155550134,"delta":-42,"big":1e21}]}}}}},"timestamp":1700000000200}"#,
            #"{"type":5,"data":{"tag":"metrics","payload":{"t_us":1700000000102000,"duration":1234.5678,"memory":{"jsHeapSizeLimit":4294705152,"usedJSHeapSize":23456789},"lcp":2512.4,"cls":0.0123,"count":1000000}},"timestamp":1700000000300}"#,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","trace":[],"payload":["{\"elapsed\":987654321,\"at\":1700000000102}"]}},"timestamp":1700000000400}"#,
            #"{"type":3,"data":{"source":1,"positions":[{"x":4111111111111111,"y":2,"id":5,"timeOffset":0}]},"timestamp":1700000000500}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        #expect(audit.findings.isEmpty, "\(audit.findings.map { "\($0.rule) \($0.pointer)" })")
        #expect(rescan.findings.isEmpty)
        let input = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [Any]
        let output = try events.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
        #expect(try canonical(input) == canonical(output))
    }

    /// CSS comments are never shown but are shipped: the text of a comment is read, in a
    /// `<style>` text node (marked `isStyle`, or only under a style element), a `style`
    /// attribute, `_cssText` and a rule a StyleSheetRule event inserts; a match is rewritten
    /// inside the comment and every other byte of the stylesheet is as it was. A backslash in
    /// a comment is no escape, and quotes in one open no string.
    @Test func cssComments() throws {
        let json = "[" + [
            ReadAsPlayedTests.meta,
            ReadAsPlayedTests.snapshot(#"{"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":"/* owner: ana.smith@shop.test */ body { color: red }","isStyle":true,"id":8}],"id":7},{"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":"p{margin:0}/* \"by\" bo.berg@shop.test \\ */ a{color:blue}","id":10}],"id":9},{"type":2,"tagName":"div","attributes":{"style":"/* ana.smith@shop.test */ color: red"},"childNodes":[],"id":11},{"type":2,"tagName":"link","attributes":{"rel":"stylesheet","_cssText":".x{top:0}/*\n * Author: cy.diaz@shop.test\n */.y{left:0}"},"childNodes":[],"id":12}"#),
            #"{"type":3,"data":{"source":8,"id":7,"adds":[{"rule":".f{color:red} /* di.eze@shop.test */","index":1}]},"timestamp":1700000000200}"#,
        ].joined(separator: ",") + "]"
        let (events, audit, rescan) = try redactRecording(json)
        let found = audit.findings.filter { $0.rule == "email" }
        #expect(found.map(\.channel) == [.css, .css, .css, .css, .css])
        #expect(found.map(\.nodeId) == [8, 10, 11, 12, 7])
        #expect(found.first?.pointer == "/data/node/childNodes/0/childNodes/0/childNodes/0/childNodes/0/textContent")
        for value in ["ana.smith", "bo.berg", "cy.diaz", "di.eze", "@shop"] { #expect(!events.contains(value), "\(value) left") }
        #expect(events.contains(#""textContent":"/* owner: ******************* */ body { color: red }""#))
        #expect(events.contains(#""textContent":"p{margin:0}/* \"by\" ***************** \\ */ a{color:blue}""#))
        #expect(events.contains(#""style":"/* ******************* */ color: red""#))
        #expect(events.contains(#""_cssText":".x{top:0}/*\n * Author: *****************\n */.y{left:0}""#))
        #expect(events.contains(#""rule":".f{color:red} /* **************** */""#))
        #expect(rescan.findings.isEmpty)
    }

    /// A rewrite inside a comment never writes `*/` there, which would end the comment early
    /// and turn the rest of it into CSS: between a `*` a rule wrote and a `/` (a masked value
    /// before a `/`, a replacement ending in `*` before one, one holding `*/`) goes a space.
    /// A `*` before the comment's own end, a leading `/` and a comment left open are kept.
    /// Every rewritten stylesheet has the comments and the CSS outside them it had.
    @Test func cssCommentRewritesNeverEndTheComment() throws {
        let rules = try pack("""
        version: 1
        pack: comments
        rules:
          - id: star_end
            category: identifier
            severity: low
            channels: [css]
            kind: pattern
            pattern: 'ref-\\d+'
            action: replace
            replacement: 'ref*'
            examples: {match: [{input: 'a ref-12 b', output: 'a ref* b'}]}
          - id: holds_end
            category: identifier
            severity: low
            channels: [css]
            kind: pattern
            pattern: 'key-\\d+'
            action: replace
            replacement: '/*[k]*/'
            examples: {match: [{input: 'a key-1 b', output: 'a /*[k]*/ b'}]}
          - id: email
            category: contact
            severity: medium
            channels: [css]
            kind: pattern
            pattern: '[a-z.]+@shop\\.test'
            action: mask
            examples: {match: [{input: 'to ana@shop.test', output: 'to *************'}]}
        """)
        let cases: [(css: String, out: String)] = [
            ("/* ana@shop.test/x */ a{b:c}", "/* ************* /x */ a{b:c}"),
            ("/*ana@shop.test*/ a{b:c}", "/" + String(repeating: "*", count: 15) + "/ a{b:c}"), // the comment's own end
            ("/* ref-7/ok */ a{b:c}", "/* ref* /ok */ a{b:c}"),
            ("/* key-1 */ a{b:c}", "/* /*[k]* / */ a{b:c}"),
            ("/*/key-2*/a{b:c}", "/*//*[k]* /*/a{b:c}"),
            ("a{b:c} /* left open ana@shop.test/", "a{b:c} /* left open ************* /"),
        ]
        for (css, expected) in cases {
            let event = #"{"type":3,"data":{"source":0,"texts":[],"removes":[],"adds":[],"attributes":[{"id":4,"attributes":{"style":"# + String(decoding: try JSONSerialization.data(withJSONObject: css, options: .fragmentsAllowed), as: UTF8.self) + #"}}]},"timestamp":1}"#
            let (out, r) = try redact(event, rules: rules)
            let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
            let style = (((obj["data"] as! [String: Any])["attributes"] as! [[String: Any]])[0]["attributes"] as! [String: Any])["style"] as! String
            #expect(style == expected, "\(css) -> \(style)")
            #expect(r.findings.count == 1)
            // The same comments, and the same CSS around them.
            func parts(_ text: String) -> (comments: Int, outside: String) {
                let bytes = Array(text.utf8)
                return bytes.withUnsafeBytes { raw in
                    let comments = CSSText.segments(raw).filter { $0.kind == .comment }
                    var outside: [UInt8] = [], cursor = 0
                    for c in comments { outside += bytes[cursor..<(c.range.lowerBound - 2)]; cursor = min(bytes.count, c.range.upperBound + 2) }
                    outside += bytes[min(cursor, bytes.count)...]
                    return (comments.count, String(decoding: outside, as: UTF8.self))
                }
            }
            #expect(parts(style).comments == parts(css).comments && parts(style).outside == parts(css).outside, "\(css) -> \(style)")
            var audit = Redactor(engine: rules.engine, mode: .audit, pseudonymKey: [], collectFindings: true)
            _ = try audit.process(json: Array(out.utf8), window: "w", index: 0)
            #expect(audit.findings.isEmpty, "\(style) found again")
        }
        #expect(CSSText.escape(Array("**/a*/b/".utf8), for: .comment) == Array("** /a* /b/".utf8))
        #expect(CSSText.escape(Array("/x".utf8), for: .comment) == Array("/x".utf8))
    }
}
