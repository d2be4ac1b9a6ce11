import ScrubjayDOM
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules

/// A string of an event that rules look at, with what it means.
public struct StringSite {
    /// The string value.
    public let value: JSONValueRef
    /// Where it sits (docs/RULES.md, "Channels"). For `css`, only string tokens and `url()`
    /// arguments inside it may change.
    public let channel: Channel
    /// The DOM node (or mobile wireframe) it belongs to, when there is one.
    public let nodeId: Int?
    /// For an attribute value: the member's key and the attributes object, so an action that
    /// empties the value can drop the attribute instead.
    public let attributeKey: JSONValueRef?
    public let attributes: JSONValueRef?
}

/// Content the rules cannot read, reported as "not scanned" with a reason.
public enum UnscannedKind: String, Codable, Sendable, CaseIterable, Comparable {
    /// Inline images (`data:image/...`, `rr_dataURL`, mobile `base64` screenshots).
    case images
    /// Canvas drawing commands (CanvasMutation events).
    case canvas
    /// Web fonts (Font events, `data:` fonts in CSS).
    case fonts
    /// Other binary data URLs (audio, video, application data).
    case media

    public var reason: String {
        switch self {
        case .images: return "pixel data: text inside images is not read (no OCR)"
        case .canvas: return "canvas drawing commands and image data: text drawn on a canvas is not read"
        case .fonts: return "font files carry glyphs, not recorded content"
        case .media: return "binary data URLs (audio, video, files) are not decoded"
        }
    }

    public static func < (a: UnscannedKind, b: UnscannedKind) -> Bool { a.rawValue < b.rawValue }
}

/// How many values, and how many bytes, of each kind were not scanned.
public struct UnscannedCounts: Equatable, Sendable {
    public struct Count: Equatable, Sendable {
        public var values = 0
        public var bytes = 0
    }
    private var counts: [UnscannedKind: Count] = [:]

    public init() {}

    public subscript(kind: UnscannedKind) -> Count? { counts[kind] }

    /// The kinds seen, in name order.
    public var kinds: [UnscannedKind] { counts.keys.sorted() }

    /// Counts one value of `bytes` bytes.
    public mutating func add(_ kind: UnscannedKind, bytes: Int) {
        counts[kind, default: Count()].values += 1
        counts[kind, default: Count()].bytes += bytes
    }

    public mutating func merge(_ other: UnscannedCounts) {
        for (kind, c) in other.counts {
            counts[kind, default: Count()].values += c.values
            counts[kind, default: Count()].bytes += c.bytes
        }
    }
}

/// Finds every string of an rrweb (or PostHog mobile) event that a player shows or a request
/// carries, and the channel it belongs to. Keys, numbers, node ids and structure are never
/// visited. Sources: ../shared/FORMATS.md, rrweb packages/types/src/index.ts.
public struct EventWalker {
    /// Values and bytes of content not scanned, by kind.
    public var unscanned = UnscannedCounts()

    public init() {}

    mutating func skip(_ kind: UnscannedKind, bytes: Int) {
        unscanned.add(kind, bytes: bytes)
    }

    /// What `walk` calls for each string, with the event (passed, not captured: a closure
    /// that captured the event would copy it into every function the walk specializes).
    public typealias Visit = (JSONEvent, StringSite) throws -> Void

    /// Calls `visit` for each string of `event` that rules apply to.
    public mutating func walk(_ e: JSONEvent, _ visit: (StringSite) throws -> Void) rethrows {
        try walk(e) { _, site in try visit(site) }
    }

    /// Calls `visit` with the event and each string of it that rules apply to.
    public mutating func walk(_ e: JSONEvent, _ visit: Visit) rethrows {
        try walk(e, EventHead(e), visit)
    }

