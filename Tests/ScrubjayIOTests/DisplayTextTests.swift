import Testing
import ScrubjayIO

@Suite struct DisplayTextTests {
    @Test("control characters, DEL, C1 and bidi controls are escaped; other text is kept")
    func escapes() {
        #expect(DisplayText.escapingControls("events/main.jsonl") == "events/main.jsonl")
        #expect(DisplayText.escapingControls("café/ü.jsonl") == "café/ü.jsonl")
        #expect(DisplayText.escapingControls("x\r  PASS\u{1B}[2K.jsonl") == "x\\r  PASS\\x1B[2K.jsonl")
        #expect(DisplayText.escapingControls("a\nb\tc\u{7F}\u{85}") == "a\\nb\\tc\\x7F\\x85")
        #expect(DisplayText.escapingControls("gpj.\u{202E}exe") == "gpj.\\u{202E}exe")
        #expect(!DisplayText.escapingControls("\u{0}\u{7}\u{9B}\u{2028}").unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 })
    }
}
