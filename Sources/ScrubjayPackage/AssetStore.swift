import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ScrubjayJSON
import ScrubjayNative

/// Moves large inline data (base64 data URLs in `rr_dataURL`, `src`, mobile `base64` and
/// any other string) out of events into content-addressed assets, and puts them back.
///
/// A string value is moved when it is at least `threshold` bytes, has the form
/// `data:<type>;base64,<data>`, and re-encoding its decoded bytes gives back exactly the
/// same text (so `export` restores every byte). In the event it becomes the reference
/// `scrubjay-asset:sha256:<hex>`.
public struct AssetStore {
    /// Smallest data URL moved out, in bytes (documented in docs/FORMAT.md).
    public static let threshold = 4096
    /// Prefix of a reference left in an event.
    public static let referencePrefix = "scrubjay-asset:sha256:"

    struct Stored { var data: [UInt8]; var mediaType: String; var references: Int }
    private(set) var stored: [String: Stored] = [:]
    private(set) var order: [String] = []

    public init() {}

    /// The event with its large data URLs replaced by references (the bytes unchanged when none).
    public mutating func extract(from event: [UInt8]) throws -> [UInt8] {
        // Cheap check first: most events hold no data URL at all.
        guard event.count >= AssetStore.threshold, AssetStore.contains(event, "\"data:") else { return event }
        return try AssetStore.rewriteStrings(event, minimumLength: AssetStore.threshold) { text in
            guard let (mediaType, data) = AssetStore.decodeDataURL(text) else { return nil }
            let hash = Hex.encode(Digest.sha256(data))
            if stored[hash] == nil {
                stored[hash] = Stored(data: data, mediaType: mediaType, references: 0)
                order.append(hash)
            }
            stored[hash]!.references += 1
            return AssetStore.referencePrefix + hash
        }
    }

    /// The event with every string value (not key) of at least `minimumLength` bytes for
    /// which `transform` returns a text replaced by that text; untouched bytes stay as they are.
    static func rewriteStrings(_ event: [UInt8], minimumLength: Int = 0, _ transform: (String) -> String?) throws -> [UInt8] {
        let bytes = JSONBytes(event)
        var reader = try EventReader(bytes: bytes)
        guard let e = try reader.next() else { return event }
        var edits = JSONEdits()
        for i in 0..<e.tokenCount {
            let t = e.token(i)
            guard t.kind == .string, !t.isKey, Int(t.end - t.start) >= minimumLength else { continue }
            let v = JSONValueRef(index: i)
            if let replacement = transform(e.string(v)) {
                edits.replace(v, in: e, withString: replacement)
            }
        }
        if edits.isEmpty { return event }
        return JSONRewriter.apply(&edits, to: bytes, range: e.range)
    }

    /// Whether `bytes` contain the UTF-8 of `needle` (memchr for the first byte, then memcmp:
    /// no allocation, no per-byte Swift loop).
    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { n in
            bytes.withUnsafeBytes { h in
                guard n.count > 0, h.count >= n.count, let base = h.baseAddress, let first = n.first else { return false }
                var offset = 0
                let last = h.count - n.count
                while offset <= last, let hit = memchr(base + offset, Int32(first), last - offset + 1) {
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
                    offset = at + 1
                }
                return false
            }
        }
    }

    /// (media type, decoded bytes) when `text` is a canonical base64 data URL.
    static func decodeDataURL(_ text: String) -> (String, [UInt8])? {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { return nil }
        let mediaType = String(header.dropLast(7))
        let payload = String(text[text.index(after: comma)...])
        guard let data = Data(base64Encoded: payload), data.base64EncodedString() == payload else { return nil }
        return (mediaType, Array(data))
    }

    /// The data URL an asset stands for.
    static func dataURL(mediaType: String, data: [UInt8]) -> String {
        "data:\(mediaType);base64," + Data(data).base64EncodedString()
    }

    /// File extension for a media type.
    static func fileExtension(_ mediaType: String) -> String {
        let type = mediaType.split(separator: ";").first.map(String.init) ?? mediaType
        switch type {
        case "image/png": return "png"
        case "image/jpeg": return "jpg"
        case "image/gif": return "gif"
        case "image/webp": return "webp"
        case "image/svg+xml": return "svg"
        case "font/woff2": return "woff2"
        case "font/woff": return "woff"
        case "text/css": return "css"
        default: return "bin"
        }
    }

    /// Puts assets back into an event: every reference string becomes its data URL.
    /// `lookup` returns (media type, bytes) for a hash, or nil when the asset is absent
    /// (a summary package): the reference is then left as it is.
    public static func restore(_ event: [UInt8], lookup: (String) -> (String, [UInt8])?) throws -> [UInt8] {
        guard contains(event, referencePrefix) else { return event }
        return try rewriteStrings(event) { text in
            guard text.hasPrefix(referencePrefix), let (mediaType, data) = lookup(String(text.dropFirst(referencePrefix.count))) else {
                return nil
            }
            return dataURL(mediaType: mediaType, data: data)
        }
    }
}