    /// The same, for an event whose head is read.
    mutating func walk(_ e: JSONEvent, _ head: EventHead, _ visit: Visit) rethrows {
        guard let type = head.type, let data = head.data else { return }
        switch type {
        case RRWebEventType.fullSnapshot.rawValue:
            guard e.kind(data) == .object else { return }
            if let node = e.member("node", of: data) { try walkNode(e, node, parentTag: .unknown, visit) }
            if let wireframes = e.member("wireframes", of: data) { try walkWireframes(e, wireframes, visit) }
        case RRWebEventType.incrementalSnapshot.rawValue:
            guard let source = head.source else { return } // nil unless `data` is an object
            try walkIncremental(e, data, source: source, visit)
        case RRWebEventType.meta.rawValue:
            if let href = e.member("href", of: data) { try visitString(e, href, .url, nil, visit) }
        case RRWebEventType.custom.rawValue:
            if let payload = e.member("payload", of: data) { try walkAll(e, payload, .custom, visit) }
        case RRWebEventType.plugin.rawValue:
            guard let payload = e.member("payload", of: data) else { return }
            let name = e.member("plugin", of: data, kind: .string).map { e.stringBytes($0) } ?? []
            let channel: Channel = bytes(name, contain: "console") ? .console : bytes(name, contain: "network") ? .network : .custom
            try walkAll(e, payload, channel, visit)
        case RRWebEventType.asset.rawValue: // {url, payload}; the payload is the fetched file.
            if let url = e.member("url", of: data) { try visitString(e, url, .url, nil, visit) }
            if let payload = e.member("payload", of: data) { skip(.images, bytes: e.byteRange(payload).count) }
        case RRWebEventType.domContentLoaded.rawValue, RRWebEventType.load.rawValue:
            return
        default:
            // An event type this release does not know: every string in it, conservatively.
            try walkAll(e, data, .custom, visit)
        }
    }

    // MARK: incremental snapshots

    mutating func walkIncremental(_ e: JSONEvent, _ data: JSONValueRef, source: Int, _ visit: Visit) rethrows {
        switch RRWebIncrementalSource(rawValue: source) {
        case .mutation:
            // Loops over sequences read off the tape: no closure context, no array.
            if let texts = e.member("texts", of: data) {
                for t in e.elements(of: texts) {
                    guard e.kind(t) == .object, let v = e.member("value", of: t) else { continue }
                    try visitString(e, v, .text, nodeId(e, t), visit)
                }
            }
            if let attrs = e.member("attributes", of: data) {
                for a in e.elements(of: attrs) {
                    guard e.kind(a) == .object, let map = e.member("attributes", of: a), e.kind(map) == .object else { continue }
                    try walkAttributes(e, map, tag: .unknown, node: nodeId(e, a), visit)
                }
            }
            if let adds = e.member("adds", of: data) {
                for add in e.elements(of: adds) {
                    guard e.kind(add) == .object else { continue }
                    if let node = e.member("node", of: add) { try walkNode(e, node, parentTag: .unknown, visit) }
                    if let wf = e.member("wireframe", of: add) { try walkWireframe(e, wf, visit) }
                }
            }
            if let updates = e.member("updates", of: data) {
                for u in e.elements(of: updates) {
                    guard e.kind(u) == .object, let wf = e.member("wireframe", of: u) else { continue }
                    try walkWireframe(e, wf, visit)
                }
            }
        case .input:
            if let text = e.member("text", of: data) { try visitString(e, text, .input, nodeId(e, data), visit) }
        case .styleSheetRule:
            if let adds = e.member("adds", of: data), e.kind(adds) == .array {
                for add in e.children(of: adds) where e.kind(add) == .object {
                    if let rule = e.member("rule", of: add) { try visitString(e, rule, .css, nodeId(e, data), visit) }
                }
            }
            if let replace = e.member("replace", of: data) { try visitString(e, replace, .css, nodeId(e, data), visit) }
            if let replace = e.member("replaceSync", of: data) { try visitString(e, replace, .css, nodeId(e, data), visit) }
        case .styleDeclaration:
            if let set = e.member("set", of: data), e.kind(set) == .object, let v = e.member("value", of: set) {
                try visitString(e, v, .css, nodeId(e, data), visit)
            }
        case .adoptedStyleSheet:
            if let styles = e.member("styles", of: data), e.kind(styles) == .array {
                for s in e.children(of: styles) where e.kind(s) == .object {
                    guard let rules = e.member("rules", of: s), e.kind(rules) == .array else { continue }
                    for r in e.children(of: rules) where e.kind(r) == .object {
                        if let rule = e.member("rule", of: r) { try visitString(e, rule, .css, nil, visit) }
                    }
                }
            }
        case .canvasMutation:
            skip(.canvas, bytes: e.byteRange(data).count)
        case .font:
            skip(.fonts, bytes: e.byteRange(data).count)
        case .log:
            // rrweb 1.x console capture inside incremental snapshots.
            for key in ["payload", "trace"] as [StaticString] {
                if let v = e.member(key, of: data) { try walkAll(e, v, .console, visit) }
            }
        case .mouseMove, .mouseInteraction, .scroll, .viewportResize, .touchMove, .mediaInteraction, .drag, .selection:
            return // positions, ids and flags only
        case .customElement, nil:
            try walkAll(e, data, .custom, visit)
        }
    }

    // MARK: DOM nodes

    /// The element names whose content or `value` the walker treats specially.
    enum Tag {
        case unknown, other, style, textarea, input, select, canvas
    }

