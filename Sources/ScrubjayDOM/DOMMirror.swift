import ScrubjayJSON

/// A compact model of one window's page, rebuilt from each full snapshot and kept current
/// through every mutation, so that CSS selectors can be evaluated against the page as it is
/// at the moment of each event (docs/RULES.md, "Selectors").
///
/// What it keeps: each node's kind, id, tree links, element name and the attributes selectors
/// can ask about (all of them, or only the names in `keeping`). Text is not kept, only whether
/// a text node is empty (for `:empty`). Removed nodes are freed, so memory follows the size
/// of the page, not the length of the recording.
///
/// Tree scopes: a document (the page, or an iframe's document added with `isAttachIframe`) and
/// a shadow root (rrweb marks a shadow host with `isShadowHost` and its shadow children with
/// `isShadow`; the mirror gives the host a shadow-root node that holds them) each start a
/// tree that selectors do not cross, as `querySelectorAll` on that document or root does not.
/// `parent` links do cross them, so masking inherited from an element reaches into its
/// iframe and shadow content.
///
/// Sources: rrweb packages/types (serialized nodes, mutation data), packages/rrweb/src/replay
/// (`applyMutation`: removes, then adds resolved against `parentId` and `nextId` with a queue
/// for nodes whose parent or next sibling arrives later, then texts, then attributes).
public final class DOMMirror {
    /// A node's place in the mirror's storage (not its rrweb id; slots are reused).
    public typealias Slot = Int32
    public static let none: Slot = -1

    public enum Kind: UInt8, Sendable {
        case document = 0, documentType = 1, element = 2, text = 3, cdata = 4, comment = 5
        /// The shadow root the mirror gives a shadow host (not an rrweb node: it has no id).
        case shadowRoot = 11
    }

    /// An attribute as `attributes(_:)` returns it.
    public struct Attribute {
        /// The name as recorded, and in ASCII lower case (HTML attribute names are matched
        /// without case; SVG ones, such as `viewBox`, with case).
        public var name: [UInt8]
        public var lowerName: [UInt8]
        public var value: [UInt8]
    }

    /// A node: plain values only (names are atoms of `names`, attributes a chain of
    /// `attributeRecords`), so storing, copying and freeing one counts no references.
    struct Node {
        var id: Int32
        var kind: Kind
        var flags: UInt8 = 0
        var parent: Slot = DOMMirror.none
        var first: Slot = DOMMirror.none
        var last: Slot = DOMMirror.none
        var prev: Slot = DOMMirror.none
        var next: Slot = DOMMirror.none
        var shadowRoot: Slot = DOMMirror.none
        /// Element name as recorded and in lower case (atoms; -1 for other nodes).
        var name: Int32 = -1
        var lowerName: Int32 = -1
        /// The first attribute record (-1: none), in attribute order.
        var attributes: Int32 = -1
        var serial: UInt64 = 0
        /// Incremented by every change of the node's attributes.
        var attributeVersion: UInt32 = 0

        static let svg: UInt8 = 1       // in the SVG namespace (rrweb `isSVG`)
        static let nonEmpty: UInt8 = 2  // a text or CDATA node with at least one character
    }

    /// One attribute of an element: its names (atoms), its value in `values`, the next one.
    struct AttributeRecord {
        var name: Int32
        var lowerName: Int32
        var valueStart: Int
        var valueCount: Int
        var next: Int32
    }

