#if canImport(Glibc)
import Glibc
#endif

/// The number of set bits in `mask`, which may have only the high bit of each byte set (a
/// byte-wise test done eight bytes at a time). One multiplication adds the bytes into the top
/// one: the build targets baseline x86-64, which has no popcount instruction, so
/// `nonzeroBitCount` costs about a dozen instructions there.
@inlinable @inline(__always)
package func highBitCount(_ mask: UInt64) -> Int {
    Int(((mask >> 7) &* 0x0101_0101_0101_0101) >> 56)
}

/// Whether `needle` occurs in `haystack` (memchr for its first byte, then a compare): plugin
/// names, and the quick look for page URLs in raw events. For every module of the package.
package func bytes(_ haystack: [UInt8], contain needle: StaticString) -> Bool {
    haystack.withUnsafeBytes { bytes($0, contain: needle) }
}

/// The same, over bytes read in place.
package func bytes(_ haystack: UnsafeRawBufferPointer, contain needle: StaticString) -> Bool {
    firstOffset(of: needle, in: haystack) != nil
}

/// Where `needle` first occurs in `haystack`, or nil (an empty needle occurs at 0). memchr
/// looks for the needle's first byte that is not a quote: JSON is full of quotes, and a
/// needle like `"href"` would otherwise stop at every one.
package func firstOffset(of needle: StaticString, in haystack: UnsafeRawBufferPointer) -> Int? {
    let n = needle.utf8CodeUnitCount, p = needle.utf8Start
    guard n > 0 else { return 0 }
    guard haystack.count >= n, let raw = haystack.baseAddress else { return nil }
    var anchor = 0
    while anchor < n - 1 && p[anchor] == UInt8(ascii: "\"") { anchor += 1 }
    let base = raw.assumingMemoryBound(to: UInt8.self)
    let count = haystack.count
    var i = 0 // the first start not yet ruled out
    while i <= count - n {
        guard let hit = memchr(base + i + anchor, Int32(p[anchor]), count - n - i + 1) else { return nil }
        let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - anchor
        if memcmp(base + at, p, n) == 0 { return at }
        i = at + 1
    }
    return nil
}
