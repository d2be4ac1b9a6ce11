import ScrubjayJSON

/// One rrweb event taken out of its container, with compressed fields expanded.
public struct ReplayEvent: Sendable {
    /// The browser window (tab) it was recorded in; nil when the container does not say.
    public var windowId: String?
    /// The event's JSON, exactly as in the input unless a compressed field was expanded
    /// (then only that field and the `cv` marker change).
    public var json: [UInt8]
    /// 0-based index of the top-level value (array element or line) it came from.
    public var sourceIndex: Int
    /// 1-based line of that value, for JSON Lines input.
    public var line: Int?
    /// Set by a package writer's transform: the event is left out of the package (redaction
    /// dropped it: docs/RULES.md, "Selector rules").
    public var isDropped = false

    /// An event with its origin.
    public init(windowId: String?, json: [UInt8], sourceIndex: Int, line: Int?) {
        self.windowId = windowId
        self.json = json
        self.sourceIndex = sourceIndex
        self.line = line
    }
}

/// Reads any supported recording container and hands out its rrweb events in file order.
///
/// The shape is detected from the first value (see `InputShape`); every later value must
/// fit the same shape. One event is materialised at a time; the containers that hold all
/// events in one JSON document (PostHog exports, API responses) are walked on the tape of
/// that document without building Swift objects.
public struct RecordingDecoder {
    /// The detected container.
    public let shape: InputShape
    /// The input.
    public let bytes: JSONBytes

    /// Detects the shape of `bytes`.
    public init(bytes: JSONBytes) throws {
        self.bytes = bytes
        var reader = try EventReader(bytes: bytes)
        guard let first = try reader.next() else {
            // an empty JSON array: a recording with no events
            self.shape = .rrwebArray
            return
        }
        if reader.layout == .array, first.kind(first.root) != .object {
            // A one-line blob_v2 file reads as the array [windowId, event]: tell it from packer strings.
            let firstIsScalar = first.kind(first.root) == .number || first.kind(first.root) == .string
            if firstIsScalar, let second = try reader.next(), RecordingDecoder.isEventObject(second, second.root),
               try reader.next() == nil {
                self.shape = .posthogBlobV2
                return
            }
            var again = try EventReader(bytes: bytes)
            self.shape = try RecordingDecoder.detect(try again.next()!, layout: .array)
            return
        }
        self.shape = try RecordingDecoder.detect(first, layout: reader.layout)
    }

    static func isEventObject(_ e: JSONEvent, _ v: JSONValueRef) -> Bool {
        e.kind(v) == .object && e.int("type", of: v) != nil
    }

    static func isWindowLine(_ e: JSONEvent, _ v: JSONValueRef) -> Bool {
        guard e.kind(v) == .object, (e.member("window_id", of: v) ?? e.member("windowId", of: v)) != nil,
              let data = e.member("data", of: v) else { return false }
        return e.kind(data) == .array
    }

    static func detect(_ e: JSONEvent, layout: EventReader.Layout) throws -> InputShape {
        let root = e.root
        func unknown() -> FormatError {
            FormatError(kind: .unknownShape, file: e.bytes.origin, eventIndex: nil, line: nil, pointer: nil,
                        detail: "not a recording shape Scrubjay reads. Supported shapes:\n" + InputShape.supportedList)
        }
        switch layout {
        case .array:
            // packer strings or event objects
            if isEventObject(e, root) || e.kind(root) == .string { return .rrwebArray }
            throw unknown()
        case .lines:
            if e.kind(root) == .array {
                let c = e.children(of: root)
                if c.count == 2, e.kind(c[0]) == .string || e.kind(c[0]) == .number, isEventObject(e, c[1]) { return .posthogBlobV2 }
                throw unknown()
            }
            if isEventObject(e, root) { return .rrwebLines }
            if isWindowLine(e, root) { return .posthogWindowLines }
            throw unknown()
        case .single:
            guard e.kind(root) == .object else { throw unknown() }
            if isEventObject(e, root) { return .singleEvent }
            if isWindowLine(e, root) { return .posthogWindowLines } // a one-line blob file
            if let data = e.member("data", of: root), e.kind(data) == .object {
                if e.member("snapshots", of: data) != nil { return .posthogExport }
                if e.member("snapshotsByWindowId", of: data) != nil { return .posthogExportLegacy }
            }
            if let r = e.member("result", of: root), e.kind(r) == .array { return .posthogResult }
            if let r = e.member("snapshot_data_by_window_id", of: root), e.kind(r) == .object { return .posthogSnapshotsByWindow }
            throw unknown()
        }
    }

    /// Calls `body` with every event, in file order.
    public func forEachEvent(_ body: (ReplayEvent) throws -> Void) throws {
        try forEachEvent { event, _ in try body(event) }
    }

