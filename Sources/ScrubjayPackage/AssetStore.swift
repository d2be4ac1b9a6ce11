import Foundation
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
        guard event.count >= AssetStore.threshold, containsDataURL(event) else { return event }
        let bytes = JSONBytes(event)
        var reader = try EventReader(bytes: bytes)
        guard let e = try reader.next() else { return event }
        var edits = JSONEdits()
        for i in 0..<e.tokenCount {
            let t = e.token(i)
            guard t.kind == .string, !t.isKey, Int(t.end - t.start) >= AssetStore.threshold else { continue }
            let v = JSONValueRef(index: i)
            let text = e.string(v)
            guard let (mediaType, data) = AssetStore.decodeDataURL(text) else { continue }
            let hash = Hex.encode(Digest.sha256(data))
            if stored[hash] == nil {
                stored[hash] = Stored(data: data, mediaType: mediaType, references: 0)
                order.append(hash)
            }
            stored[hash]!.references += 1
            edits.replace(v, in: e, withString: AssetStore.referencePrefix + hash)
        }
        if edits.isEmpty { return event }
        return JSONRewriter.apply(&edits, to: bytes, range: e.range)
    }

    private func containsDataURL(_ bytes: [UInt8]) -> Bool {
        let needle = Array("\"data:".utf8)
        return bytes.withUnsafeBufferPointer { p in
            var i = 0
            while i + needle.count <= p.count {
                if p[i] == 0x22, p[i + 1] == 0x64, Array(p[i..<(i + needle.count)]) == needle { return true }
                i += 1
            }
            return false
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
        let marker = Array(referencePrefix.utf8)
        guard event.withUnsafeBufferPointer({ p in
            p.count >= marker.count && (0...(p.count - marker.count)).contains { i in p[i] == marker[0] && Array(p[i..<(i + marker.count)]) == marker }
        }) else { return event }
        let bytes = JSONBytes(event)
        var reader = try EventReader(bytes: bytes)
        guard let e = try reader.next() else { return event }
        var edits = JSONEdits()
        for i in 0..<e.tokenCount {
            let t = e.token(i)
            guard t.kind == .string, !t.isKey else { continue }
            let v = JSONValueRef(index: i)
            let text = e.string(v)
            guard text.hasPrefix(referencePrefix) else { continue }
            let hash = String(text.dropFirst(referencePrefix.count))
            if let (mediaType, data) = lookup(hash) {
                edits.replace(v, in: e, withString: dataURL(mediaType: mediaType, data: data))
            }
        }
        return JSONRewriter.apply(&edits, to: bytes, range: e.range)
    }
}
