import ScrubjayFormats
import ScrubjayJSON

/// Members the walker does not read for what they are: a recorder's extra field on an event
/// (`userEmail`), a debugging note in an event's `data`, a string where a node belongs, any
/// string in an event that holds positions, ids and flags only. Their strings are read as
/// `custom` text, so the package holds nothing the rules did not read (docs/RULES.md,
/// "Channels"). Most events hold none: a pass over an object's keys
/// (`JSONEvent.membersAllNamed`) says so, and only then are its members looked at one by one.
extension EventWalker {
    typealias Names = [JSONEvent.KeyName]
    static func names(_ list: [StaticString]) -> Names { list.map(JSONEvent.KeyName.init) }

    static let eventMembers = names(["type", "data", "timestamp", "delay"])
    static let metaMembers = names(["href", "width", "height"])
    static let fullSnapshotMembers = names(["node", "initialOffset", "wireframes"])
    static let customMembers = names(["payload"]) // the tag too is read: it is text
    static let pluginMembers = names(["plugin", "payload"])
    static let assetMembers = names(["url", "payload"])
    static let mutationMembers = names(["source", "texts", "attributes", "removes", "adds", "updates", "isAttachIframe"])
    static let inputMembers = names(["source", "text", "isChecked", "id", "userTriggered"])
    static let styleSheetRuleMembers = names(["source", "id", "styleId", "adds", "removes", "replace", "replaceSync"])
    static let styleDeclarationMembers = names(["source", "id", "styleId", "index", "set", "remove"])
    static let adoptedStyleSheetMembers = names(["source", "id", "styleIds", "styles"])
    static let logMembers = names(["source", "level", "trace", "payload"])

    /// Every string in members of `e` (at its top, in its `data`) that no reader of the event
    /// reads: the walker, the structured payloads (network, console, custom events), the page
    /// rules. A serialized node's other members are `walkNode`'s; below `data` nothing else
    /// is checked (the entries of a mutation's lists: docs/RULES.md, "Channels").
    mutating func walkUnknownMembers(_ e: JSONEvent, _ head: EventHead, _ visit: Visit) rethrows {
        let root = e.root
        guard e.kind(root) == .object else { return }
        try walkOthers(e, root, EventWalker.eventMembers, visit)
        guard let data = head.data else { return }
        guard let type = head.type, let known = RRWebEventType(rawValue: type) else {
            // Without a numeric type nothing else reads `data`; of a type this release does not
            // know, the walker read every string.
            if head.type == nil { try walkAll(e, data, .custom, visit, numbers: true) }
            return
        }
        guard e.kind(data) == .object else {
            // `data` itself is not what the type says (a string, an array).
            try walkAll(e, data, .custom, visit, numbers: true)
            return
        }
        switch known.rawValue {
        case RRWebEventType.meta.rawValue: try walkOthers(e, data, EventWalker.metaMembers, visit)
        case RRWebEventType.fullSnapshot.rawValue:
            try walkOthers(e, data, EventWalker.fullSnapshotMembers, visit)
            if let node = e.member("node", of: data), e.kind(node) != .object { try walkAll(e, node, .custom, visit, numbers: true) }
        case RRWebEventType.incrementalSnapshot.rawValue:
            // Without a numeric `source` nothing else reads it: every string of it.
            guard let source = head.source else { return try walkAll(e, data, .custom, visit, numbers: true) }
            try walkUnknownIncremental(e, data, source: source, visit)
        case RRWebEventType.custom.rawValue: try walkOthers(e, data, EventWalker.customMembers, visit)
        case RRWebEventType.plugin.rawValue: try walkOthers(e, data, EventWalker.pluginMembers, visit)
        case RRWebEventType.asset.rawValue: try walkOthers(e, data, EventWalker.assetMembers, visit)
        case RRWebEventType.domContentLoaded.rawValue, RRWebEventType.load.rawValue:
            if e.holdsString(data) { try walkAll(e, data, .custom, visit) } // nothing is expected in them
        default:
            return // an unknown type: the walker read every string of its `data`
        }
    }

    /// `walkUnknownMembers` in an incremental snapshot's `data`.
    private mutating func walkUnknownIncremental(_ e: JSONEvent, _ data: JSONValueRef, source: Int, _ visit: Visit) rethrows {
        switch RRWebIncrementalSource(rawValue: source) {
        case .mutation:
            try walkOthers(e, data, EventWalker.mutationMembers, visit)
        case .mouseMove, .touchMove, .drag, .mouseInteraction, .scroll, .viewportResize, .mediaInteraction, .selection:
            // Positions, ids and flags only: any string in them is unexpected.
            if e.holdsString(data) { try walkAll(e, data, .custom, visit) }
        case .input: try walkOthers(e, data, EventWalker.inputMembers, visit)
        case .styleSheetRule: try walkOthers(e, data, EventWalker.styleSheetRuleMembers, visit)
        case .styleDeclaration: try walkOthers(e, data, EventWalker.styleDeclarationMembers, visit)
        case .adoptedStyleSheet: try walkOthers(e, data, EventWalker.adoptedStyleSheetMembers, visit)
        case .log: try walkOthers(e, data, EventWalker.logMembers, visit)
        case .canvasMutation, .font, .customElement, nil:
            return // skipped and counted whole, or every string read
        }
    }

    /// The strings of the members of `object` that are not among `known`.
    mutating func walkOthers(_ e: JSONEvent, _ object: JSONValueRef, _ known: Names, _ visit: Visit) rethrows {
        if e.membersAllNamed(object, known) { return }
        for (key, value) in e.membersInPlace(of: object) where !(JSONEvent.KeyName(e.stringBytes(key)).map(known.contains) ?? false) {
            try walkAll(e, value, .custom, visit, numbers: true)
        }
    }
}
