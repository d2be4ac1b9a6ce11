import Testing
@testable import ScrubjayNative

@Suite("Inflate")
struct InflateTests {
    static let text = Array(String(repeating: "Hello, Scrubjay! ", count: 20).utf8)
    // Produced by python3: gzip.compress(text, mtime=0), zlib.compress(text), raw deflate (wbits -15).
    static let gzipped = Hex.decode("1f8b0800000000000203f348cdc9c9d751084e2e2a4dca4aac5454f01815a05400006c425b8654010000")!
    static let zlibbed = Hex.decode("789cf348cdc9c9d751084e2e2a4dca4aac5454f01815a0540000f4287351")!
    static let rawDeflate = Hex.decode("f348cdc9c9d751084e2e2a4dca4aac5454f01815a0540000")!

    @Test("gzip, zlib and raw DEFLATE inflate to the original text")
    func roundTrips() throws {
        #expect(try Inflate.gzip(Self.gzipped) == Self.text)
        #expect(try Inflate.zlib(Self.zlibbed) == Self.text)
        #expect(try Inflate.raw(Self.rawDeflate) == Self.text)
        #expect(try Inflate.decompress(Self.gzipped, format: .gzip) == Self.text)
    }

    @Test("concatenated gzip members are all decoded")
    func concatenatedMembers() throws {
        #expect(try Inflate.gzip(Self.gzipped + Self.gzipped) == Self.text + Self.text)
    }

    @Test("truncated input throws with the offset consumed", arguments: [1, 10, 20, 40])
    func truncated(cut: Int) {
        let input = Array(Self.gzipped.prefix(Self.gzipped.count - cut))
        #expect {
            _ = try Inflate.gzip(input)
        } throws: { error in
            guard case let InflateError.truncated(format, offset) = error else { return false }
            return format == .gzip && offset == input.count
        }
    }

    @Test("empty input is truncated at offset 0")
    func empty() {
        #expect(throws: InflateError.truncated(format: .zlib, offset: 0)) { _ = try Inflate.zlib([]) }
    }

    @Test("corrupt input throws zlib's message")
    func corrupt() {
        var bad = Self.zlibbed
        bad[0] = 0x77  // not a zlib header
        #expect {
            _ = try Inflate.zlib(bad)
        } throws: { error in
            guard case let InflateError.corrupt(format, message, offset) = error else { return false }
            return format == .zlib && message == "incorrect header check" && offset >= 0
        }
        var badChecksum = Self.zlibbed
        badChecksum[badChecksum.count - 1] ^= 0xFF
        #expect {
            _ = try Inflate.zlib(badChecksum)
        } throws: { error in
            guard case let InflateError.corrupt(_, message, _) = error else { return false }
            return message == "incorrect data check"
        }
        // Plain text is not gzip.
        #expect(throws: InflateError.self) { _ = try Inflate.gzip(Array("not gzip at all".utf8)) }
    }

    @Test("output beyond maxOutput throws; exactly maxOutput is fine")
    func outputLimit() throws {
        #expect(try Inflate.gzip(Self.gzipped, maxOutput: Self.text.count) == Self.text)
        #expect {
            _ = try Inflate.gzip(Self.gzipped, maxOutput: Self.text.count - 1)
        } throws: { error in
            guard case let InflateError.outputLimitExceeded(_, limit, _) = error else { return false }
            return limit == Self.text.count - 1
        }
    }

    @Test("a small gzip bomb is stopped at the limit")
    func bomb() throws {
        let result = try runTool("python3", ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.compress(bytes(64 << 20)))"])
        try #require(result.status == 0, "python3 failed: \(result.stderr)")
        let bomb = Array(result.stdout)
        #expect(bomb.count < 200_000)
        #expect(throws: InflateError.self) { _ = try Inflate.gzip(bomb, maxOutput: 1 << 20) }
        #expect(try Inflate.gzip(bomb).count == 64 << 20)
    }

    /// The output buffer is sized to the input (a few KiB for small fields): output many
    /// times larger, and of every size around the chunk boundaries, comes out whole.
    @Test("outputs of many chunks, and around a chunk's size, are whole", arguments: [0, 1, 4095, 4096, 4097, 65_536, 300_001])
    func manyChunks(size: Int) throws {
        let script = "import gzip,sys; n=int(sys.argv[1]); sys.stdout.buffer.write(gzip.compress(bytes((i * 7 + i // 1000) % 251 for i in range(n))))"
        let result = try runTool("python3", ["-c", script, String(size)])
        try #require(result.status == 0, "python3 failed: \(result.stderr)")
        let expected: [UInt8] = (0..<size).map { (i: Int) -> UInt8 in UInt8((i * 7 + i / 1000) % 251) }
        #expect(try Inflate.gzip(Array(result.stdout)) == expected)
    }

    @Test("bytes after the stream are an error")
    func trailingData() {
        #expect(throws: InflateError.trailingData(format: .zlib, offset: Self.zlibbed.count, count: 3)) {
            _ = try Inflate.zlib(Self.zlibbed + [1, 2, 3])
        }
    }
}