    /// Which attributes to keep: nil keeps all; otherwise names in ASCII lower case (`class`
    /// and `id` are always kept).
    public let keeping: Set<[UInt8]>?
    /// `keeping` with `class` and `id`, as a list: a few names, compared without hashing.
    let keptNames: [[UInt8]]?
    // `@exclusivity(unchecked)` on the stored properties below: they are touched several
    // times per node of every mutation, a mirror is confined to one redactor (never shared
    // between threads), and the dynamic exclusivity check each access would otherwise pay
    // cost more than the mirror's own work (measured with callgrind).
    @exclusivity(unchecked) var nodes = PODArray<Node>(capacity: 1024)
    @exclusivity(unchecked) var freeSlots = PODArray<Slot>(capacity: 256)
    @exclusivity(unchecked) var names = NameTable()
    @exclusivity(unchecked) var attributeRecords = PODArray<AttributeRecord>(capacity: 1024)
    @exclusivity(unchecked) var freeAttributeRecords = PODArray<Int32>(capacity: 256)
    /// Attribute values, appended as they are set; `garbage` bytes of it no longer in use
    /// (compacted when that is more than half).
    @exclusivity(unchecked) var values = PODArray<UInt8>(capacity: 1 << 16)
    @exclusivity(unchecked) var garbage = 0
    /// Slot by rrweb id: a table for ids below `DOMMirror.tableIds` (rrweb numbers nodes
    /// from 1 up), a dictionary above.
    @exclusivity(unchecked) var slotOfId = PODArray<Slot>(capacity: 1024)
    @exclusivity(unchecked) var slotOfLargeId: [Int32: Slot] = [:]
    static let tableIds: Int32 = 1 << 24
    /// Number of nodes in the page that have an rrweb id (not the mirror's shadow roots).
    @exclusivity(unchecked) public private(set) var count = 0
    /// The page's document node (the last full snapshot's root).
    @exclusivity(unchecked) public private(set) var document: Slot = DOMMirror.none
    /// Incremented by every change, so a caller can keep answers until the page changes.
    @exclusivity(unchecked) public private(set) var generation: UInt64 = 0
    /// The number the next node gets: a node's serial is unique over the mirror's life, so a
    /// caller's answer kept for a slot is not mistaken for the answer for a node reusing it.
    @exclusivity(unchecked) var nextSerial: UInt64 = 0

    /// A node the last `loadSnapshot` or `applyMutation` built: the tape index of its
    /// serialized object, its slot, and its serial (the slot holds that node while the serial
    /// matches).
    public struct Built: Sendable {
        public let token: Int32
        public let slot: Slot
        public let serial: UInt64
    }
    /// The nodes the last `loadSnapshot` or `applyMutation` built, in the order built. Each
    /// subtree is built in document order, which is tape order; `builtInTapeOrder` says
    /// whether the whole list is (it is not when an add waited for a node added after it).
    @exclusivity(unchecked) var built = PODArray<Built>(capacity: 256)
    @exclusivity(unchecked) public private(set) var builtInTapeOrder = true
    public var builtCount: Int { built.count }
    public func built(_ k: Int) -> Built { built[k] }

    /// The first entry of `built` at or after tape index `token` (the list in tape order).
    public func firstBuilt(atOrAfter token: Int) -> Int {
        partitionPoint(built.count) { Int(built[$0].token) < token }
    }
    /// Atoms of `class` and `id` (the first two names, interned in `init`).
    static let classAtom: Int32 = 0, idAtom: Int32 = 1

    public init(keeping: Set<String>? = nil) {
        // ASCII lower case, as attribute names are lowered when they are stored (`lowered`).
        self.keeping = keeping.map { Set($0.map { DOMMirror.lowered(Array($0.utf8)) }) }
        keptNames = self.keeping.map { Array($0.union([DOMMirror.className, DOMMirror.idName])) }
        let classAtom = DOMMirror.className.withUnsafeBytes { names.atom($0) }
        let idAtom = DOMMirror.idName.withUnsafeBytes { names.atom($0) }
        precondition(classAtom == DOMMirror.classAtom && idAtom == DOMMirror.idAtom)
    }

    deinit {
        nodes.free(); freeSlots.free(); names.free(); attributeRecords.free()
        freeAttributeRecords.free(); values.free(); slotOfId.free(); built.free()
    }

    static let className: [UInt8] = Array("class".utf8)
    static let idName: [UInt8] = Array("id".utf8)

    // MARK: reading

    /// One more than the largest slot in use: the size of a table indexed by slot.
    public var slotCapacity: Int { nodes.count }