    /// A serialized node and its subtree (explicit stack: no recursion limit on deep pages).
    /// Each node's members are read in one pass.
    mutating func walkNode(_ e: JSONEvent, _ start: JSONValueRef, parentTag: Tag, _ visit: Visit) rethrows {
        var stack: [(JSONValueRef, Tag)] = []
        stack.reserveCapacity(32) // one growth for most subtrees, not one per level
        stack.append((start, parentTag))
        while let (node, parent) = stack.popLast() {
            guard e.kind(node) == .object else { continue }
            var type: Int?, id: Int?, isStyle = false
            var tag = Tag.unknown
            var attributes: JSONValueRef?, childNodes: JSONValueRef?, textContent: JSONValueRef?
            for (key, value) in e.membersInPlace(of: node) {
                switch e.withText(key, SerializedNodeMember.init) {
                case .type: type = e.int(value)
                case .id: id = e.int(value)
                case .tagName: if e.kind(value) == .string { tag = e.withText(value, Tag.init) }
                case .attributes: attributes = value
                case .childNodes: childNodes = value
                case .textContent: textContent = value
                case .isStyle: isStyle = e.kind(value) == .true
                default: break
                }
            }
            switch type {
            case 2: // Element
                if let attributes, e.kind(attributes) == .object {
                    try walkAttributes(e, attributes, tag: tag, node: id, visit)
                }
                if let childNodes, e.kind(childNodes) == .array {
                    let base = stack.count
                    for child in e.elements(of: childNodes) { stack.append((child, tag)) }
                    stack.reverseTail(from: base)
                }
            case 3: // Text
                guard let textContent else { continue }
                let channel: Channel = isStyle || parent == .style ? .css : parent == .textarea ? .input : .text
                try visitString(e, textContent, channel, id, visit)
            case 4: // CDATA
                if let textContent { try visitString(e, textContent, .text, id, visit) }
            case 5: // Comment
                if let textContent { try visitString(e, textContent, .comment, id, visit) }
            case 0: // Document
                if let childNodes, e.kind(childNodes) == .array {
                    let base = stack.count
                    for child in e.elements(of: childNodes) { stack.append((child, .unknown)) }
                    stack.reverseTail(from: base)
                }
            default: // DocumentType: name and public/system ids only
                continue
            }
        }
    }

    /// An attributes object: `{name: value}`, where a mutation may give `null` (removed) or,
    /// for `style`, an object of property changes (`{prop: value | [value, priority] | false}`).
    mutating func walkAttributes(_ e: JSONEvent, _ attrs: JSONValueRef, tag: Tag, node: Int?, _ visit: Visit) rethrows {
        // The `value` of a text-like field is what the user typed; a button's or checkbox's is
        // markup (rrweb's maskInputOptions draw the same line).
        var valueIsTyped = tag == .unknown || tag == .textarea || tag == .select
        if tag == .input {
            valueIsTyped = true
            for (key, value) in e.membersInPlace(of: attrs) {
                if e.kind(value) == .string, e.withText(key, AttributeName.init) == .type,
                   e.withText(value, EventWalker.isNonTypedInputType) { valueIsTyped = false }
            }
        }
        for (key, value) in e.membersInPlace(of: attrs) {
            let kind = e.kind(value)
            guard kind == .string || kind == .object else { continue }
            let name = e.withText(key, AttributeName.init)
            if kind == .object {
                guard name == .css else { continue }
                for (_, v) in e.membersInPlace(of: value) {
                    if e.kind(v) == .string { try visitString(e, v, .css, node, visit) }
                    else if e.kind(v) == .array, v.index + 1 < Int(e.token(v.index).next), e.token(v.index + 1).kind == .string {
                        try visitString(e, JSONValueRef(index: v.index + 1), .css, node, visit)
                    }
                }
                continue
            }
            let channel: Channel
            switch name {
            case .css: channel = .css
            case .dataURL:
                skip(tag == .canvas ? .canvas : .images, bytes: e.byteRange(value).count)
                continue
            case .value: channel = valueIsTyped ? .input : .attribute
            case .url: channel = .url
            case .type, .other: channel = .attribute
            }
            try visitString(e, value, channel, node, visit, attributeKey: key, attributes: attrs)
        }
    }

    // MARK: mobile wireframes

    /// Wireframe members that hold text a viewer sees.
    static func isWireframeText(_ e: JSONEvent, _ k: JSONValueRef) -> Bool {
        e.string(k, equals: "text") || e.string(k, equals: "label") || e.string(k, equals: "value")
            || e.string(k, equals: "placeholder") || e.string(k, equals: "hint") || e.string(k, equals: "title")
            || e.string(k, equals: "contentDescription")
    }

