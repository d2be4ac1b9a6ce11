import ScrubjayJSON
import ScrubjayNative

/// Expands the compressed fields PostHog and rrweb's packer write, so later stages see plain
/// JSON values.
///
/// - PostHog `"cv": "2024-10"` [FORMATS.md]: gzip bytes stored as a latin-1 JSON string.
///   FullSnapshot: the whole `data`; Mutation: each of `texts`, `attributes`, `removes`,
///   `adds`; StyleSheetRule: `adds`, `removes`. The `cv` member is removed once expanded.
/// - rrweb packer (`@rrweb/packer`): the whole event is a latin-1 string of zlib bytes of
///   the event JSON, which carries `"v": "v1"`.
enum CompressedFields {
    /// Largest expansion accepted for one field (a guard against decompression bombs).
    static let maxExpandedBytes = 1 << 30

    /// Whether the event (an object) is marked `"cv": "2024-10"`.
    static func cvKey(_ event: JSONEvent, _ object: JSONValueRef) -> JSONValueRef? {
        for (k, v) in event.membersInPlace(of: object) where event.string(k, equals: "cv") {
            return event.kind(v) == .string ? k : nil
        }
        return nil
    }

    /// The bytes of `object` (an event in `event`) with every compressed field expanded.
    /// Returns nil when nothing is compressed (the caller keeps the original bytes).
    static func expandPostHog(_ event: JSONEvent, _ object: JSONValueRef, place: (String) -> FormatError) throws -> [UInt8]? {
        guard let cv = cvKey(event, object) else { return nil }
        let value = JSONValueRef(index: cv.index + 1) // a key's value is the next token
        guard event.string(value) == "2024-10" else {
            // The value is the recording's: shown masked, like every parse error's excerpt.
            throw place("unsupported compression version in \"cv\" (supported: 2024-10): "
                        + JSONError.excerpt(event.bytes, around: event.byteRange(value).lowerBound))
        }
        var edits = JSONEdits()
        func expand(_ value: JSONValueRef, _ pointer: String) throws {
            guard event.kind(value) == .string else { return } // already plain
            guard let compressed = event.latin1Bytes(value) else {
                throw place("\(pointer): a compressed field must be a latin-1 string")
            }
            let json: [UInt8]
            do {
                json = try Inflate.gzip(compressed, maxOutput: maxExpandedBytes)
            } catch {
                throw place("\(pointer): corrupt gzip data: \(error)")
            }
            // The expansion must itself be one valid JSON value.
            let bytes = JSONBytes(json, origin: pointer)
            do {
                var reader = try EventReader(bytes: bytes)
                guard reader.layout != .lines else { throw place("\(pointer): expands to more than one JSON value") }
                while try reader.next() != nil {}
            } catch let e as JSONError {
                throw place("\(pointer): expands to invalid JSON: \(e.detail) at byte \(e.offset)")
            }
            edits.replace(value, in: event, withRawJSON: json)
        }
        guard let type = event.int("type", of: object),
              let data = event.member("data", of: object) else {
            throw place("a \"cv\" event without a numeric \"type\" and \"data\"")
        }
        if type == RRWebEventType.fullSnapshot.rawValue {
            try expand(data, "/data")
        } else if type == RRWebEventType.incrementalSnapshot.rawValue, event.kind(data) == .object {
            for (k, v) in event.members(of: data) {
                let name = event.string(k)
                if ["texts", "attributes", "removes", "adds"].contains(name) { try expand(v, "/data/" + name) }
            }
        }
        edits.removeMember(key: cv, of: object, in: event)
        return JSONRewriter.apply(&edits, to: event.bytes, range: event.byteRange(object))
    }

    /// Unpacks an rrweb packer string (zlib of the event JSON) to the event's JSON bytes.
    static func unpackRRWeb(_ event: JSONEvent, _ value: JSONValueRef, place: (String) -> FormatError) throws -> [UInt8] {
        guard let compressed = event.latin1Bytes(value) else {
            throw place("a string event that is not an rrweb packer string (a code point above U+00FF)")
        }
        do {
            return try Inflate.zlib(compressed, maxOutput: maxExpandedBytes)
        } catch {
            throw place("a string event that is not a valid rrweb packer string: \(error)")
        }
    }
}
