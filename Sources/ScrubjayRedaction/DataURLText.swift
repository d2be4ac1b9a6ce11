import Foundation
import ScrubjayRules

/// A `data:` URL of a textual media type (`text/*`, JSON, XML, SVG, JavaScript; docs/RULES.md,
/// "Not scanned"): a page that follows the link, an iframe or an object shows its text, and a
/// reader of the package decodes it in one step. Its text, after the first comma, is read as
/// the browser reads it: base64 decoded (`data:application/json;base64,...`), or
/// percent-encoded (`data:text/html,%3Cp%3E...`) read decoded; a rewritten text is written back
/// encoded as it was, and the head (`data:text/html;charset=utf-8,`) is kept byte for byte,
/// so the URL stays one (a URL's own reading would take `text/html,...` for a path segment).
enum DataURLText {
    /// Whether `text` starts with `data:` (ASCII case-insensitively): one four-byte load.
    @inline(__always)
    static func startsWithData(_ text: UnsafeRawBufferPointer) -> Bool {
        // OR-ing 0x20 folds only the letters' case here: no other byte becomes d, a or t.
        text.count > 6 && text.loadUnaligned(as: UInt32.self) | 0x2020_2020 == UInt32(littleEndian: 0x61_74_61_64)
            && text[4] == UInt8(ascii: ":")
    }

    /// The length of the head (`data:...,`, the comma included) and whether the text is
    /// base64, when `text` is a data URL of a textual media type (`DataURLKind.isTextual`, or
    /// none given, which is `text/plain`). Nil otherwise (also for text that only starts with
    /// `data:`, as a server-sent events line does).
    static func head(_ text: UnsafeRawBufferPointer) -> (length: Int, base64: Bool)? {
        guard startsWithData(text) else { return nil }
        let limit = min(text.count, 200)
        guard let comma = text[5..<limit].firstIndex(of: UInt8(ascii: ",")) else { return nil }
        let head = String(decoding: UnsafeRawBufferPointer(rebasing: text[5...comma]), as: UTF8.self).lowercased()
        if !(head.hasPrefix(",") || head.hasPrefix(";")) {
            guard DataURLKind.isMediaType(Array(head.utf8)), DataURLKind.isTextual(head) else { return nil }
        }
        return (comma + 1, head.hasSuffix(";base64,"))
    }

    /// `text` (base64, ASCII white space allowed between its characters as browsers allow it)
    /// decoded, when the result is UTF-8.
    static func decodeBase64(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        guard !text.isEmpty else { return nil }
        var compact = Data(text)
        if text.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0C || $0 == 0x0D }) {
            compact = Data(text.filter { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0C || $0 == 0x0D) })
        }
        if compact.count % 4 != 0 { compact.append(contentsOf: [UInt8](repeating: UInt8(ascii: "="), count: 4 - compact.count % 4)) }
        guard let data = Data(base64Encoded: compact) else { return nil }
        let decoded = [UInt8](data)
        return String(validating: decoded, as: UTF8.self) == nil ? nil : decoded
    }
}

extension Redactor {
    /// A textual data URL's text (decoded from base64 when it is), and what pattern rules find
    /// in it: in the text as it is (`raw`) and, when it is percent-encoded, holds character
    /// references or look-alikes (`LookAlikeText`), in `view` (`matches`).
    struct DecodedDataURL {
        let headLength: Int
        /// Where the text ends: a base64 text ends at a `#` (the URL's fragment, kept as it is).
        var end: Int
        let base64: Bool
        let body: [UInt8]
        let view: DecodedView?
        let raw: [RuleMatch]
        let matches: [RuleMatch]
        var isEmpty: Bool { raw.isEmpty && matches.isEmpty }
    }

    /// What rules find in `text` when it is a data URL of a textual media type; nil when it is
    /// none (or its base64 does not decode to UTF-8: then it is read as any string).
    mutating func decodedDataURL(_ text: UnsafeRawBufferPointer, channel: Channel) -> DecodedDataURL? {
        guard let head = DataURLText.head(text) else { return nil }
        var rest = UnsafeRawBufferPointer(rebasing: text[head.length...])
        let body: [UInt8]
        if head.base64 {
            // A browser drops the fragment before it decodes (`...;base64,PHN2Zz4...#icon`).
            if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = UnsafeRawBufferPointer(rebasing: rest[..<hash]) }
            // A browser percent-decodes the body before base64 (`...%3D` is `=`).
            let percentDecoded = rest.contains(UInt8(ascii: "%")) ? FormEncoded.decodePathSegment(Array(rest)) : nil
            let decoded = percentDecoded.map { p in p.withUnsafeBytes(DataURLText.decodeBase64) } ?? DataURLText.decodeBase64(rest)
            guard let decoded else { return nil }
            body = decoded
        } else {
            body = Array(rest)
        }
        let matches = body.withUnsafeBytes { ruleMatches($0, channel) }
        if let view = body.withUnsafeBytes(Redactor.encodedView), let found = decodedMatches(view, raw: matches, channel: channel) {
            return DecodedDataURL(headLength: head.length, end: head.length + rest.count, base64: head.base64, body: body, view: view, raw: found.raw, matches: found.decoded)
        }
        // Look-alikes in a text with no escape or reference (`data:text/plain,call ４１５–５５５–０１３４`).
        if let found = body.withUnsafeBytes({ lookAlikeMatches($0, raw: matches, channel: channel) }) {
            return DecodedDataURL(headLength: head.length, end: head.length + rest.count, base64: head.base64, body: body, view: found.view, raw: found.raw, matches: found.decoded)
        }
        return DecodedDataURL(headLength: head.length, end: head.length + rest.count, base64: head.base64, body: body, view: nil, raw: matches, matches: [])
    }

    /// Records the findings of `d` and, when redacting, returns the data URL (`text`) with its
    /// text rewritten and encoded again as it was, the head kept. Nil when auditing.
    mutating func applyDataURL(_ d: DecodedDataURL, in text: UnsafeRawBufferPointer, channel: Channel, nodeId: Int?, _ place: inout Place,
                               pointer: () -> String, timestamp: () -> Double?) -> [UInt8]? {
        let body: [UInt8]?
        if let view = d.view {
            body = d.body.withUnsafeBytes {
                applyDecoded($0, view, rawMatches: d.raw, d.matches, channel: channel, nodeId: nodeId, &place, pointer: pointer, timestamp: timestamp)
            }
        } else {
            d.body.withUnsafeBytes { record(d.raw, in: $0, channel: channel, nodeId: nodeId, place: &place, pointer: pointer, timestamp: timestamp) }
            body = mode == .redact ? d.body.withUnsafeBytes { rewritten($0, d.raw, channel: .text) } : nil
        }
        guard let body else { return nil }
        var out = Array(UnsafeRawBufferPointer(rebasing: text[..<d.headLength]))
        out += d.base64 ? Array(Data(body).base64EncodedString().utf8) : body
        out += UnsafeRawBufferPointer(rebasing: text[d.end...])
        return out
    }
}
