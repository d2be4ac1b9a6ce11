import Foundation
import Testing
@testable import ScrubjayJSON

@Suite("Every real recording round-trips byte for byte")
struct RoundTripTests {
    @Test("the corpus is all there")
    func corpusPresent() {
        #expect(Fixtures.recordings.count >= 90)
    }

    @Test("rewriting with no edits reproduces the file exactly", arguments: Fixtures.recordings)
    func identity(_ file: String) throws {
        let bytes = try JSONBytes(contentsOfFile: Fixtures.path(file))
        let output = try JSONRewriter.rewrite(bytes) { _, _ in }
        #expect(output == bytes.array, "\(file) changed in an identity rewrite")
    }

    @Test("the scanner agrees with Foundation on every string and number", arguments: Fixtures.recordings)
    func agreesWithFoundation(_ file: String) throws {
        let path = Fixtures.path(file)
        let bytes = try JSONBytes(contentsOfFile: path)
        var reader = try EventReader(bytes: bytes)
        var ours: [Any] = []
        while let event = try reader.next() {
            ours.append(Self.materialise(event, event.root))
        }
        // Foundation's view of the same file, split the same way.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let theirs: [Any]
        switch reader.layout {
        case .array: theirs = try JSONSerialization.jsonObject(with: data) as! [Any]
        case .single: theirs = [try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)]
        case .lines:
            theirs = try data.split(separator: 0x0A).filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D } }
                .map { try JSONSerialization.jsonObject(with: Data($0), options: .fragmentsAllowed) }
        }
        #expect(ours.count == theirs.count)
        #expect(NSArray(array: ours).isEqual(to: theirs), "\(file): decoded values differ from Foundation's")
    }

    /// Builds Foundation objects from the tape (only for comparison in tests).
    static func materialise(_ event: JSONEvent, _ v: JSONValueRef) -> Any {
        switch event.kind(v) {
        case .object:
            var d: [String: Any] = [:]
            for (k, value) in event.members(of: v) { d[event.string(k)] = materialise(event, value) }
            return d
        case .array: return event.children(of: v).map { materialise(event, $0) }
        case .string: return event.string(v)
        case .number:
            let text = String(decoding: event.rawBytes(v), as: UTF8.self)
            return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) ?? NSNull()
        case .true: return true
        case .false: return false
        case .null: return NSNull()
        }
    }
}
