import Foundation
import Testing
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules
@testable import ScrubjayRedaction

/// `redact` and `audit` hand the redactor the event as the decoder read it (no copy, no
/// second read) when that stands for the event's JSON. Both ways must give the same events,
/// findings and counts.
@Suite("Events read once")
struct ScannedEventTests {
    @Test func theDecodersEventRedactsAsItsJSONDoes() throws {
        var scannedEvents = 0, copiedEvents = 0
        for name in recordings {
            let decoder = try RecordingDecoder(bytes: JSONBytes(contentsOfFile: fixtures + "/" + name))
            for mode in [Redactor.Mode.redact, .audit] {
                func redactor() -> Redactor {
                    Redactor(engine: defaults.engine, mode: mode, pseudonymKey: Array(repeating: 7, count: 32), collectFindings: true)
                }
                var once = redactor(), twice = redactor()
                var index = 0
                try decoder.forEachEvent(scanned: { event, scanned in
                    defer { index += 1 }
                    let expected = try twice.process(json: event.json, window: "", index: index)
                    guard let scanned else { copiedEvents += 1; _ = try once.process(json: event.json, window: "", index: index); return }
                    scannedEvents += 1
                    // The decoder's event is the event's JSON, byte for byte.
                    #expect(scanned.rawBytes(scanned.root) == event.json, "\(name) event \(index)")
                    #expect(once.process(event: scanned, window: "", index: index) == expected, "\(name) event \(index)")
                    #expect(once.lastTimestamp == twice.lastTimestamp, "\(name) event \(index)")
                })
                #expect(once.findings == twice.findings, "\(name)")
                #expect(once.tally == twice.tally, "\(name)")
            }
        }
        // Plain rrweb arrays and lines are read once; unpacked and expanded events are copies.
        #expect(scannedEvents > 1000 && copiedEvents > 0)
    }
}
