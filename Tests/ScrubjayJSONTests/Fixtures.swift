import Foundation
import ScrubjayJSON

/// The real recordings copied from ../shared/corpus (see Tests/Fixtures/SOURCES.md).
enum Fixtures {
    static let root: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    /// Every recording file (JSON and JSON Lines) in the fixtures, as paths relative to `root`.
    static let recordings: [String] = {
        let enumerator = FileManager.default.enumerator(atPath: root)!
        var out: [String] = []
        while let next = enumerator.nextObject() as? String {
            if next.hasSuffix(".json") || next.hasSuffix(".jsonl") { out.append(next) }
        }
        return out.sorted()
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// Calls `body` with every value and key of every event of recording `relative`.
    static func forEachToken(in relative: String, _ body: (JSONEvent, JSONValueRef) throws -> Void) throws {
        var reader = try EventReader(bytes: JSONBytes(contentsOfFile: path(relative)))
        while let e = try reader.next() {
            for i in 0..<e.tokenCount { try body(e, JSONValueRef(index: i)) }
        }
    }
}
