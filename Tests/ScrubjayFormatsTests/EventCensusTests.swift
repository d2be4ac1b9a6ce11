import Foundation
import Testing
import ScrubjayFormats
import ScrubjayJSON

private let fixtures: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

private func census(_ relative: String) throws -> EventCensus {
    var reader = try EventReader(bytes: JSONBytes(contentsOfFile: fixtures + "/" + relative))
    var c = EventCensus()
    while let e = try reader.next() { c.add(e) }
    return c
}

@Suite("Counting rrweb events")
struct EventCensusTests {
    @Test func formInteractions() throws {
        // Counted independently with: python3 -c "import json,collections; ..." over the same file.
        let c = try census("rrweb/integration--record-integration-tests-can-record-form-interactions-1.json")
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/rrweb/integration--record-integration-tests-can-record-form-interactions-1.json"))
        let events = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        var byType: [Int: Int] = [:]
        var bySource: [Int: Int] = [:]
        for e in events {
            let t = e["type"] as! Int
            byType[t, default: 0] += 1
            if t == 3, let s = (e["data"] as? [String: Any])?["source"] as? Int { bySource[s, default: 0] += 1 }
        }
        #expect(c.total == events.count)
        #expect(c.byType == byType)
        #expect(c.bySource == bySource)
        #expect(c.bySource[5, default: 0] > 0, "the recording has typed input")
        let stamps = events.compactMap { $0["timestamp"] as? Double }
        #expect(c.firstTimestamp == stamps.min())
        #expect(c.lastTimestamp == stamps.max())
    }

    @Test func containerFormatsAreNotEvents() throws {
        let c = try census("posthog/docs.json")
        #expect(c.total == 1)
        #expect(c.unrecognized == 1)
        #expect(c.durationMilliseconds == nil)
    }
}