    mutating func walkWireframes(_ e: JSONEvent, _ list: JSONValueRef, _ visit: Visit) rethrows {
        guard e.kind(list) == .array else { return }
        try e.forEachChild(of: list) { try walkWireframe(e, $0, visit) }
    }

    /// A mobile wireframe and its children: `text`, `label`, `value`, `options` and similar
    /// text; `base64` (images, screenshots) is not scanned; `style`, ids and geometry are skipped.
    mutating func walkWireframe(_ e: JSONEvent, _ start: JSONValueRef, _ visit: Visit) rethrows {
        var stack = [start]
        while let wf = stack.popLast() {
            guard e.kind(wf) == .object else { continue }
            let id = nodeId(e, wf)
            try e.forEachMember(of: wf) { key, value in
                if e.string(key, equals: "childWireframes") {
                    if e.kind(value) == .array { stack.append(contentsOf: e.children(of: value).reversed()) }
                } else if e.string(key, equals: "base64") {
                    if e.kind(value) == .string { skip(.images, bytes: e.byteRange(value).count) }
                } else if e.string(key, equals: "options") {
                    try walkAll(e, value, .mobile, visit, node: id)
                } else if e.kind(value) == .string && EventWalker.isWireframeText(e, key) {
                    try visitString(e, value, .mobile, id, visit)
                }
            }
        }
    }

    // MARK: helpers

    func nodeId(_ e: JSONEvent, _ object: JSONValueRef) -> Int? {
        e.int("id", of: object)
    }

    /// Every string value below `value` (object keys excluded).
    mutating func walkAll(_ e: JSONEvent, _ value: JSONValueRef, _ channel: Channel, _ visit: Visit, node: Int? = nil) rethrows {
        let end = Int(e.token(value.index).next)
        var i = value.index
        while i < end {
            let t = e.token(i)
            if t.kind == .string && !t.isKey { try visitString(e, JSONValueRef(index: i), channel, node, visit) }
            i += 1
        }
    }

    /// Visits a string unless it is an inline binary (`data:` URL) or a package asset reference.
    mutating func visitString(_ e: JSONEvent, _ v: JSONValueRef, _ channel: Channel, _ node: Int?, _ visit: Visit,
                              attributeKey: JSONValueRef? = nil, attributes: JSONValueRef? = nil) rethrows {
        guard e.kind(v) == .string else { return }
        let r = e.byteRange(v)
        if r.count <= 2 { return }
        if channel != .css, let kind = EventWalker.binaryKind(e, v) {
            skip(kind, bytes: r.count - 2)
            return
        }
        try visit(e, StringSite(value: v, channel: channel, nodeId: node, attributeKey: attributeKey, attributes: attributes))
    }

    /// The kind of an inline binary string (`data:` URL with a non-text media type), or nil.
    /// Every string is asked, so the test for "data:" is one four-byte load; only a `data:` URL
    /// calls out to have its media type read. (Not inlined: in the payload walk, the larger
    /// caller was then too large for its own callees to be inlined.)
    @inline(never)
    static func binaryKind(_ e: JSONEvent, _ v: JSONValueRef) -> UnscannedKind? {
        let isDataURL = e.withStringBody(v) { body -> Bool in
            // OR-ing 0x20 folds only the letters' case here: no other byte becomes d, a or t.
            body.count > 5 && body.loadUnaligned(as: UInt32.self) | 0x2020_2020 == UInt32(littleEndian: 0x61_74_61_64)
                && body[4] == UInt8(ascii: ":")
        }
        return isDataURL ? dataURLKind(e, v) : nil
    }

    /// The kind of a string that starts with "data:".
    @inline(never)
    static func dataURLKind(_ e: JSONEvent, _ v: JSONValueRef) -> UnscannedKind? {
        e.withStringBody(v) { body in
            let head = String(decoding: UnsafeRawBufferPointer(rebasing: body[5..<min(body.count, 64)]), as: UTF8.self).lowercased()
            return DataURLKind.classify(mediaTypePrefix: head)
        }
    }
}

/// What a `data:` URL holds, judged from the start of its media type.
enum DataURLKind {
    /// nil for text media types (`text/*`, JSON, XML other than SVG, none given), which are scanned.
    static func classify(mediaTypePrefix head: String) -> UnscannedKind? {
        if head.hasPrefix("image/") { return .images }
        if head.hasPrefix("font/") || head.hasPrefix("application/font") || head.hasPrefix("application/x-font")
            || head.hasPrefix("application/vnd.ms-fontobject") { return .fonts }
        if head.hasPrefix("text/") || head.hasPrefix(",") || head.hasPrefix(";") || head.hasPrefix("application/json") { return nil }
        return .media
    }
}
