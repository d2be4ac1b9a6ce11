import Testing
@testable import ScrubjayFormats

@Suite("RFC 3339 times of event timestamps")
struct RFC3339TimeTests {
    @Test func wholeMillisecondsAreWrittenAsTheFormatterWritesThem() {
        var edges: [Double] = [0, -1, 1, 999, 1000, -1000, 1_700_000_001_374, 951_782_400_000, 951_868_799_999, 4_107_542_400_000,
                               RFC3339Time.directRange.lowerBound, RFC3339Time.directRange.upperBound - 1, -86_400_000, 86_399_999]
        var random = XorShift(state: 0x2545_F491_4F6C_DD1D)
        let span = UInt64(RFC3339Time.directRange.upperBound - RFC3339Time.directRange.lowerBound)
        for _ in 0..<3000 { edges.append(RFC3339Time.directRange.lowerBound + Double(random.next() % span)) }
        for ms in edges {
            #expect(RFC3339Time.milliseconds(ms) == RFC3339Time.formatted(ms), "\(ms)")
        }
        #expect(RFC3339Time.milliseconds(1_700_000_001_374) == "2023-11-14T22:13:21.374Z")
    }

    @Test func theRestGoesToTheFormatter() {
        for ms in [1_700_000_001_374.6, -1.5, -62_135_596_800_000, 253_402_300_800_000, 1e15] {
            #expect(RFC3339Time.milliseconds(ms) == RFC3339Time.formatted(ms), "\(ms)")
        }
    }
}