    /// The same, with the event as read here when its JSON is a value of the input as it is
    /// (not unpacked or expanded): a reader of the event can use it instead of reading the
    /// JSON again. It is valid only during the call (the next event reuses its storage).
    public func forEachEvent(scanned body: (ReplayEvent, JSONEvent?) throws -> Void) throws {
        var reader = try EventReader(bytes: bytes)
        // A one-line blob_v2 file is read as the array [windowId, event].
        var oneLineBlobWindow: String?? = reader.layout == .array && shape == .posthogBlobV2 ? .some(nil) : nil
        while let e = try reader.next() {
            func place(_ pointer: String?) -> (String) -> FormatError {
                { detail in
                    FormatError(kind: .corruptCompressedField, file: e.bytes.origin, eventIndex: e.index, line: e.line,
                                pointer: pointer, detail: detail)
                }
            }
            func wrongShape(_ detail: String) -> FormatError {
                FormatError(kind: .notAnEvent, file: e.bytes.origin, eventIndex: e.index, line: e.line, pointer: nil,
                            detail: "\(detail) (the file was detected as \(shape.summary))")
            }
            /// One event value `v` (inside `e`), with the window it belongs to.
            func emit(_ v: JSONValueRef, window: String?, pointer: String) throws {
                if e.kind(v) == .string {
                    // an rrweb packer string
                    let json = try CompressedFields.unpackRRWeb(e, v, place: place(pointer))
                    try body(ReplayEvent(windowId: window, json: json, sourceIndex: e.index, line: e.line), nil)
                    return
                }
                guard RecordingDecoder.isEventObject(e, v) else {
                    throw wrongShape("\(pointer.isEmpty ? "the value" : pointer) is not an rrweb event (an object with a numeric \"type\")")
                }
                let expanded = try CompressedFields.expandPostHog(e, v, place: place(pointer))
                try body(ReplayEvent(windowId: window ?? windowIdMember(e, v), json: expanded ?? e.rawBytes(v), sourceIndex: e.index, line: e.line),
                         expanded == nil && v == e.root ? e : nil)
            }
            let root = e.root
            switch shape {
            case .rrwebArray, .rrwebLines, .singleEvent:
                try emit(root, window: nil, pointer: "")
            case .posthogBlobV2 where oneLineBlobWindow != nil:
                if e.index == 0 {
                    oneLineBlobWindow = .some(scalarText(e, root))
                } else {
                    try emit(root, window: oneLineBlobWindow!, pointer: "")
                }
            case .posthogBlobV2:
                let c = e.kind(root) == .array ? e.children(of: root) : []
                guard c.count == 2 else { throw wrongShape("a blob_v2 line must be [windowId, event]") }
                try emit(c[1], window: scalarText(e, c[0]), pointer: "/1")
            case .posthogWindowLines:
                guard e.kind(root) == .object, let data = e.member("data", of: root), e.kind(data) == .array else {
                    throw wrongShape("a line must be {\"window_id\", \"data\": [events]}")
                }
                let w = (e.member("window_id", of: root) ?? e.member("windowId", of: root)).flatMap { scalarText(e, $0) }
                for (i, v) in e.children(of: data).enumerated() { try emit(v, window: w, pointer: "/data/\(i)") }
            case .posthogExport:
                guard let snaps = e.value(at: "/data/snapshots"), e.kind(snaps) == .array else { throw wrongShape("no /data/snapshots array") }
                for (i, v) in e.children(of: snaps).enumerated() { try emit(v, window: nil, pointer: "/data/snapshots/\(i)") }
            case .posthogExportLegacy:
                guard let byWindow = e.value(at: "/data/snapshotsByWindowId"), e.kind(byWindow) == .object else { throw wrongShape("no /data/snapshotsByWindowId object") }
                try emitByWindow(e, byWindow, "/data/snapshotsByWindowId", emit)
            case .posthogResult:
                guard let r = e.value(at: "/result"), e.kind(r) == .array else { throw wrongShape("no /result array") }
                for (i, v) in e.children(of: r).enumerated() { try emit(v, window: nil, pointer: "/result/\(i)") }
            case .posthogSnapshotsByWindow:
                guard let byWindow = e.value(at: "/snapshot_data_by_window_id"), e.kind(byWindow) == .object else { throw wrongShape("no /snapshot_data_by_window_id object") }
                try emitByWindow(e, byWindow, "/snapshot_data_by_window_id", emit)
            }
        }
    }

    private func emitByWindow(_ e: JSONEvent, _ byWindow: JSONValueRef, _ base: String,
                              _ emit: (JSONValueRef, String?, String) throws -> Void) throws {
        for (k, list) in e.members(of: byWindow) where e.kind(list) == .array {
            let w = e.string(k)
            for (i, v) in e.children(of: list).enumerated() {
                try emit(v, w, "\(base)/\(JSONPointer.escape(w))/\(i)")
            }
        }
    }

    private func windowIdMember(_ e: JSONEvent, _ v: JSONValueRef) -> String? {
        e.member("windowId", of: v).flatMap { scalarText(e, $0) }
    }

    /// A window id given as a string or a number.
    private func scalarText(_ e: JSONEvent, _ v: JSONValueRef) -> String? {
        switch e.kind(v) {
        case .string: return e.string(v)
        case .number: return String(decoding: e.rawBytes(v), as: UTF8.self)
        default: return nil
        }
    }
}