    public func slot(forId id: Int) -> Slot? {
        guard let id32 = Int32(exactly: id), id32 >= 0 else { return nil }
        if id32 < DOMMirror.tableIds {
            guard Int(id32) < slotOfId.count else { return nil }
            let s = slotOfId[Int(id32)]
            return s >= 0 ? s : nil
        }
        return slotOfLargeId[id32]
    }

    func setSlot(_ s: Slot, forId id: Int32) {
        if id < DOMMirror.tableIds {
            slotOfId.extend(through: Int(id), with: DOMMirror.none)
            if slotOfId[Int(id)] < 0 { count += 1 }
            slotOfId[Int(id)] = s
        } else {
            if slotOfLargeId.updateValue(s, forKey: id) == nil { count += 1 }
        }
    }

    func clearSlot(forId id: Int32, ifIs s: Slot) {
        if id < DOMMirror.tableIds {
            if Int(id) < slotOfId.count && slotOfId[Int(id)] == s { slotOfId[Int(id)] = DOMMirror.none; count -= 1 }
        } else if slotOfLargeId[id] == s {
            slotOfLargeId[id] = nil
            count -= 1
        }
    }

    public func id(_ s: Slot) -> Int? {
        nodes[Int(s)].kind == .shadowRoot ? nil : Int(nodes[Int(s)].id)
    }

    public func kind(_ s: Slot) -> Kind { nodes[Int(s)].kind }
    public func isElement(_ s: Slot) -> Bool { nodes[Int(s)].kind == .element }
    /// Whether an element is in the SVG namespace (else HTML).
    public func isSVG(_ s: Slot) -> Bool { nodes[Int(s)].flags & Node.svg != 0 }
    /// Whether a text or CDATA node has at least one character.
    public func isNonEmptyText(_ s: Slot) -> Bool { nodes[Int(s)].flags & Node.nonEmpty != 0 }

    public func parent(_ s: Slot) -> Slot? { opt(nodes[Int(s)].parent) }
    public func firstChild(_ s: Slot) -> Slot? { opt(nodes[Int(s)].first) }
    public func lastChild(_ s: Slot) -> Slot? { opt(nodes[Int(s)].last) }
    public func nextSibling(_ s: Slot) -> Slot? { opt(nodes[Int(s)].next) }
    public func previousSibling(_ s: Slot) -> Slot? { opt(nodes[Int(s)].prev) }
    /// The previous sibling that is an element (nil if none).
    public func previousElementSibling(_ s: Slot) -> Slot? {
        var x = nodes[Int(s)].prev
        while x >= 0 && nodes[Int(x)].kind != .element { x = nodes[Int(x)].prev }
        return opt(x)
    }
    /// The next sibling that is an element (nil if none).
    public func nextElementSibling(_ s: Slot) -> Slot? {
        var x = nodes[Int(s)].next
        while x >= 0 && nodes[Int(x)].kind != .element { x = nodes[Int(x)].next }
        return opt(x)
    }
    /// The first child that is an element (nil if none).
    public func firstElementChild(_ s: Slot) -> Slot? {
        var x = nodes[Int(s)].first
        while x >= 0 && nodes[Int(x)].kind != .element { x = nodes[Int(x)].next }
        return opt(x)
    }
    /// The shadow root of a shadow host.
    public func shadowRoot(_ s: Slot) -> Slot? { opt(nodes[Int(s)].shadowRoot) }

    /// The parent when it is an element of the same tree (nil at a document or shadow root).
    public func parentElement(_ s: Slot) -> Slot? {
        let p = nodes[Int(s)].parent
        return p >= 0 && nodes[Int(p)].kind == .element && nodes[Int(s)].kind != .document ? p : nil
    }

    /// Element name as recorded (rrweb writes HTML names in lower case) and in lower case.
    public func name(_ s: Slot) -> [UInt8] { nameBytes(nodes[Int(s)].name) }
    public func lowerName(_ s: Slot) -> [UInt8] { nameBytes(nodes[Int(s)].lowerName) }
    /// Whether the element's lower-case name is `lower`.
    public func hasLowerName(_ s: Slot, _ lower: [UInt8]) -> Bool {
        let a = nodes[Int(s)].lowerName
        return a >= 0 && names.bytes(a).elementsEqual(lower)
    }

