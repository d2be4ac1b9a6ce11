#if canImport(Glibc)
import Glibc
#endif

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
