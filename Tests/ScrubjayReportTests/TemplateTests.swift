import Foundation
import Testing
import ScrubjayPackage
import ScrubjayPolicy
import ScrubjayRedaction
import ScrubjayRules
@testable import ScrubjayReport

@Suite("Templates, previews and coverage")
struct TemplateTests {
    /// The templates compiled into the binary are the files in Reports/.
    @Test func builtinTemplatesMatchReports() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repository + "/Reports").filter { $0.hasSuffix(".mustache") }.sorted()
        #expect(BuiltinTemplates.all.map(\.name) == files, "run python3 Reports/embed.py")
        for (name, text) in BuiltinTemplates.all {
            #expect(text == (try String(contentsOfFile: repository + "/Reports/" + name, encoding: .utf8)), "Reports/\(name) changed: run python3 Reports/embed.py")
        }
        #expect(Set(ReportTemplates.names) == Set(files.map { String($0.dropLast(".mustache".count)) }))
    }

    /// Built-in templates are parsed when first rendered, so each must parse (a broken one
    /// would stop the command that renders it), and the partials a template uses are found.
    @Test func everyBuiltinTemplateParsesAndItsPartialsAreFound() throws {
        for (file, text) in BuiltinTemplates.all {
            #expect(throws: Never.self, "\(file)") { _ = try ReportTemplates.parse(text, source: file) }
        }
        let html = try #require(BuiltinTemplates.all.first { $0.name == "report.html.mustache" }?.text)
        #expect(ReportTemplates.partials(in: html) == ["report-style.css"])
        #expect(ReportTemplates.partials(in: "{{a}} {{> one }}{{<two}}x{{/two}} {{#b}}{{>three}}{{/b}} {{ > four }}") == ["one", "two", "three", "four"])
    }

    /// An organisation's template directory replaces the templates it holds; a misspelt file
    /// or a template that does not parse is refused with the file, line and column.
    @Test func templateDirectoryOverridesAndErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "body { background: #abcdef; }\n".write(toFile: dir + "/report-style.css.mustache", atomically: true, encoding: .utf8)
        let templates = try ReportTemplates(directory: dir)
        #expect(templates.sources["report-style.css"] == dir + "/report-style.css.mustache")
        #expect(templates.sources["report.html"] == "builtin:report.html.mustache")
        let package = dir + "/p.zip"
        try redact([fixtures + "/posthog/with-pageviews.json"], to: package)
        let html = try ReportBuilder.report(ofPackage: package, options: ReportOptions()).text(.html, templates: templates)
        #expect(html.contains("body { background: #abcdef; }") && !html.contains("--accent: #0b5cad"))

        try "# {{title}}\n{{#pages}}\n- {{url}}\n".write(toFile: dir + "/report.md.mustache", atomically: true, encoding: .utf8)
        let broken = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(broken.description.hasPrefix(dir + "/report.md.mustache:"), "\(broken)")
        // The parser's mistakes in words, not its case names ("expectedSectionEnd in ``", "overflow in ``").
        #expect(broken.description == dir + "/report.md.mustache:4:1: a section ({{#name}} or {{^name}}) is never closed with {{/name}}", "\(broken)")
        try "# {{title}}\n{{ oops\n".write(toFile: dir + "/report.md.mustache", atomically: true, encoding: .utf8)
        let open = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(open.description == dir + "/report.md.mustache:3:1: the template ends inside a tag (a {{ without its }})", "\(open)")
        try "{{#a}}{{/b}}\n".write(toFile: dir + "/report.md.mustache", atomically: true, encoding: .utf8)
        let closed = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(closed.description == dir + "/report.md.mustache:1:10: a section is closed ({{/name}}) with another name than it was opened with in `{{#a}}{{/b}}`", "\(closed)")
        // A broken line is quoted cut to 120 characters, however long it is.
        try ("{{#pages}}" + String(repeating: "x", count: 30_000) + "{{/page}}").write(toFile: dir + "/report.md.mustache", atomically: true, encoding: .utf8)
        let long = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(long.description.count < 400 && long.description.hasSuffix("…`"), "\(long.description.prefix(400))")
        try FileManager.default.removeItem(atPath: dir + "/report.md.mustache")
        try "x".write(toFile: dir + "/reprot.html.mustache", atomically: true, encoding: .utf8)
        let misspelt = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(misspelt.description.contains("reprot.html.mustache: not a template name"))
        try FileManager.default.removeItem(atPath: dir + "/reprot.html.mustache")

        // What the Mustache library would recurse on without end: a partial that includes
        // itself (here through the built-in report.html), and sections nested too deep.
        try "{{> report.html}}".write(toFile: dir + "/report-style.css.mustache", atomically: true, encoding: .utf8)
        let cycle = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(cycle.description == dir + "/report-style.css.mustache: includes itself (report-style.css → report.html → report-style.css)", "\(cycle)")
        try (String(repeating: "{{#pages}}", count: 101) + String(repeating: "{{/pages}}", count: 101))
            .write(toFile: dir + "/report-style.css.mustache", atomically: true, encoding: .utf8)
        let deep = try #require(throws: TemplateError.self) { try ReportTemplates(directory: dir) }
        #expect(deep.description == dir + "/report-style.css.mustache: sections nested more than 100 levels deep", "\(deep)")
        try (String(repeating: "{{#pages}}", count: 100) + String(repeating: "{{/pages}}", count: 100))
            .write(toFile: dir + "/report-style.css.mustache", atomically: true, encoding: .utf8)
        _ = try ReportTemplates(directory: dir)
    }

    @Test func markdownEscapesValues() {
        #expect(MarkdownContentType().escapeText("a|b *c* [d](e) <f>\nnext") == #"a\|b \*c\* \[d\](e) \<f\> next"#)
    }

    /// The preview runs nothing and fetches nothing, escapes text and attributes, and outlines
    /// the nodes it is told redaction changed.
    @Test func snapshotPreviewIsStatic() throws {
        let event = #"""
        {"type":2,"timestamp":1,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":1,"id":2,"name":"html"},
        {"type":2,"id":3,"tagName":"html","attributes":{},"childNodes":[
          {"type":2,"id":4,"tagName":"head","attributes":{},"childNodes":[
            {"type":2,"id":5,"tagName":"script","attributes":{"src":"https://evil.test/x.js"},"childNodes":[{"type":3,"id":6,"textContent":"alert(1)"}]},
            {"type":2,"id":7,"tagName":"link","attributes":{"rel":"stylesheet","href":"https://cdn.test/a.css"},"childNodes":[]},
            {"type":2,"id":8,"tagName":"style","attributes":{},"childNodes":[{"type":3,"id":9,"textContent":"@import url(https://x.test/i.css); body{background:url('https://x.test/bg.png')} .i{background:url(data:image/png;base64,AAAA)} </style><script>alert(2)</script>"}]},
            {"type":2,"id":10,"tagName":"meta","attributes":{"http-equiv":"refresh","content":"0;url=https://evil.test"},"childNodes":[]}]},
          {"type":2,"id":11,"tagName":"body","attributes":{"onload":"alert(3)"},"childNodes":[
            {"type":2,"id":12,"tagName":"a","attributes":{"href":"javascript:alert(4)","onclick":"alert(5)"},"childNodes":[{"type":3,"id":13,"textContent":"<b>&amp;</b>"}]},
            {"type":2,"id":14,"tagName":"a","attributes":{"href":"/u?name=Ana&x=1"},"childNodes":[{"type":3,"id":15,"textContent":"******"}]},
            {"type":2,"id":16,"tagName":"img","attributes":{"src":"https://x.test/p.png","srcset":"https://x.test/p2.png 2x","alt":"a\"b"},"childNodes":[]},
            {"type":2,"id":17,"tagName":"input","attributes":{"value":"****","type":"text"},"childNodes":[]},
            {"type":2,"id":18,"tagName":"iframe","attributes":{"src":"https://x.test/frame"},"childNodes":[]},
            {"type":5,"id":19,"textContent":"a comment"}]}]}]}}}
        """#
        let page = try #require(try SnapshotHTML.page(event: Array(event.utf8), redactedNodes: [15, 17]))
        let html = page.html
        for absent in ["<script src", "alert(1)", "alert(3)", "alert(4)", "alert(5)", "evil.test", "cdn.test", "x.test", "onload", "onclick",
                       "javascript:", "a comment", "name=Ana"] {
            #expect(!html.contains(absent), "\(absent) in \(html)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // CSS cannot close its element: the script after it stays text inside the style.
        #expect(html.contains("<\\/style><script>alert(2)<\\/script></style></head>"))
        #expect(html.components(separatedBy: "</style>").count == 3 && html.components(separatedBy: "<script").count == 2)
        #expect(html.contains("<head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        #expect(html.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;"))
        #expect(html.contains("href=\"/u?name=***&amp;x=***\" data-scrubjay-redacted=\"\""))
        #expect(html.contains("<input type=\"text\" value=\"****\" data-scrubjay-redacted=\"\">"))
        #expect(html.contains("url(data:image/png;base64,AAAA)") && html.contains("background:none"))
        #expect(html.contains("alt=\"a&quot;b\""))
        #expect(page.outlined == 2)
        #expect(page.removed["script elements"] == 1 && page.removed["event handler attributes"] == 2 && page.removed["comments"] == 1)
        // A mobile (wireframe) snapshot has no page to rebuild.
        #expect(try SnapshotHTML.page(event: Array(#"{"type":2,"data":{"wireframes":[]}}"#.utf8), redactedNodes: []) == nil)
    }

    /// The coverage tables name rules that exist, and cover every rule the bundled HIPAA and
    /// PCI policies require.
    @Test func coverageFollowsThePolicies() throws {
        let ids = Set(defaults.packs.flatMap(\.rules).map(\.id))
        for item in ComplianceCoverage.hipaaSafeHarbor + ComplianceCoverage.pciDSS {
            for rule in item.rules { #expect(ids.contains(rule), "\(item.id): no rule \(rule)") }
        }
        #expect(ComplianceCoverage.hipaaSafeHarbor.map(\.id) == "ABCDEFGHIJKLMNOPQR".map(String.init))
        let hipaa = try PolicyLoader.load(repository + "/Policies/hipaa-safe-harbor.yml")
        let mapped = Set(ComplianceCoverage.hipaaSafeHarbor.flatMap(\.rules))
        for rule in hipaa.rulesApplied?.rules ?? [] { #expect(mapped.contains(rule), "hipaa-safe-harbor.yml requires \(rule), which no identifier lists") }
        let pci = try PolicyLoader.load(repository + "/Policies/pci-dss.yml")
        let pciMapped = Set(ComplianceCoverage.pciDSS.flatMap(\.rules))
        for rule in pci.rulesApplied?.rules ?? [] {
            #expect(pciMapped.contains(rule), "pci-dss.yml requires \(rule)")
            let allowed = pci.rulesApplied?.actions[rule]
            for item in ComplianceCoverage.pciDSS { if let a = item.actions?[rule] { #expect(Set(a) == Set(allowed ?? []), "\(item.id): \(rule) actions") } }
        }
        // Judged: the default pack covers F (email); a rule list without payment_card leaves J partly covered.
        let applied = defaults.packs.flatMap(\.rules).map(RedactionPredicate.RuleSummary.init)
        let all = ComplianceCoverage.evaluate(ComplianceCoverage.hipaaSafeHarbor, applied: applied)
        #expect(all.first { $0.id == "F" }?.status == .covered && all.first { $0.id == "H" }?.status == .review)
        let fewer = ComplianceCoverage.evaluate(ComplianceCoverage.hipaaSafeHarbor, applied: applied.filter { $0.id != "payment_card" })
        #expect(fewer.first { $0.id == "J" }?.status == .partial && fewer.first { $0.id == "J" }?.note?.contains("not applied: payment_card") == true)
    }

    /// A policy with residency requirements gives the residency verdict; its exceptions are
    /// listed with their state and how many findings they excused.
    @Test func residencyVerdictAndExceptions() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let package = dir + "/p.zip"
        var pack = PackOptions()
        pack.storageRegion = "us-east-1"
        try redact([fixtures + "/posthog/with-pageviews.json"], to: package, options: pack)
        let policyFile = dir + "/eu.yml"
        try """
        version: 1
        policy: eu-only
        description: Stored in the EEA.
        require:
          storage_region:
            allow: [eea]
          site_hosts:
            allow: ["*.eu"]
        exceptions:
          - requirement: site_hosts
            match: localhost
            reason: the test site
            expires: 2999-01-01
          - requirement: asset_hosts
            reason: an old one
            expires: 2001-01-01
        """.write(toFile: policyFile, atomically: true, encoding: .utf8)
        var options = ReportOptions()
        options.policies = [try PolicyLoader.load(policyFile)]
        let d = try ReportBuilder.report(ofPackage: package, options: options).document
        #expect(d.residency.verdict == "fail" && d.residency.storageRegion == "us-east-1")
        #expect(d.residency.findings.contains { $0.code == "residency.regionNotAllowed" && $0.severity == "error" })
        let policy = try #require(d.policies.first)
        #expect(policy.verdict == "fail" && policy.sha256.count == 64)
        #expect(policy.exceptions.map(\.state) == ["active", "expired"])
        #expect(policy.exceptions.first?.applied == 1)
    }
}