    func nameBytes(_ atom: Int32) -> [UInt8] { atom >= 0 ? Array(names.bytes(atom)) : [] }

    func valueBytes(_ r: AttributeRecord) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: values.base + r.valueStart, count: r.valueCount)
    }

    public func attributes(_ s: Slot) -> [Attribute] {
        var out: [Attribute] = []
        var a = nodes[Int(s)].attributes
        while a >= 0 {
            let r = attributeRecords[Int(a)]
            out.append(Attribute(name: nameBytes(r.name), lowerName: nameBytes(r.lowerName), value: Array(valueBytes(r))))
            a = r.next
        }
        return out
    }

    /// The value of attribute `lowerName` (matched as HTML does: without case on HTML elements,
    /// with case on SVG ones, where `name` is the spelling to compare).
    public func attribute(_ s: Slot, lowerName: [UInt8], name: [UInt8]? = nil) -> [UInt8]? {
        let svg = nodes[Int(s)].flags & Node.svg != 0 && name != nil
        var a = nodes[Int(s)].attributes
        while a >= 0 {
            let r = attributeRecords[Int(a)]
            if names.bytes(svg ? r.name : r.lowerName).elementsEqual(svg ? name! : lowerName) { return Array(valueBytes(r)) }
            a = r.next
        }
        return nil
    }

    /// Calls `body` for `s` and every node below it (shadow roots and iframe documents
    /// included), parents before children; `body` returns false to skip a node's subtree.
    public func forEachInSubtree(of s: Slot, _ body: (Slot) -> Bool) {
        var stack: [Slot] = [s]
        while let x = stack.popLast() {
            guard body(x) else { continue }
            var c = nodes[Int(x)].last
            while c >= 0 { stack.append(c); c = nodes[Int(c)].prev }
            let shadowRoot = nodes[Int(x)].shadowRoot
            if shadowRoot >= 0 { stack.append(shadowRoot) }
        }
    }

    @inline(__always) func opt(_ s: Slot) -> Slot? { s >= 0 ? s : nil }

    // MARK: events

    /// Applies an rrweb event: a full snapshot replaces the page, a mutation changes it; other
    /// events leave it as it is. Returns whether the page changed.
    @discardableResult
    public func apply(_ e: JSONEvent) -> Bool {
        let root = e.root
        guard let type = e.int("type", of: root), let data = e.member("data", of: root),
              e.kind(data) == .object else { return false }
        if type == 2, let node = e.member("node", of: data), e.kind(node) == .object {
            loadSnapshot(e, node)
            return true
        }
        if type == 3, e.int("source", of: data) == 0 {
            applyMutation(e, data)
            return true
        }
        return false
    }

    /// Replaces the page with a full snapshot's serialized document.
    public func loadSnapshot(_ e: JSONEvent, _ node: JSONValueRef) {
        nodes.removeAll()
        freeSlots.removeAll()
        attributeRecords.removeAll()
        freeAttributeRecords.removeAll()
        values.removeAll()
        garbage = 0
        slotOfId.removeAll()
        slotOfLargeId.removeAll(keepingCapacity: true)
        count = 0
        generation &+= 1
        built.removeAll()
        builtInTapeOrder = true
        document = build(e, node, parent: DOMMirror.none, before: DOMMirror.none)
    }

    /// Applies a mutation's removes, adds, texts and attributes, in the replayer's order.
    public func applyMutation(_ e: JSONEvent, _ data: JSONValueRef) {
        generation &+= 1
        built.removeAll()
        builtInTapeOrder = true
        if let removes = e.member("removes", of: data) {
            e.forEachChild(of: removes) { r in
                guard e.kind(r) == .object, let id = e.int("id", of: r), let s = slot(forId: id) else { return }
                remove(s)
            }
        }
        if let adds = e.member("adds", of: data), e.kind(adds) == .array { applyAdds(e, adds) }
        if let texts = e.member("texts", of: data) {
            e.forEachChild(of: texts) { t in
                guard e.kind(t) == .object, let id = e.int("id", of: t), let s = slot(forId: id) else { return }
                let v = e.member("value", of: t)
                let nonEmpty = v.map { e.kind($0) == .string && e.byteRange($0).count > 2 } ?? false
                if nonEmpty { nodes[Int(s)].flags |= Node.nonEmpty } else { nodes[Int(s)].flags &= ~Node.nonEmpty }
            }
        }
        if let attributes = e.member("attributes", of: data) {
            e.forEachChild(of: attributes) { a in
                guard e.kind(a) == .object, let id = e.int("id", of: a), let s = slot(forId: id),
                      nodes[Int(s)].kind == .element, let map = e.member("attributes", of: a) else { return }
                e.forEachMember(of: map) { key, value in setAttribute(s, e, key, value) }
            }
        }
        if garbage > 1 << 20 && garbage * 2 > values.count { compactValues() }
    }

    /// A mutation's adds, in the replayer's order: each in turn, then, in passes over those
    /// whose parent or next sibling came later in the list (the replayer's queue), in list
    /// order, each pass adding what it can, until a pass adds nothing (the rest never
    /// resolve: the replayer drops them too).
    ///
    /// A pass retries only the adds whose missing node has come since they last failed (an
    /// add waits on one id: its parent's, else its next sibling's): retrying the others
    /// could only fail again. So each add is tried about as often as the nodes it waits on
    /// arrive, not once per pass: a list whose every add waits for the one after it takes
    /// as many passes as adds, which retried all of them made quadratic.
    func applyAdds(_ e: JSONEvent, _ adds: JSONValueRef) {
        var retries = AddRetries()
        for a in e.elements(of: adds) { tried(a, add(e, a), &retries) }
        while !retries.ready.isEmpty {
            // One pass: the ready adds in list order.
            retries.pass = Heap(retries.ready)
            retries.ready = []
            while let p = retries.pass.popMin() {
                retries.current = p
                tried(retries.queue[p], add(e, retries.queue[p]), &retries)
            }
            retries.current = Int.max
        }
    }

    /// The bookkeeping of `applyAdds`.
    struct AddRetries {
        /// The adds that waited, in list order.
        var queue: [JSONValueRef] = []
        /// Missing id -> positions in `queue` waiting for it.
        var waiting: [Int: [Int]] = [:]
        /// Positions to retry in this pass, and in the next.
        var pass = Heap([])
        var ready: [Int] = []
        /// The position being tried (`Int.max`: none, the first walk over the list).
        var current = Int.max
    }

    /// Records what trying add `a` gave.
    private func tried(_ a: JSONValueRef, _ result: AddResult, _ r: inout AddRetries) {
        switch result {
        case .added(let firstBuilt):
            // The ids the add brought: their waiters may go now, in this pass when they come
            // after the add being tried, as a pass over the whole list would have it. (Nearly
            // always no add waits: then no id is looked up.)
            if r.waiting.isEmpty { return }
            for k in firstBuilt..<built.count {
                guard let id = id(built[k].slot), let w = r.waiting.removeValue(forKey: id) else { continue }
                for p in w { if p > r.current { r.pass.insert(p) } else { r.ready.append(p) } }
            }
        case .waiting(let id):
            if r.current == Int.max { r.queue.append(a) }
            r.waiting[id, default: []].append(r.current == Int.max ? r.queue.count - 1 : r.current)
        }
    }

    /// What `add` did: built the node (its nodes are `built[firstBuilt...]`), or could not,
    /// for want of the node with id `waiting` (the parent, else the next sibling).
    enum AddResult {
        case added(firstBuilt: Int)
        case waiting(Int)
    }

    /// One `adds` entry. An entry without a node or a parent id adds nothing (and is done).
    func add(_ e: JSONEvent, _ a: JSONValueRef) -> AddResult {
        let first = built.count
        guard e.kind(a) == .object, let node = e.member("node", of: a), e.kind(node) == .object else { return .added(firstBuilt: first) }
        guard let parentId = e.int("parentId", of: a) else { return .added(firstBuilt: first) }
        guard var parent = slot(forId: parentId) else { return .waiting(parentId) }
        var before = DOMMirror.none
        if let nextId = e.int("nextId", of: a) {
            guard let next = slot(forId: nextId) else { return .waiting(nextId) }
            if nodes[Int(next)].parent == parent || isShadowChild(next, of: parent) { before = next }
        } else if let previousId = e.int("previousId", of: a), let previous = slot(forId: previousId),
                  nodes[Int(previous)].parent == parent {
            before = nodes[Int(previous)].next
        }
        let isShadow = e.member("isShadow", of: node).map { e.kind($0) == .true } ?? false
        if isShadow { parent = shadowRootCreating(of: parent) }
        // (Not the parent or above it: `build` keeps those, see there.)
        if let id = e.int("id", of: node), let old = slot(forId: id), !isAncestorOrSelf(old, of: parent) { remove(old) }
        if before >= 0 && nodes[Int(before)].parent != parent { before = DOMMirror.none }
        _ = build(e, node, parent: parent, before: before)
        return .added(firstBuilt: first)
    }

    func isShadowChild(_ s: Slot, of host: Slot) -> Bool {
        let root = nodes[Int(host)].shadowRoot
        return root >= 0 && nodes[Int(s)].parent == root
    }

    func shadowRootCreating(of host: Slot) -> Slot {
        if nodes[Int(host)].shadowRoot >= 0 { return nodes[Int(host)].shadowRoot }
        let root = allocate(Node(id: -1, kind: .shadowRoot))
        nodes[Int(root)].parent = host
        nodes[Int(host)].shadowRoot = root
        return root
    }

    // MARK: building

    /// Builds a serialized node and its subtree under `parent`, before `before` (or last).
    /// An explicit stack: no recursion limit on deep pages.
    func build(_ e: JSONEvent, _ start: JSONValueRef, parent: Slot, before: Slot) -> Slot {
        var first = DOMMirror.none
        var stack: [(JSONValueRef, Slot, Slot)] = []
        stack.reserveCapacity(32) // one growth for most subtrees, not one per level
        stack.append((start, parent, before))
        while let (v, parent, before) = stack.popLast() {
            guard e.kind(v) == .object else { continue }
            var type = -1, id = Int32(-1), svg = false, shadow = false, shadowHost = false, nonEmpty = false
            var tag: JSONValueRef?, attrs: JSONValueRef?, children: JSONValueRef?
            e.forEachMember(of: v) { key, value in
                switch e.withText(key, SerializedNodeMember.init) {
                case .type: type = e.int(value) ?? -1
                case .id: id = e.int(value).flatMap { Int32(exactly: $0) } ?? -1
                case .tagName: tag = value
                case .attributes: attrs = value
                case .childNodes: children = value
                case .textContent: nonEmpty = e.kind(value) == .string && e.byteRange(value).count > 2
                case .isSVG: svg = e.kind(value) == .true
                case .isShadow: shadow = e.kind(value) == .true
                case .isShadowHost: shadowHost = e.kind(value) == .true
                case .isStyle, .other: break
                }
            }
            guard let kind = Kind(rawValue: UInt8(clamping: max(type, 0))), type >= 0, kind != .shadowRoot else { continue }
            var node = Node(id: id, kind: kind)
            if svg { node.flags |= Node.svg }
            if nonEmpty && (kind == .text || kind == .cdata) { node.flags |= Node.nonEmpty }
            if kind == .element, let tag, e.kind(tag) == .string {
                node.name = e.withText(tag) { names.atom($0) }
                node.lowerName = names.lower(node.name)
            }
            // A node of the same id leaves the page, unless it is where this one is being put
            // or above it (malformed input: freeing it would make the page a cycle). Then it
            // stays, and keeps its id.
            var takesId = id >= 0
            if id >= 0, let old = slot(forId: Int(id)) {
                if isAncestorOrSelf(old, of: parent) { takesId = false } else { remove(old) }
            }
            let s = allocate(node)
            if takesId { setSlot(s, forId: id) }
            if built.count > 0 && Int(built[built.count - 1].token) >= v.index { builtInTapeOrder = false }
            built.append(Built(token: Int32(truncatingIfNeeded: v.index), slot: s, serial: nodes[Int(s)].serial))
            var p = parent
            if shadow, p >= 0, nodes[Int(p)].kind == .element { p = shadowRootCreating(of: p) }
            if p >= 0 { link(s, under: p, before: before >= 0 && nodes[Int(before)].parent == p ? before : DOMMirror.none) }
            if first < 0 { first = s }
            if kind == .element, let attrs { e.forEachMember(of: attrs) { key, value in setAttribute(s, e, key, value) } }
            if shadowHost && kind == .element { _ = shadowRootCreating(of: s) }
            if let children, e.kind(children) == .array {
                let base = stack.count
                e.forEachChild(of: children) { stack.append(($0, s, DOMMirror.none)) }
                stack.reverseTail(from: base)
            }
        }
        return first
    }

    func setAttribute(_ s: Slot, _ e: JSONEvent, _ key: JSONValueRef, _ value: JSONValueRef) {
        // Whether the attribute is kept, from the key's bytes (nothing copied for the rest).
        if let keptNames, !e.withText(key, { raw in keptNames.contains { DOMMirror.equalsFolded(raw, $0) } }) { return }
        let name = e.withText(key) { names.atom($0) }
        let lower = names.lower(name)
        let svg = nodes[Int(s)].flags & Node.svg != 0
        nodes[Int(s)].attributeVersion &+= 1
        // The record with this name (exact on SVG elements), and the one before it.
        var previous: Int32 = -1
        var a = nodes[Int(s)].attributes
        while a >= 0 && (svg ? attributeRecords[Int(a)].name != name : attributeRecords[Int(a)].lowerName != lower) {
            previous = a
            a = attributeRecords[Int(a)].next
        }
        switch e.kind(value) {
        case .string:
            let start = values.count
            e.withText(value) { values.append(contentsOf: $0) }
            if a >= 0 {
                garbage += attributeRecords[Int(a)].valueCount
                attributeRecords[Int(a)].name = name
                attributeRecords[Int(a)].lowerName = lower
                attributeRecords[Int(a)].valueStart = start
                attributeRecords[Int(a)].valueCount = values.count - start
            } else {
                appendRecord(AttributeRecord(name: name, lowerName: lower, valueStart: start, valueCount: values.count - start, next: -1),
                             to: s, after: previous)
            }
        case .null:
            if a >= 0 {
                let next = attributeRecords[Int(a)].next
                if previous >= 0 { attributeRecords[Int(previous)].next = next } else { nodes[Int(s)].attributes = next }
                freeRecord(a)
            }
        default:
            // A `style` change given as properties: the attribute exists; its text is not rebuilt.
            if a < 0 {
                appendRecord(AttributeRecord(name: name, lowerName: lower, valueStart: values.count, valueCount: 0, next: -1),
                             to: s, after: previous)
            }
        }
    }

    /// Links a new record after `last` (the element's last record, or -1 when it has none).
    func appendRecord(_ r: AttributeRecord, to s: Slot, after last: Int32) {
        let index: Int32
        if let free = freeAttributeRecords.popLast() {
            index = free
            attributeRecords[Int(free)] = r
        } else {
            index = Int32(attributeRecords.count)
            attributeRecords.append(r)
        }
        if last >= 0 { attributeRecords[Int(last)].next = index } else { nodes[Int(s)].attributes = index }
    }

    func freeRecord(_ a: Int32) {
        garbage += attributeRecords[Int(a)].valueCount
        attributeRecords[Int(a)].valueCount = 0
        freeAttributeRecords.append(a)
    }

    /// Copies the values still in use to the front of `values`, in record order.
    func compactValues() {
        var fresh = PODArray<UInt8>(capacity: max(values.count - garbage, 1 << 16))
        for s in 0..<nodes.count {
            var a = nodes[s].attributes
            while a >= 0 {
                let r = attributeRecords[Int(a)]
                let start = fresh.count
                fresh.append(contentsOf: UnsafeRawBufferPointer(valueBytes(r)))
                attributeRecords[Int(a)].valueStart = start
                a = r.next
            }
        }
        values.free()
        values = fresh
        garbage = 0
    }

    /// The node at `s`'s serial number (unique over the mirror's life).
    public func serial(_ s: Slot) -> UInt64 { nodes[Int(s)].serial }
    /// Changes whenever the element's attributes change.
    public func attributeVersion(_ s: Slot) -> UInt32 { nodes[Int(s)].attributeVersion }

    func allocate(_ node: Node) -> Slot {
        var node = node
        node.serial = nextSerial
        nextSerial &+= 1
        if let s = freeSlots.popLast() { nodes[Int(s)] = node; return s }
        nodes.append(node)
        return Slot(nodes.count - 1)
    }

    func link(_ s: Slot, under p: Slot, before: Slot) {
        nodes[Int(s)].parent = p
        if before >= 0 {
            let prev = nodes[Int(before)].prev
            nodes[Int(s)].prev = prev
            nodes[Int(s)].next = before
            nodes[Int(before)].prev = s
            if prev >= 0 { nodes[Int(prev)].next = s } else { nodes[Int(p)].first = s }
        } else {
            let last = nodes[Int(p)].last
            nodes[Int(s)].prev = last
            if last >= 0 { nodes[Int(last)].next = s } else { nodes[Int(p)].first = s }
            nodes[Int(p)].last = s
        }
    }

    /// Whether `a` is `s` or above it (through parents, shadow roots to their hosts and iframe
    /// documents to their iframes). `none` has nothing above it.
    func isAncestorOrSelf(_ a: Slot, of s: Slot) -> Bool {
        var x = s
        while x >= 0 {
            if x == a { return true }
            x = nodes[Int(x)].parent
        }
        return false
    }

    /// Detaches `s` and frees it with its subtree.
    public func remove(_ s: Slot) {
        generation &+= 1
        let kind = nodes[Int(s)].kind, parent = nodes[Int(s)].parent
        let prev = nodes[Int(s)].prev, next = nodes[Int(s)].next
        if kind == .shadowRoot {
            if parent >= 0 { nodes[Int(parent)].shadowRoot = DOMMirror.none }
        } else if parent >= 0 {
            if prev >= 0 { nodes[Int(prev)].next = next } else { nodes[Int(parent)].first = next }
            if next >= 0 { nodes[Int(next)].prev = prev } else { nodes[Int(parent)].last = prev }
        }
        if s == document { document = DOMMirror.none }
        var freed: [Slot] = []
        freed.reserveCapacity(16)
        forEachInSubtree(of: s) { freed.append($0); return true }
        for x in freed {
            let id = nodes[Int(x)].id
            if id >= 0 { clearSlot(forId: id, ifIs: x) }
            var a = nodes[Int(x)].attributes
            while a >= 0 {
                let next = attributeRecords[Int(a)].next
                freeRecord(a)
                a = next
            }
            nodes[Int(x)] = Node(id: -1, kind: .comment)
            freeSlots.append(x)
        }
    }

    /// Whether `raw` is `lower` (ASCII lower case) ignoring ASCII case.
    static func equalsFolded(_ raw: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        guard raw.count == lower.count else { return false }
        for k in 0..<raw.count {
            let b = raw[k]
            if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != lower[k] { return false }
        }
        return true
    }

    /// ASCII lower case (HTML names are folded in ASCII only).
    public static func lowered(_ b: [UInt8]) -> [UInt8] {
        guard b.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return b }
        return b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }
}

/// A binary min-heap of positions (`DOMMirror.applyAdds`' passes).
struct Heap {
    private var items: [Int] = []

    init(_ values: [Int]) {
        for v in values { insert(v) }
    }

    mutating func insert(_ v: Int) {
        items.append(v)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func popMin() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l] < items[m] { m = l }
                if r < items.count && items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
