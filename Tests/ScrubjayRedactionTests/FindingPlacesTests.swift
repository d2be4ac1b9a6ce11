import Foundation
import Testing
import ScrubjayPackage
@testable import ScrubjayRedaction

@Suite("Where and when findings were: timeline, pages, snapshot nodes (report 1.2)")
struct FindingPlacesTests {
    @Test(arguments: [
        ("https://shop.test/account?email=ana%40shop.test&step=2#tab=orders", "https://shop.test/account?email=***&step=***#tab=***"),
        ("https://ana:hunter2@shop.test/a?q", "https://shop.test/a?***"),
        ("/search?q=Zebulon+Quimby&page=&x=*", "/search?q=***&page=&x=***"),
        ("https://shop.test/docs#section-2", "https://shop.test/docs#section-2"),
        ("https://shop.test/#/orders/12", "https://shop.test/#/orders/12"),
        ("https://shop.test/a;b?x=1;y=2", "https://shop.test/a;b?x=***;y=***"),
        ("https://shop.test/mail@host/p", "https://shop.test/mail@host/p"),
    ])
    func pageURLsAreMasked(_ input: String, _ expected: String) {
        #expect(PageURL.masked(input) == expected)
    }

    @Test func bucketWidthsAreRound() {
        #expect(RedactionReport.Timeline.bucketWidth(forDuration: 0) == 1000)
        #expect(RedactionReport.Timeline.bucketWidth(forDuration: 60_000) == 1000)
        #expect(RedactionReport.Timeline.bucketWidth(forDuration: 60_001) == 2000)
        #expect(RedactionReport.Timeline.bucketWidth(forDuration: 3_600_000) == 60_000)
        #expect(RedactionReport.Timeline.bucketWidth(forDuration: 10 * 86_400_000) == 21_600_000)
        #expect(RedactionReport.Timeline.bucketWidth(forDuration: 200 * 86_400_000) == 4 * 86_400_000)
    }

    /// Every recording: the timeline's buckets hold exactly the findings `audit` places at
    /// those times, the pages add up to the total, each page is a masked page URL of the
    /// package, and each window's first snapshot lists the nodes audit finds in it.
    @Test(arguments: recordings)
    func placesAgreeWithAudit(_ name: String) throws {
        let input = fixtures + "/" + name
        let redacted = temporaryPath("places.zip")
        defer { try? FileManager.default.removeItem(atPath: redacted) }
        let report = try RedactionJob.redact(inputs: [input], output: redacted, rules: defaults, pseudonymKey: nil, options: PackOptions()).report
        let package = try ReplayPackage.open(redacted)
        #expect(try RedactionReport.decode(package.files["redaction/report.json"]!) == report)
        let audit = try RedactionJob.audit(inputs: [input], rules: defaults)
        #expect(report.findings.total == audit.findings.count)

        let pages = try #require(report.pages)
        #expect(pages.map(\.findings).reduce(0, +) == report.findings.total)
        let masked = Set(package.manifest.recording.pageURLs.map(PageURL.masked))
        for page in pages { if let url = page.url { #expect(masked.contains(url), "\(url)") } }

        if let timeline = report.timeline, timeline.bucketMs > 0 {
            var expected = Array(repeating: 0, count: timeline.buckets.count)
            var untimed = 0
            for f in audit.findings {
                guard let t = f.timestamp else { untimed += 1; continue }
                expected[min(expected.count - 1, Int((t.rounded(.down) - timeline.startTimestamp) / timeline.bucketMs))] += 1
            }
            #expect(timeline.buckets.map(\.findings) == expected)
            #expect(timeline.untimed == untimed)
            #expect(timeline.buckets.count <= RedactionReport.Timeline.maximumBuckets)
            if let first = package.manifest.recording.firstTimestamp { #expect(timeline.startTimestamp == first) }
        } else {
            #expect(audit.findings.allSatisfy { $0.timestamp == nil })
        }

        for snapshot in try #require(report.snapshots) {
            let here = audit.findings.filter { $0.window == snapshot.window && $0.eventIndex == snapshot.eventIndex }
            #expect(snapshot.findings == here.count)
            #expect(snapshot.nodeIds == Array(Set(here.compactMap(\.nodeId))).sorted())
        }
    }

    /// posthog/docs.json's first snapshot carries three findings on three nodes; the report
    /// names them, and an old (1.1) report without the new fields still decodes.
    @Test func snapshotNodesOfARealPage() throws {
        let redacted = temporaryPath("docs.zip")
        defer { try? FileManager.default.removeItem(atPath: redacted) }
        let report = try RedactionJob.redact(inputs: [fixtures + "/posthog/docs.json"], output: redacted, rules: defaults,
                                             pseudonymKey: nil, options: PackOptions()).report
        let snapshot = try #require(report.snapshots?.first)
        #expect(snapshot.findings == 3 && snapshot.nodeIds.count == 3)
        #expect(report.reportVersion == "1.4")

        var old = try #require(try JSONSerialization.jsonObject(with: Data(try report.encoded())) as? [String: Any])
        for key in ["timeline", "pages", "snapshots"] { old[key] = nil }
        old["reportVersion"] = "1.1"
        let decoded = try RedactionReport.decode(Array(try JSONSerialization.data(withJSONObject: old)))
        #expect(decoded.timeline == nil && decoded.pages == nil && decoded.snapshots == nil)
    }
}
