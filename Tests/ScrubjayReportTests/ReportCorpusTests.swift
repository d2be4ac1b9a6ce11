import Foundation
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayRedaction
import ScrubjayVerify
@testable import ScrubjayReport

@Suite("Reports of every real recording")
struct ReportCorpusTests {
    /// Every recording of Tests/Fixtures, redacted: the report renders in every format, the
    /// JSON report matches its schema and the redaction report's counts, the HTML has its
    /// charts and a preview of every window with a DOM snapshot, and the package carries the
    /// Markdown report, listed in the manifest with its checksum.
    @Test func everyRecordingRenders() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var jsonReports: [String] = []
        for (i, name) in recordings.enumerated() {
            let package = "\(dir)/\(i).zip"
            let redacted = try redact([fixtures + "/" + name], to: package)
            let report = try ReportBuilder.report(ofPackage: package, options: ReportOptions())
            let d = report.document
            #expect(d.redacted && d.counts.total == redacted.report.findings.total, "\(name)")
            #expect(d.counts.byCategory.map(\.count).reduce(0, +) == d.counts.total, "\(name)")
            #expect(d.pages.map(\.findings).reduce(0, +) == d.counts.total, "\(name)")
            #expect(d.package.sha256?.count == 64 && d.inputs.first?.path == (name as NSString).lastPathComponent, "\(name)")

            let html = try report.text(.html)
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"), "\(name)")
            #expect(html.components(separatedBy: "<svg").count - 1 >= (d.counts.total > 0 ? 2 : 0), "\(name): charts")
            #expect(!html.contains("<script"), "\(name): the HTML report runs no script")
            let playable = d.previews.filter(\.available)
            #expect(html.components(separatedBy: "<iframe sandbox=\"\"").count - 1 == playable.count, "\(name): previews")
            if !d.package.windows.isEmpty && name.hasPrefix("rrweb/") { #expect(!playable.isEmpty, "\(name): no preview") }

            let md = try report.text(.md)
            #expect(md.hasPrefix("# Redaction report: \(i).zip"), "\(name)")
            let sarif = try JSONSerialization.jsonObject(with: Data(try report.rendered(as: .sarif, templates: builtinTemplates))) as? [String: Any]
            #expect(sarif?["version"] as? String == "2.1.0", "\(name)")
            let junit = try report.text(.junit)
            #expect(junit.contains("<testsuites name=\"scrubjay verify\""), "\(name)")

            let path = "\(dir)/\(i).json"
            try Data(try report.rendered(as: .json, templates: builtinTemplates)).write(to: URL(fileURLWithPath: path))
            jsonReports.append(path)

            let opened = try ReplayPackage.open(package)
            let entry = try #require(opened.manifest.files.first { $0.path == ReportBuilder.markdownPath }, "\(name)")
            #expect(opened.verifyChecksums().isEmpty, "\(name)")
            #expect(entry.size == opened.files[ReportBuilder.markdownPath]?.count, "\(name)")
        }
        try expectValidReports(jsonReports)
    }

    /// A packed (not redacted) package still gets a report, which says so.
    @Test func aPackedPackageSaysItWasNotRedacted() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let package = dir + "/packed.zip"
        try PackageWriter(options: PackOptions()).write(inputs: [fixtures + "/posthog/with-pageviews.json"], to: package)
        let report = try ReportBuilder.report(ofPackage: package, options: ReportOptions())
        #expect(!report.document.redacted && report.document.counts.total == 0)
        #expect(report.document.coverage.hipaaSafeHarbor.allSatisfy { $0.status == .notCovered || $0.status == .review })
        #expect(try report.text(.html).contains("not redacted: packed only"))
        #expect(try report.text(.md).contains("**This package was packed, not redacted:**"))
        #expect(report.document.previews.first?.available == true)
    }

    /// A damaged redaction report is named with its entry and the field that is wrong.
    @Test func anUnreadableRedactionReportIsNamed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let package = dir + "/p.zip"
        try redact([fixtures + "/posthog/with-pageviews.json"], to: package)
        var files = try ReplayPackage.open(package).files
        files["redaction/report.json"] = Array(#"{"reportVersion": "1.2"}"#.utf8)
        try ScrubjayNative.Archive.write(files.sorted { $0.key < $1.key }.map { .init(path: $0.key, data: $0.value) }, format: .zip, to: package)
        let error = try #require(throws: ReportError.self) { try ReportBuilder.report(ofPackage: package, options: ReportOptions()) }
        #expect(error.description.hasPrefix(package + ": redaction/report.json: unreadable: missing field"))
    }
}

@Suite("Signed packages in reports")
struct SignedReportTests {
    /// The signer's key id is in the report inside the package and in the report of the
    /// package, where a trusted key makes the signature accepted.
    @Test func signerKeyIds() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try PrivateKey.generate()
        let keyid = key.publicKey.keyID
        let package = dir + "/signed.zip"
        try RedactionJob.redact(inputs: [fixtures + "/posthog/with-pageviews.json"], output: package, rules: defaults, pseudonymKey: nil,
                                signingKey: key, options: PackOptions(),
                                summaries: ReportBuilder.packageSummaries(templates: builtinTemplates, signerKeyIds: [keyid], options: ReportOptions()))
        let md = String(decoding: try ReplayPackage.open(package).files[ReportBuilder.markdownPath]!, as: UTF8.self)
        #expect(md.contains("**Signed** by \(keyid) (signed at redaction (not verified here))."), "\(md.prefix(600))")
        var options = ReportOptions()
        options.trustedKeys = [TrustedKey(name: "release", key: key.publicKey)]
        let report = try ReportBuilder.report(ofPackage: package, options: options)
        #expect(report.document.signatures.signed && report.document.signatures.signers.map(\.keyid) == [keyid])
        #expect(report.document.signatures.signers.first?.accepted == true)
        #expect(report.document.verification?.verdict == "pass")
        #expect(try report.text(.html).contains("<td><code>\(keyid)</code></td><td>valid, trusted as release</td>"))
    }
}
