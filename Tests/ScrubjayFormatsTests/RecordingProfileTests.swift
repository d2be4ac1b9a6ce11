import Foundation
import Testing
import ScrubjayJSON
@testable import ScrubjayFormats

@Suite("Recording profile")
struct RecordingProfileTests {
    func profile(_ events: [String]) throws -> RecordingProfile {
        var p = RecordingProfile(shape: .rrwebArray)
        for (i, json) in events.enumerated() {
            try p.add(ReplayEvent(windowId: nil, json: Array(json.utf8), sourceIndex: i, line: nil))
        }
        return p
    }

    /// Marker classes and attributes are counted wherever an `attributes` object is (full
    /// snapshots, mutation adds and attribute changes), escaped or not, and nothing else is.
    @Test func privacyMarkers() throws {
        let p = try profile([
            #"{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"div","id":2,"attributes":{"class":"a ph-no-capture\tb rr-block","data-private":"","data-privately":"x","title":"rr-mask"},"childNodes":[]}]}},"timestamp":1}"#,
            #"{"type":3,"data":{"source":0,"texts":[],"removes":[],"adds":[{"parentId":1,"node":{"type":2,"tagName":"p","id":3,"attributes":{"cl\u0061ss":"fs-mask\nsentry-ignore not-a-marker","data-openreplay-obscured":"1","d\u0061ta-private":"y"},"childNodes":[]}}],"attributes":[{"id":2,"attributes":{"class":"ph-no-capture","data-":"z"}}]},"timestamp":2}"#,
            #"{"type":3,"data":{"source":0,"texts":[],"removes":[],"adds":[],"attributes":[{"id":2,"attributes":{"class":null,"data-private":null}}]},"timestamp":3}"#,
        ])
        #expect(p.privacyMarkers == ["ph-no-capture": 2, "rr-block": 1, "fs-mask": 1, "sentry-ignore": 1,
                                     "data-private": 3, "data-openreplay-obscured": 1])
    }

    @Test func networkHostsAndTimes() throws {
        let p = try profile([
            #"{"type":6,"data":{"plugin":"rrweb/network@1","payload":{"requests":[{"name":"https://API.example.com:443/v1?x=1"},{"url":" //cdn.example.org/a.js"},{"name":"/relative"}]}},"timestamp":1700000000000}"#,
            #"{"type":6,"data":{"plugin":"rrweb\/network@1","payload":{"requests":[{"name":"https://api.example.com/v2"}]}},"timestamp":1699999999999.5}"#,
            #"{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"warn","payload":["x"]}},"timestamp":1699999999999.75}"#,
            #"{"type":6,"data":{"plugin":"my-netw0rk","payload":{"requests":[{"name":"https://no.example.com/"}],"level":"log"}},"timestamp":1699999999999.75}"#,
        ])
        #expect(p.consoleLevels == ["warn": 1])
        #expect(p.channels == ["network", "console", "my-netw0rk"])
        #expect(p.networkHosts == ["api.example.com": 2, "cdn.example.org": 1, "(relative URLs)": 1])
        #expect(p.census.firstTimestamp == 1_699_999_999_999.5 && p.census.lastTimestamp == 1_700_000_000_000)
        #expect(p.windows.first?.firstTimestamp == 1_699_999_999_999.5)
    }

    /// A whole recording's profile takes the events as the decoder read them; it must be the
    /// profile of their JSON read again, for every fixture (every input shape).
    @Test func theDecodersEventsProfileAsTheirJSONDoes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
        let names = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
        var compared = 0, scanned = 0
        for name in names {
            guard let decoder = try? RecordingDecoder(bytes: JSONBytes(contentsOfFile: root + "/" + name)) else { continue }
            var fromJSON = RecordingProfile(shape: decoder.shape)
            try decoder.forEachEvent(scanned: { event, e in
                try fromJSON.add(event)
                if e != nil { scanned += 1 }
            })
            #expect(try RecordingProfile.of(decoder) == fromJSON, "\(name)")
            compared += 1
        }
        #expect(compared > 100 && scanned > 1000)
    }
}
