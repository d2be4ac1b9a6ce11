import ScrubjayDOM
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules

/// A string of an event that rules look at, with what it means; or a number of payload data,
/// when the walker reads numbers (`EventWalker.numberGates`).
public struct StringSite {
    /// The string value (or number).
    public let value: JSONValueRef
    /// Where it sits (docs/RULES.md, "Channels"). For `css`, only string tokens, `url()`
    /// arguments and the text of comments inside it may change.
    public let channel: Channel
    /// The DOM node (or mobile wireframe) it belongs to, when there is one.
    public let nodeId: Int?
    /// For an attribute value: the member's key and the attributes object, so an action that
    /// empties the value can drop the attribute instead.
    public let attributeKey: JSONValueRef?
    public let attributes: JSONValueRef?
    /// For a text node: the short text shown before it in the page (`Phone` before
    /// `4155550134`), blank text passed over, which labels it as a key labels a value.
    public var label: JSONValueRef? = nil
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
    /// Members an object repeats the key of: `JSON.parse`, and so the player, keeps only the
    /// last, which is what is scanned; `redact` removes the earlier ones.
    case repeatedKeys = "repeated_keys"

    public var reason: String {
        switch self {
        case .images: return "pixel data: text inside images is not read (no OCR)"
        case .canvas: return "canvas drawing commands and image data: text drawn on a canvas is not read"
        case .fonts: return "font files carry glyphs, not recorded content"
        case .media: return "binary data URLs (audio, video, files) are not decoded"
        case .repeatedKeys: return "earlier members of an object that repeats a key never replay (the last one is read); redact removes them"
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
/// carries, and the channel it belongs to. Keys, node ids and structure are never visited;
/// numbers only where they are payload data and `numberGates` admits them.
/// Sources: ../shared/FORMATS.md, rrweb packages/types/src/index.ts.
public struct EventWalker {
    /// Values and bytes of content not scanned, by kind.
    public var unscanned = UnscannedCounts()
    /// The numbers visited, as sites of their channel: those of payload data (an unknown
    /// plugin's payload, a Log event's arguments, an unknown event's data, members no reader
    /// reads, read as `custom` or `console`) that the channel's gate admits. Closed (no
    /// number visited) unless the caller opens them: the redactor, from its rules.
    public var numberGates: (custom: NumberGate, console: NumberGate) = (.closed, .closed)
    /// What the walker knows of the page of the events it walks (one per window), so that
    /// the text a mutation adds or changes inside a `<textarea>` or `<style>` is read as
    /// typed input or CSS, as it is in a snapshot. nil: every mutation's text is text.
    var page: PageTags?

    public init() {}

    /// The ids of a page's `<textarea>` and `<style>` elements, and of the text nodes inside
    /// them. Filled from full snapshots and mutation adds; emptied by a full snapshot.
    final class PageTags {
        // Confined to one redactor; read for every mutation (no dynamic exclusivity checks).
        @exclusivity(unchecked) var elements: [Int: Tag] = [:]
        @exclusivity(unchecked) var texts: [Int: Tag] = [:]

        /// Element `id`, a textarea or style element (`tag`).
        func element(_ id: Int?, _ tag: Tag) {
            if let id { elements[id] = tag }
        }

        /// Text node `id`, under a textarea or style element (`parent`).
        func text(_ id: Int?, under parent: Tag) {
            if let id { texts[id] = parent }
        }

        func reset() {
            elements.removeAll(keepingCapacity: true)
            texts.removeAll(keepingCapacity: true)
        }
    }

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
            page?.reset()
            if let node = e.member("node", of: data) { try walkNode(e, node, parentTag: .unknown, visit) }
            if let wireframes = e.member("wireframes", of: data) { try walkWireframes(e, wireframes, visit) }
        case RRWebEventType.incrementalSnapshot.rawValue:
            guard let source = head.source else { return } // nil unless `data` is an object
            try walkIncremental(e, data, source: source, visit)
        case RRWebEventType.meta.rawValue:
            if let href = e.member("href", of: data) { try visitString(e, href, .url, nil, visit) }
        case RRWebEventType.custom.rawValue:
            if let payload = e.member("payload", of: data) { try walkAll(e, payload, .custom, visit, numbers: true) }
        case RRWebEventType.plugin.rawValue:
            guard let payload = e.member("payload", of: data) else { return }
            let name = e.member("plugin", of: data, kind: .string).map { e.stringBytes($0) } ?? []
            let channel: Channel = bytes(name, contain: "console") ? .console : bytes(name, contain: "network") ? .network : .custom
            try walkAll(e, payload, channel, visit, numbers: true)
        case RRWebEventType.asset.rawValue: // {url, payload}; the payload is the fetched file.
            if let url = e.member("url", of: data) { try visitString(e, url, .url, nil, visit) }
            guard let payload = e.member("payload", of: data) else { return }
            // A stylesheet rrweb's asset capture fetched, or an inline `<style>` it moved out
            // (`url` ending `#rr_style_el:<id>`): `{rr_type: "CssText", cssTexts: [...]}` (an
            // older form has one `cssText`). It is CSS a player applies, read as any stylesheet;
            // other payloads (`Blob`s of images) are the fetched file.
            if e.kind(payload) == .object, let type = e.member("rr_type", of: payload, kind: .string), e.string(type, equals: "CssText") {
                if let text = e.member("cssText", of: payload, kind: .string) { try visitString(e, text, .css, nil, visit) }
                if let texts = e.member("cssTexts", of: payload, kind: .array) {
                    for t in e.elements(of: texts) where e.kind(t) == .string { try visitString(e, t, .css, nil, visit) }
                }
                return
            }
            skip(.images, bytes: e.byteRange(payload).count)
        case RRWebEventType.domContentLoaded.rawValue, RRWebEventType.load.rawValue:
            return
        default:
            // An event type this release does not know: every string in it, conservatively.
            try walkAll(e, data, .custom, visit, numbers: true)
        }
    }

    // MARK: incremental snapshots

    mutating func walkIncremental(_ e: JSONEvent, _ data: JSONValueRef, source: Int, _ visit: Visit) rethrows {
        switch RRWebIncrementalSource(rawValue: source) {
        case .mutation:
            // The textareas and style elements this mutation adds, whatever the order of its
            // lists: the replayer applies adds (queued until their parent comes) before texts.
            let adds = e.member("adds", of: data)
            if let page, let adds { EventWalker.noteTags(e, adds, page) }
            // Loops over sequences read off the tape: no closure context, no array.
            if let texts = e.member("texts", of: data) {
                for t in e.elements(of: texts) {
                    guard e.kind(t) == .object, let v = e.member("value", of: t) else { continue }
                    let id = nodeId(e, t)
                    var parent = Tag.unknown
                    // A text node under a textarea or style element, or such an element itself
                    // (the player makes the text its content).
                    if let page, let id, !page.texts.isEmpty || !page.elements.isEmpty { parent = page.texts[id] ?? page.elements[id] ?? .unknown }
                    try visitString(e, v, EventWalker.textChannel(under: parent), id, visit)
                }
            }
            if let attrs = e.member("attributes", of: data) {
                for a in e.elements(of: attrs) {
                    guard e.kind(a) == .object, let map = e.member("attributes", of: a), e.kind(map) == .object else { continue }
                    try walkAttributes(e, map, tag: .unknown, node: nodeId(e, a), visit)
                }
            }
            if let adds {
                for add in e.elements(of: adds) {
                    guard e.kind(add) == .object else { continue }
                    if let node = e.member("node", of: add) {
                        // A text node added into a textarea or a style element is typed input or CSS.
                        var parentTag = Tag.unknown
                        if let page, !page.elements.isEmpty, let parent = e.int("parentId", of: add) { parentTag = page.elements[parent] ?? .unknown }
                        try walkNode(e, node, parentTag: parentTag, visit)
                    }
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
                if let v = e.member(key, of: data) { try walkAll(e, v, .console, visit, numbers: true) }
            }
        case .mouseMove, .mouseInteraction, .scroll, .viewportResize, .touchMove, .mediaInteraction, .drag, .selection:
            return // positions, ids and flags only
        case .customElement, nil:
            try walkAll(e, data, .custom, visit, numbers: true)
        }
    }

    // MARK: DOM nodes

    /// The element names whose content or `value` the walker treats specially.
    enum Tag {
        case unknown, other, style, textarea, input, select, canvas, button

        /// A form control: a text after it is not the value of the label before it (`Password:`,
        /// the field, then the `Log in` button or the next field's `Confirm password:`).
        var isFormControl: Bool { self == .input || self == .select || self == .textarea || self == .button }
    }

    /// A serialized node and its subtree (explicit stack: no recursion limit on deep pages).
    /// Each node's members are read in one pass.
    mutating func walkNode(_ e: JSONEvent, _ start: JSONValueRef, parentTag: Tag, _ visit: Visit) rethrows {
        var stack: [(JSONValueRef, Tag)] = []
        stack.reserveCapacity(32) // one growth for most subtrees, not one per level
        stack.append((start, parentTag))
        // The last short text of the subtree in page order, which labels the next text.
        var label: JSONValueRef?
        while let (node, parent) = stack.popLast() {
            guard e.kind(node) == .object else { continue }
            var type: Int?, id: Int?, isStyle = false
            var tag = Tag.unknown
            var attributes: JSONValueRef?, childNodes: JSONValueRef?, textContent: JSONValueRef?
            // The last member of a repeated key is the one read (as `JSON.parse` does); the
            // event notes the repeat, so that the redactor removes the earlier ones.
            var seenType = false, seenId = false, seenTag = false
            for (key, value) in e.membersInPlace(of: node) {
                switch e.withText(key, SerializedNodeMember.init) {
                case .type: if seenType { e.noteRepeatedKey() }; seenType = true; type = e.int(value)
                case .id: if seenId { e.noteRepeatedKey() }; seenId = true; id = e.int(value)
                case .tagName:
                    if seenTag { e.noteRepeatedKey() }
                    seenTag = true
                    tag = e.kind(value) == .string ? e.withText(value, Tag.init) : .unknown
                case .attributes: if attributes != nil { e.noteRepeatedKey() }; attributes = value
                case .childNodes: if childNodes != nil { e.noteRepeatedKey() }; childNodes = value
                case .textContent: if textContent != nil { e.noteRepeatedKey() }; textContent = value
                case .isStyle: isStyle = e.kind(value) == .true
                case .other:
                    // A member this release does not know (a DocumentType's names, a recorder's
                    // own field): its strings are text, and so are the numbers inside it (a number
                    // standing alone there, as `rootId`, is structure).
                    if e.kind(value) != .number && e.kind(value) != .true && e.kind(value) != .false && e.kind(value) != .null {
                        try walkAll(e, value, .custom, visit, numbers: true)
                    }
                default: break
                }
            }
            switch type {
            case 2: // Element
                if tag == .textarea || tag == .style { page?.element(id, tag) }
                if tag.isFormControl { label = nil }
                if let attributes, e.kind(attributes) == .object {
                    try walkAttributes(e, attributes, tag: tag, node: id, visit)
                }
                if let childNodes, e.kind(childNodes) == .array {
                    let base = stack.count
                    for child in e.elements(of: childNodes) { stack.append((child, tag)) }
                    stack.reverseTail(from: base)
                }
            case 3: // Text
                if parent == .textarea || parent == .style { page?.text(id, under: parent) }
                guard let textContent else { continue }
                let channel = isStyle ? .css : EventWalker.textChannel(under: parent)
                guard channel == .text else { try visitString(e, textContent, channel, id, visit); continue }
                try visitString(e, textContent, channel, id, visit, label: label)
                switch EventWalker.labelKind(e, textContent) {
                case .blank: break
                case .label: label = textContent
                case .text: label = nil
                }
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

    /// Notes the textarea and style elements a mutation's `adds` bring, with their text
    /// children, and the text nodes added under such an element (in two passes: an add may
    /// come before the add of its parent).
    static func noteTags(_ e: JSONEvent, _ adds: JSONValueRef, _ page: PageTags) {
        guard e.kind(adds) == .array else { return }
        for add in e.elements(of: adds) {
            guard e.kind(add) == .object, let node = e.member("node", of: add), e.kind(node) == .object,
                  e.int("type", of: node) == 2, let name = e.member("tagName", of: node), e.kind(name) == .string else { continue }
            let tag = e.withText(name, Tag.init)
            guard tag == .textarea || tag == .style else { continue }
            page.element(e.int("id", of: node), tag)
            guard let children = e.member("childNodes", of: node), e.kind(children) == .array else { continue }
            for child in e.elements(of: children) where e.kind(child) == .object && e.int("type", of: child) == 3 {
                page.text(e.int("id", of: child), under: tag)
            }
        }
        guard !page.elements.isEmpty else { return }
        for add in e.elements(of: adds) {
            guard e.kind(add) == .object, let node = e.member("node", of: add), e.kind(node) == .object,
                  e.int("type", of: node) == 3, let parent = e.int("parentId", of: add), let tag = page.elements[parent] else { continue }
            page.text(e.int("id", of: node), under: tag)
        }
    }

    /// The channel of a text node under an element of tag `parent`: typed input in a
    /// textarea, CSS in a style element, text elsewhere.
    static func textChannel(under parent: Tag) -> Channel {
        parent == .style ? .css : parent == .textarea ? .input : .text
    }

    /// An attributes object: `{name: value}`, where a mutation may give `null` (removed) or,
    /// for `style`, an object of property changes (`{prop: value | [value, priority] | false}`).
    mutating func walkAttributes(_ e: JSONEvent, _ attrs: JSONValueRef, tag: Tag, node: Int?, _ visit: Visit) rethrows {
        // The `value` of a text-like field is what the user typed; a button's or checkbox's is
        // markup (rrweb's maskInputOptions draw the same line).
        var valueIsTyped = tag == .unknown || tag == .textarea || tag == .select
        if tag == .input {
            // The last `type` member, as the page reads it.
            valueIsTyped = true
            for (key, value) in e.membersInPlace(of: attrs) where e.withText(key, AttributeName.init) == .type {
                valueIsTyped = !(e.kind(value) == .string && e.withText(value, EventWalker.isNonTypedInputType))
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

    /// Wireframe members that are structure, not text: ids, geometry, the wireframe's and the
    /// input's type, flags and `style` (colours, fonts, a background image).
    static func isWireframeStructure(_ e: JSONEvent, _ k: JSONValueRef) -> Bool {
        e.string(k, equals: "id") || e.string(k, equals: "x") || e.string(k, equals: "y") || e.string(k, equals: "width")
            || e.string(k, equals: "height") || e.string(k, equals: "type") || e.string(k, equals: "inputType")
            || e.string(k, equals: "style") || e.string(k, equals: "disabled") || e.string(k, equals: "checked")
            || e.string(k, equals: "max")
    }

    mutating func walkWireframes(_ e: JSONEvent, _ list: JSONValueRef, _ visit: Visit) rethrows {
        guard e.kind(list) == .array else { return }
        try e.forEachChild(of: list) { try walkWireframe(e, $0, visit) }
    }

    /// A mobile wireframe and its children: `text`, `label`, `value`, `options` and similar
    /// text; the `value` of an input wireframe that holds typed text is typed input (the
    /// `input` channel), and a web view's `url` a URL; `base64` (images, screenshots) is not
    /// scanned; `style`, ids, geometry, types and flags are skipped; any other member's
    /// strings are read as `custom` text, as a DOM node's unknown members are.
    mutating func walkWireframe(_ e: JSONEvent, _ start: JSONValueRef, _ visit: Visit) rethrows {
        var stack = [start]
        while let wf = stack.popLast() {
            guard e.kind(wf) == .object else { continue }
            let id = nodeId(e, wf)
            let typedValue = EventWalker.holdsTypedText(e, wf)
            try e.forEachMember(of: wf) { key, value in
                if e.string(key, equals: "childWireframes") {
                    if e.kind(value) == .array { stack.append(contentsOf: e.children(of: value).reversed()) }
                } else if e.string(key, equals: "base64") {
                    if e.kind(value) == .string { skip(.images, bytes: e.byteRange(value).count) }
                } else if e.string(key, equals: "options") {
                    try walkAll(e, value, .mobile, visit, node: id)
                } else if EventWalker.isWireframeStructure(e, key) {
                    return
                } else if e.kind(value) != .string {
                    try walkAll(e, value, .custom, visit, node: id, numbers: true) // an object or array where text belongs, or unknown
                } else if typedValue && e.string(key, equals: "value") {
                    try visitString(e, value, .input, id, visit)
                } else if e.string(key, equals: "url") {
                    try visitString(e, value, .url, id, visit)
                } else if EventWalker.isWireframeText(e, key) {
                    try visitString(e, value, .mobile, id, visit)
                } else {
                    try visitString(e, value, .custom, id, visit) // a member this release does not know
                }
            }
        }
    }

    /// Whether wireframe `wf` is an input whose `value` is what the user typed or chose: an
    /// `input` wireframe of any `inputType` but the controls whose value is a label or a
    /// state (checkbox, radio, toggle, button, progress), as `<input>` in the DOM.
    static func holdsTypedText(_ e: JSONEvent, _ wf: JSONValueRef) -> Bool {
        guard let type = e.member("type", of: wf), e.string(type, equals: "input") else { return false }
        guard let inputType = e.member("inputType", of: wf), e.kind(inputType) == .string else { return true }
        return !(e.string(inputType, equals: "checkbox") || e.string(inputType, equals: "radio") || e.string(inputType, equals: "toggle")
            || e.string(inputType, equals: "button") || e.string(inputType, equals: "progress"))
    }

    // MARK: helpers

    func nodeId(_ e: JSONEvent, _ object: JSONValueRef) -> Int? {
        e.int("id", of: object)
    }

    /// Every string value below `value` (object keys excluded) and, for payload data
    /// (`numbers`), every number the channel's gate admits.
    mutating func walkAll(_ e: JSONEvent, _ value: JSONValueRef, _ channel: Channel, _ visit: Visit, node: Int? = nil,
                          numbers: Bool = false) rethrows {
        let end = Int(e.token(value.index).next)
        var i = value.index
        let gate = !numbers ? NumberGate.closed : channel == .custom ? numberGates.custom : channel == .console ? numberGates.console : .closed
        let readsNumbers = gate != .closed
        while i < end {
            let t = e.token(i)
            if t.kind == .string && !t.isKey {
                try visitString(e, JSONValueRef(index: i), channel, node, visit)
            } else if readsNumbers && t.kind == .number && e.withRawBytes(JSONValueRef(index: i), gate.admits) {
                try visit(e, StringSite(value: JSONValueRef(index: i), channel: channel, nodeId: node, attributeKey: nil, attributes: nil))
            }
            i += 1
        }
    }

    /// Visits a string unless it is an inline binary (`data:` URL) or a package asset reference.
    mutating func visitString(_ e: JSONEvent, _ v: JSONValueRef, _ channel: Channel, _ node: Int?, _ visit: Visit,
                              attributeKey: JSONValueRef? = nil, attributes: JSONValueRef? = nil, label: JSONValueRef? = nil) rethrows {
        guard e.kind(v) == .string else { return }
        let r = e.byteRange(v)
        if r.count <= 2 { return }
        if channel != .css, let kind = EventWalker.binaryKind(e, v) {
            skip(kind, bytes: r.count - 2)
            return
        }
        try visit(e, StringSite(value: v, channel: channel, nodeId: node, attributeKey: attributeKey, attributes: attributes, label: label))
    }

    /// What a text node is to the text after it: blank (white space, passed over), a label
    /// (a short text: at most 48 bytes), or other text.
    enum LabelKind { case blank, label, text }

    static func labelKind(_ e: JSONEvent, _ v: JSONValueRef) -> LabelKind {
        guard e.kind(v) == .string else { return .blank }
        return e.withStringBody(v) { body in
            guard body.count <= 48 else { return .text }
            // In the JSON text: a line break or a tab is `\n` or `\t`.
            var i = 0
            while i < body.count {
                let b = body[i]
                if b == 0x5C, i + 1 < body.count, body[i + 1] == UInt8(ascii: "n") || body[i + 1] == UInt8(ascii: "t") || body[i + 1] == UInt8(ascii: "r") { i += 2; continue }
                if b != 0x20 { return .label }
                i += 1
            }
            return .blank
        }
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
    /// `head` is what follows "data:" (lower case, the first bytes only). nil for text media
    /// types (`text/*`, JSON, none given), which are scanned, and for a string that is not a
    /// data URL at all: "data:" followed by anything but a media type (`type/subtype` then
    /// ';' or ',', RFC 2397) is text that happens to start so ("data: {...}" in a
    /// server-sent events body, a password typed as "data:..."), and is scanned.
    static func classify(mediaTypePrefix head: String) -> UnscannedKind? {
        if head.hasPrefix(",") || head.hasPrefix(";") { return nil } // text/plain by default
        guard isMediaType(Array(head.utf8)) else { return nil }
        if isTextual(head) { return nil }
        if head.hasPrefix("image/") { return .images }
        if head.hasPrefix("font/") || head.hasPrefix("application/font") || head.hasPrefix("application/x-font")
            || head.hasPrefix("application/vnd.ms-fontobject") { return .fonts }
        return .media
    }

    /// Whether the media type `head` starts with is text a reader or a player reads: `text/*`,
    /// SVG (XML text that shows its `<text>`), JSON, XML, JavaScript, form-encoded text, and
    /// any `+json` or `+xml` type (`application/ld+json`, `application/xhtml+xml`).
    static func isTextual(_ head: String) -> Bool {
        if head.hasPrefix("text/") { return true }
        let type = head.prefix { $0 != ";" && $0 != "," }
        if type.hasSuffix("+xml") || type.hasSuffix("+json") { return true }
        switch type {
        case "application/json", "application/xml", "application/javascript", "application/ecmascript", "application/x-javascript",
             "application/x-www-form-urlencoded":
            return true
        default:
            return false
        }
    }

    /// Whether `head` starts with `type/subtype` (RFC 2045 tokens) followed by ';' or ','.
    static func isMediaType(_ head: [UInt8]) -> Bool {
        var i = 0
        func token() -> Bool {
            let start = i
            while i < head.count, isTokenByte(head[i]) { i += 1 }
            return i > start
        }
        guard token(), i < head.count, head[i] == UInt8(ascii: "/") else { return false }
        i += 1
        guard token(), i < head.count else { return false }
        return head[i] == UInt8(ascii: ";") || head[i] == UInt8(ascii: ",")
    }

    /// RFC 2045 `token` bytes: printable ASCII but space and tspecials.
    static func isTokenByte(_ c: UInt8) -> Bool {
        guard c > 0x20 && c < 0x7F else { return false }
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"), UInt8(ascii: ","),
             UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "?"), UInt8(ascii: "="):
            return false
        default:
            return true
        }
    }
}
