import Foundation
import Testing
import ScrubjayNative
import ScrubjayPackage
import ScrubjayPolicy
import ScrubjayRedaction
@testable import ScrubjayReport

/// Known values planted in a real recording never reach a report, in any format.
@Suite("Planted values stay out of every report")
struct PlantedValuesTests {
    static let email = "zebulon.quimby@example.org"
    static let card = "4111 1111 1111 1111"
    static let typed = "Quimby-typed-secret"
    static let name = "Zebulon Quimby"
    static let token = "sekr3tT0ken99"
    /// Every form a planted value could take in a report: as typed, URL-encoded, JSON- and
    /// HTML-escaped forms are covered by the pieces (no piece holds a character those escape).
    static let needles = [email, "zebulon.quimby", "example.org", "zebulon.quimby%40example.org", card, "1111 1111",
                          typed, "typed-secret", name, "Zebulon", "Quimby", "Zebulon+Quimby", token, "sekr3t"]

    /// rrweb's form-interactions recording with values planted where a recording carries
    /// them: page text, a typed field's value attribute, Input events, a link and the page URL
    /// (Meta) with the values in query parameters, and text added by a later mutation.
    static func plantedRecording(in dir: String) throws -> String {
        let source = fixtures + "/rrweb/integration--record-integration-tests-can-record-form-interactions-1.json"
        var events = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source))) as? [[String: Any]])
        let query = "?email=zebulon.quimby%40example.org&name=Zebulon+Quimby&token=\(token)"
        var bodyId = 0
        for i in events.indices {
            guard var data = events[i]["data"] as? [String: Any] else { continue }
            if events[i]["type"] as? Int == 4 { data["href"] = "https://shop.test/checkout" + query }
            if events[i]["type"] as? Int == 2, var root = data["node"] as? [String: Any] {
                root = plant(in: root, bodyId: &bodyId, query: query)
                data["node"] = root
            }
            events[i]["data"] = data
        }
        #expect(bodyId != 0, "the recording has a body")
        let last = events.last!["timestamp"] as! Double
        events.append(["type": 3, "timestamp": last + 10, "data": ["source": 5, "id": 900_003, "text": typed, "isChecked": false]])
        events.append(["type": 3, "timestamp": last + 20, "data": [
            "source": 0, "texts": [], "attributes": [], "removes": [],
            "adds": [["parentId": bodyId, "nextId": NSNull(), "node": ["type": 3, "id": 900_010, "textContent": "Call me at \(email) later"]]],
        ]])
        let path = dir + "/planted.json"
        try JSONSerialization.data(withJSONObject: events).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func plant(in node: [String: Any], bodyId: inout Int, query: String) -> [String: Any] {
        var node = node
        if node["tagName"] as? String == "body", let id = node["id"] as? Int {
            bodyId = id
            var kids = node["childNodes"] as? [Any] ?? []
            kids.append(["type": 2, "tagName": "p", "id": 900_001, "attributes": [:], "childNodes": [
                ["type": 3, "id": 900_002, "textContent": "Receipt for \(email), card \(card). My name is \(name)."]]])
            kids.append(["type": 2, "tagName": "input", "id": 900_003, "attributes": ["type": "text", "value": typed], "childNodes": []])
            kids.append(["type": 2, "tagName": "a", "id": 900_004, "attributes": ["href": "/account" + query], "childNodes": [
                ["type": 3, "id": 900_005, "textContent": "your account"]]])
            node["childNodes"] = kids
            return node
        }
        if let kids = node["childNodes"] as? [[String: Any]] {
            node["childNodes"] = kids.map { plant(in: $0, bodyId: &bodyId, query: query) }
        }
        return node
    }

    @Test func noPlantedValueInAnyReportFormat() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recording = try Self.plantedRecording(in: dir)
        let package = dir + "/planted.zip"
        try redact([recording], to: package, options: { var o = PackOptions(); o.storageRegion = "eu-central-1"; return o }())

        var options = ReportOptions()
        options.policies = [try PolicyLoader.load(repository + "/Policies/gdpr-eea.yml"), try PolicyLoader.load(repository + "/Policies/pci-dss.yml")]
        options.rescanRules = defaults
        let report = try ReportBuilder.report(ofPackage: package, options: options)
        // The values were found and rewritten, and the report says where.
        let byRule = Dictionary(report.document.counts.byRule.map { ($0.rule, $0.count) }, uniquingKeysWith: +)
        #expect(byRule["email"] == 2 && byRule["payment_card"] == 1 && (byRule["typed_input"] ?? 0) >= 2
                && byRule["self_identified_name"] == 1, "\(byRule)")
        // Email and token: in the link by the pattern rule; in the page URL by the field rule
        // alone, one finding a value (the pattern rule once counted them there again).
        #expect(byRule["url_sensitive_param"] == 2 && byRule["network.sensitive_query"] == 2, "\(byRule)")
        #expect(report.document.pages.contains { $0.url == "https://shop.test/checkout?email=***&name=***&token=***" })
        let preview = try #require(report.document.previews.first)
        #expect(preview.available && preview.outlined >= 2)
        let page = try #require(report.previewPages[""])
        #expect(page.contains("data-scrubjay-redacted") && page.contains("href=\"/account?email=***&amp;name=***&amp;token=***\""))

        var outputs: [(String, String)] = []
        for format in ReportFormat.allCases { outputs.append((format.rawValue, try report.text(format))) }
        let inPackage = try ReplayPackage.open(package).files
        outputs.append(("redaction/report.md", String(decoding: inPackage[ReportBuilder.markdownPath]!, as: UTF8.self)))
        outputs.append(("redaction/report.json", String(decoding: inPackage["redaction/report.json"]!, as: UTF8.self)))
        // The recording did carry them, so a miss is the report's doing.
        let original = try String(contentsOfFile: recording, encoding: .utf8)
        let hashes = Self.needles.map { Hex.encode(Digest.sha256(Array($0.utf8))) }
        for needle in Self.needles + hashes.map({ String($0) }) {
            if needle.count != 64 { #expect(original.contains(needle), "\(needle) was not planted") }
            for (format, text) in outputs {
                #expect(!text.localizedCaseInsensitiveContains(needle), "\(format) holds \(needle)")
            }
        }
        #expect(outputs.allSatisfy { $0.1.count > 1000 })
    }
}
