import Testing
@testable import ScrubjayJSON

@Suite("Byte search")
struct ByteSearchTests {
    /// `firstOffset` against a plain search, on texts of every length up to 40 made of the
    /// needles' own bytes (so near misses are everywhere), for needles that start with quotes.
    @Test func firstOffsetAgreesWithAPlainSearch() {
        func plain(_ needle: [UInt8], _ text: [UInt8]) -> Int? {
            guard needle.count <= text.count else { return needle.isEmpty ? 0 : nil }
            return (0...(text.count - needle.count)).first { Array(text[$0..<$0 + needle.count]) == needle }
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let alphabet = Array("\"href:x".utf8)
        let needles: [StaticString] = ["\"href\"", "current_url\"", "\"\"", "\"", "h", "\"\"h", ""]
        var checked = 0
        for length in 0...40 {
            for _ in 0..<30 {
                let text: [UInt8] = (0..<length).map { _ in
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    return alphabet[Int(state % UInt64(alphabet.count))]
                }
                for needle in needles {
                    let bytes = Array(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount))
                    let found = text.withUnsafeBytes { firstOffset(of: needle, in: $0) }
                    #expect(found == plain(bytes, text), "\(needle) in \(String(decoding: text, as: UTF8.self))")
                    checked += 1
                }
            }
        }
        #expect(checked == 41 * 30 * 7)
    }
}
