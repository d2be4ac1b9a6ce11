import Foundation
import Testing
@testable import ScrubjayRules

/// `MatchMemo` answers a string it has seen as the engine does, and adds the same counts.
@Suite("MatchMemo")
struct MatchMemoTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every string of a real recording, in file order (its repeats where the recording has
    /// them), and the texts that stand for what the rules find.
    static let strings: [String] = {
        var out: [String] = []
        func walk(_ v: Any) {
            if let s = v as? String { out.append(s) }
            else if let a = v as? [Any] { a.forEach(walk) }
            else if let d = v as? [String: Any] { d.keys.sorted().forEach { walk($0); walk(d[$0]!) } }
        }
        let path = root.appendingPathComponent("Tests/Fixtures/posthog/with-pageviews.json").path
        walk(try! JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))))
        let planted = ["ana.lima@shop.test", "4242 4242 4242 4242", "+44 20 7946 0958", "password=hunter2", "row active", "",
                       "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU", String(repeating: "x", count: 300)]
        let some = Array(out.prefix(1500))
        return some + planted + some.prefix(500) + planted
    }()

    /// The memo's answers and counts against the engine's, string by string, on every channel.
    func expectAgreement(_ memo: inout MatchMemo, _ engine: RuleEngine, rounds: Int = 1) -> Int {
        var compared = 0
        for _ in 0..<rounds {
            for channel in Channel.allCases {
                var viaMemo = RuleEngine.Counters(), direct = RuleEngine.Counters()
                for s in MatchMemoTests.strings {
                    let bytes = Array(s.utf8)
                    let remembered = bytes.withUnsafeBytes { memo.matches(in: $0, channel: channel, engine: engine, counters: &viaMemo) }
                    let read = bytes.withUnsafeBytes { engine.matches(in: $0, channel: channel, counters: &direct) }
                    #expect(remembered == read, "\(channel): \(s.prefix(80))")
                    compared += 1
                }
                #expect(viaMemo == direct, "\(channel)")
            }
        }
        return compared
    }

    @Test func answersAsTheEngineDoesOnARealRecordingOnEveryChannel() throws {
        let engine = try RuleSet.builtin().engine
        var memo = MatchMemo()
        let compared = expectAgreement(&memo, engine, rounds: 2)
        #expect(compared > 20_000)
        // The recording repeats most of its strings; the second round finds them all.
        #expect(memo.hits > memo.misses)
        // The same text on two channels is two entries: typed input is masked whole.
        var c = RuleEngine.Counters()
        let text = Array("ana.lima@shop.test then more".utf8)
        let asInput = text.withUnsafeBytes { memo.matches(in: $0, channel: .input, engine: engine, counters: &c) }
        let asText = text.withUnsafeBytes { memo.matches(in: $0, channel: .text, engine: engine, counters: &c) }
        #expect(asInput.map(\.range) == [0..<text.count] && asText.map(\.range) == [0..<18])
    }

    /// One slot (every string collides) and an arena that fills after a few long strings: the
    /// answers stay the engine's.
    @Test func collisionsAndAFullArenaForgetWithoutMistakes() throws {
        let engine = try RuleSet.builtin().engine
        var memo = MatchMemo(slots: 1, arenaBytes: MatchMemo.maxLength)
        #expect(expectAgreement(&memo, engine) > 10_000)
        var wide = MatchMemo(slots: 64, arenaBytes: 300)
        #expect(expectAgreement(&wide, engine, rounds: 2) > 10_000)
        #expect(wide.hits > 0)
    }

    @Test func theHashTellsApartTextsOfEveryLengthThatDifferInOneByte() {
        var seen = Set<UInt64>()
        for n in 1...64 {
            var text = [UInt8](repeating: 0x61, count: n)
            for i in 0..<n {
                text[i] = 0x62
                seen.insert(text.withUnsafeBytes { MatchMemo.hash($0.baseAddress!, n, channel: .text) })
                text[i] = 0x61
            }
        }
        #expect(seen.count == (1...64).reduce(0, +))
    }
}
