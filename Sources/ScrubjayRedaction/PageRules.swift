import ScrubjayDOM
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules

/// Selector and attribute rules (docs/RULES.md, "Selector rules", "Attribute rules"), applied
/// with the page in view: each window has a `DOMMirror` kept current event by event, and a
/// selector is evaluated against the page as it is at the moment of the event being rewritten.
final class PageRules {
    /// What the rules say of one node at the current event: for each action, the index of the
    /// first rule that applies to it (-1: none). Masking and input rules reach every node below
    /// the element they match (iframe documents and shadow content included).
    struct Effects {
        var maskText: Int32 = -1
        var maskInput: Int32 = -1
        var ignoreInput: Int32 = -1
        /// The node is an element a `block` rule matches: it stays, its subtree goes.
        var block: Int32 = -1
        /// An element above the node is blocked: the node is not in the output.
        var inside: Int32 = -1
        /// Attribute rules of scope `subtree` whose selector matches the node or an element
        /// above it (bit k: `PageRules.subtreeRules[k]`).
        var subtreeRules: UInt64 = 0
        var blockedOrInside: Int32 { block >= 0 ? block : inside }
    }

    /// What a page keeps of one slot of its mirror.
    struct SlotState {
        /// The node's effects, with the page generation they hold for and the serial of the
        /// node they were worked out for (read first, together).
        var cacheGeneration: UInt64 = .max
        var cacheSerial: UInt64 = .max
        var cache = Effects()
        /// The `block` rule that matched the element, with its serial. An element once blocked
        /// stays blocked while it lives, as its content never reached the output (so later
        /// mutations inside it must not either).
        var blockedSerial: UInt64 = .max
        var blocked: Int32 = -1
        /// The element's own matches, with the serial and attribute version they hold for.
        var ownVersion: UInt32 = 0
        var ownSerial: UInt64 = .max
        var own = Own()
    }

    /// One window's page. Its stored properties skip the dynamic exclusivity check (as
    /// `DOMMirror`'s do): a page belongs to one redactor, and the checks cost more than the work.
    final class Page {
        let dom: DOMMirror
        /// Per slot of the mirror, what the page keeps of it, in one block of memory: what
        /// `effects` reads of a node sits together (one or two cache lines, not one per table),
        /// and writing it checks no uniqueness. Sized by `grow`; memory follows the page.
        @exclusivity(unchecked) private(set) var slots: UnsafeMutablePointer<SlotState>
        @exclusivity(unchecked) private(set) var slotCount = 0
        /// Scratch for `effects`: the nodes whose effects are worked out, nearest first.
        @exclusivity(unchecked) private(set) var chain: UnsafeMutablePointer<DOMMirror.Slot>
        @exclusivity(unchecked) private(set) var chainCapacity = 64
        /// Incremented when some element's own matches change (or the page is replaced).
        @exclusivity(unchecked) var epoch: UInt64 = 0

        init(keeping: Set<String>) {
            dom = DOMMirror(keeping: keeping)
            slots = .allocate(capacity: 0)
            chain = .allocate(capacity: chainCapacity)
        }

        deinit {
            slots.deinitialize(count: slotCount)
            slots.deallocate()
            chain.deallocate()
        }

        /// Room for every slot of the mirror (at least doubling, as the mirror gains slots one
        /// at a time); new slots hold nothing yet.
        @inline(__always) func grow() {
            if slotCount < dom.slotCapacity { growSlots() }
        }

        func growSlots() {
            let count = max(dom.slotCapacity, 2 * slotCount, 64)
            let more = UnsafeMutablePointer<SlotState>.allocate(capacity: count)
            more.moveInitialize(from: slots, count: slotCount)
            (more + slotCount).initialize(repeating: SlotState(), count: count - slotCount)
            slots.deallocate()
            slots = more
            slotCount = count
        }

        /// Doubles `chain`, keeping its first `count` entries.
        func growChain(keeping count: Int) {
            let more = UnsafeMutablePointer<DOMMirror.Slot>.allocate(capacity: 2 * chainCapacity)
            more.update(from: chain, count: count)
            chain.deallocate()
            chain = more
            chainCapacity *= 2
        }
    }

    let rules: [Rule]
    /// Indices of the selector rules, and of the attribute rules.
    let selectorRules: [Int]
    let attributeRules: [Int]
    /// Attribute rules of scope `subtree` (at most 64; the rest act as scope `element`).
    let subtreeRules: [Int]
    /// Every selector `own` matches, each once: first those of the selector rules grouped by
    /// selector text (a selector two rules share is matched once), in order of first use, then
    /// those of the subtree rules that no group shares; matched together (`SelectorListSet`).
    let ownSelectors: SelectorListSet
    /// Per group, what it gives an element it matches: its first rule of each action.
    let groupOwn: [Own]
    /// Per subtree rule (bit k of `Own.subtreeRules`), its selector's place in `ownSelectors`.
    let subtreeSelector: [Int]
    /// Whether every selector that effects depend on reads only the element it is matched
    /// against (the privacy markers do): then an element's own matches hold until its
    /// attributes change.
    let selectorsReadOnlyTheElement: Bool
    /// The attributes the mirror keeps: those the selectors read.
    let keeping: Set<String>
    /// The page of each window, and the last one asked for.
    @exclusivity(unchecked) var pages: [String: Page] = [:]
    @exclusivity(unchecked) var lastPage: (window: String, page: Page)?

    /// nil when `rules` has no selector or attribute rule (then no page is kept at all).
    init?(rules: [Rule]) {
        self.rules = rules
        selectorRules = rules.indices.filter { rules[$0].kind == .selector }
        attributeRules = rules.indices.filter { rules[$0].kind == .attribute }
        guard !selectorRules.isEmpty || !attributeRules.isEmpty else { return nil }
        var groups: [(selector: SelectorList, rules: [Int])] = []
        for i in selectorRules {
            if let g = groups.firstIndex(where: { $0.selector.source == rules[i].selector!.source }) { groups[g].rules.append(i) }
            else { groups.append((rules[i].selector!, [i])) }
        }
        subtreeRules = Array(attributeRules.filter { rules[$0].scope == .subtree && rules[$0].selector != nil }.prefix(64))
        var lists = groups.map(\.selector)
        groupOwn = groups.map { group in
            var o = Own()
            for r in group.rules {
                switch rules[r].action {
                case .block: if o.block < 0 { o.block = Int32(r) }
                case .mask_text: if o.maskText < 0 { o.maskText = Int32(r) }
                case .mask_input: if o.maskInput < 0 { o.maskInput = Int32(r) }
                case .ignore_input: if o.ignoreInput < 0 { o.ignoreInput = Int32(r) }
                default: break
                }
            }
            return o
        }
        subtreeSelector = subtreeRules.map { r in
            let selector = rules[r].selector!
            if let k = lists.firstIndex(where: { $0.source == selector.source }) { return k }
            lists.append(selector)
            return lists.count - 1
        }
        ownSelectors = SelectorListSet(lists)
        selectorsReadOnlyTheElement = groups.allSatisfy(\.selector.readsOnlyTheElement)
            && subtreeRules.allSatisfy { rules[$0].selector!.readsOnlyTheElement }
        // An echo rule asks an input's `type` (`isChoiceField`) whatever the selectors read.
        keeping = Set(rules.compactMap(\.selector).flatMap(\.attributeNames))
            .union(rules.contains { $0.kind == .echo } ? ["type"] : [])
    }

    /// Whether node `id` of `window`'s page is a field whose values are the page's own
    /// choices: a `<select>`, an `<option>`, or an `<input>` of type checkbox, radio, submit,
    /// button, reset, image, range, color or file.
    func isChoiceField(_ window: String, id: Int) -> Bool {
        let dom = page(window).dom
        guard let s = dom.slot(forId: id), dom.isElement(s) else { return false }
        if dom.hasLowerName(s, PageRules.select) || dom.hasLowerName(s, PageRules.option) { return true }
        guard dom.hasLowerName(s, PageRules.input), let type = dom.attribute(s, lowerName: PageRules.type) else { return false }
        return PageRules.choiceInputTypes.contains(DOMMirror.lowered(type))
    }
    static let select = Array("select".utf8), input = Array("input".utf8), type = Array("type".utf8)
    static let choiceInputTypes: Set<[UInt8]> = Set(["checkbox", "radio", "submit", "button", "reset", "image", "range", "color", "file"].map { Array($0.utf8) })

    func page(_ window: String) -> Page {
        // Consecutive events are mostly of one window: no hashing of its name for them.
        if let last = lastPage, last.window == window { return last.page }
        let p = pages[window] ?? Page(keeping: keeping)
        pages[window] = p
        lastPage = (window, p)
        return p
    }

    /// The effects on node `s` of `page` as it is now (memoized until the page changes).
    /// What the rules say of an element itself: the first rule of each action whose selector
    /// matches it, and the subtree-scoped attribute rules that do.
    struct Own: Equatable {
        var block: Int32 = -1, maskText: Int32 = -1, maskInput: Int32 = -1, ignoreInput: Int32 = -1
        var subtreeRules: UInt64 = 0
    }

    /// `Own` for element `y`, kept until its attributes change when every selector reads only
    /// the element (otherwise worked out each time: other nodes may change the answer).
    func own(_ y: DOMMirror.Slot, _ page: Page) -> Own {
        let dom = page.dom, i = Int(y)
        if selectorsReadOnlyTheElement && page.slots[i].ownSerial == dom.serial(y) && page.slots[i].ownVersion == dom.attributeVersion(y) {
            return page.slots[i].own
        }
        var o = Own()
        let matching = ownSelectors.matching(y, in: dom)
        // Groups in order: the first matching group with a rule of an action gives that rule.
        for g in groupOwn.indices where ownSelectors.matches(g, y, in: dom, matching: matching) {
            let go = groupOwn[g]
            if o.block < 0 { o.block = go.block }
            if o.maskText < 0 { o.maskText = go.maskText }
            if o.maskInput < 0 { o.maskInput = go.maskInput }
            if o.ignoreInput < 0 { o.ignoreInput = go.ignoreInput }
        }
        for (k, list) in subtreeSelector.enumerated() where ownSelectors.matches(list, y, in: dom, matching: matching) {
            o.subtreeRules |= 1 << k
        }
        if selectorsReadOnlyTheElement {
            page.slots[i].own = o
            page.slots[i].ownSerial = dom.serial(y)
            page.slots[i].ownVersion = dom.attributeVersion(y)
        }
        return o
    }

    /// The effects on node `s` of `page` as it is now (kept until the page changes; an
    /// element's own matches kept longer, see `own`).
    func effects(_ s: DOMMirror.Slot, _ page: Page) -> Effects {
        let dom = page.dom
        page.grow()
        let slots = page.slots
        let generation = cacheKey(page)
        func kept(_ y: DOMMirror.Slot) -> Bool { slots[Int(y)].cacheGeneration == generation && slots[Int(y)].cacheSerial == dom.serial(y) }
        // Most questions are about a node whose effects are kept.
        if kept(s) { return slots[Int(s)].cache }
        // The node and its ancestors up to the nearest one whose effects are kept.
        var count = 0
        var x = s
        while x >= 0 && !kept(x) {
            if count == page.chainCapacity { page.growChain(keeping: count) }
            page.chain[count] = x
            count &+= 1
            x = dom.parent(x) ?? DOMMirror.none
        }
        var above = x >= 0 ? slots[Int(x)].cache : Effects()
        let chain = page.chain
        for k in stride(from: count - 1, through: 0, by: -1) {
            let y = chain[k]
            var e = Effects(maskText: above.maskText, maskInput: above.maskInput, ignoreInput: above.ignoreInput,
                            block: -1, inside: above.blockedOrInside, subtreeRules: above.subtreeRules)
            if dom.isElement(y) && e.inside < 0 {
                let o = own(y, page)
                let serial = dom.serial(y)
                if slots[Int(y)].blockedSerial == serial { e.block = slots[Int(y)].blocked }
                else if o.block >= 0 { e.block = o.block; slots[Int(y)].blocked = o.block; slots[Int(y)].blockedSerial = serial }
                if e.maskText < 0 { e.maskText = o.maskText }
                if e.maskInput < 0 { e.maskInput = o.maskInput }
                if e.ignoreInput < 0 { e.ignoreInput = o.ignoreInput }
                e.subtreeRules |= o.subtreeRules
            }
            slots[Int(y)].cache = e
            slots[Int(y)].cacheGeneration = generation
            slots[Int(y)].cacheSerial = dom.serial(y)
            above = e
        }
        return above
    }

    /// What cached effects hold for. When every selector reads only the element, a node's
    /// effects are its own matches combined with its ancestors', and a node's ancestors never
    /// change while it lives (a moved node is removed and added again, with a new serial):
    /// they change only when some element's own matches do (`Page.epoch`, see `mutation`).
    /// Otherwise any change of the page may change them.
    func cacheKey(_ page: Page) -> UInt64 {
        selectorsReadOnlyTheElement ? page.epoch : page.dom.generation
    }

    func effects(id: Int, _ page: Page) -> (DOMMirror.Slot, Effects)? {
        guard let s = page.dom.slot(forId: id) else { return nil }
        return (s, effects(s, page))
    }

    /// Incremental sources whose event names one node (`id`) and is dropped when that node is
    /// inside a blocked element: interactions, scrolls, media, style and canvas changes.
    static func dropsInsideBlocked(_ source: Int) -> Bool {
        switch RRWebIncrementalSource(rawValue: source) {
        case .mouseInteraction, .scroll, .mediaInteraction, .styleSheetRule, .canvasMutation, .styleDeclaration: return true
        default: return false
        }
    }

    /// A blocked element's finding preview: its tag and what went, never its content.
    static func blockedPreview(_ dom: DOMMirror, _ slot: DOMMirror.Slot, children: Int) -> String {
        "<\(String(decoding: dom.lowerName(slot), as: UTF8.self))> blocked: \(children) child node\(children == 1 ? "" : "s") removed"
    }

    static let textarea: [UInt8] = Array("textarea".utf8)
    static let option: [UInt8] = Array("option".utf8)

    /// The attributes a blocked element keeps, as rrweb's own blocking does: `class` and the
    /// box the recorder measured.
    static func keptWhenBlocked(_ name: UnsafeRawBufferPointer) -> Bool {
        EventWalker.text(name, isFolded: "class") || EventWalker.text(name, isFolded: "rr_width") || EventWalker.text(name, isFolded: "rr_height")
    }
}

/// What the page rules decided for one event before its strings are walked.
struct PagePlan {
    var page: PageRules.Page?
    /// Token ranges that left the output (blocked content, dropped mutation entries): the walk
    /// must not look inside them. Sorted by start once the event's decisions are made.
    var skipped: [Range<Int>] = []
    /// The whole event leaves the output (an Input event of a blocked or ignored field, an
    /// interaction inside a blocked element).
    var dropEvent = false

    func skips(_ token: Int) -> Bool {
        let lo = partitionPoint(skipped.count) { skipped[$0].upperBound <= token }
        return lo < skipped.count && skipped[lo].contains(token)
    }
}

extension Redactor {
    /// Brings the window's page up to date with `e` and makes the structural changes selector
    /// rules ask for: blocked elements emptied, mutation entries and events inside blocked
    /// subtrees dropped, Input events of ignored fields dropped.
    mutating func beginPage(_ e: JSONEvent, _ head: EventHead, _ pageRules: PageRules, _ place: inout Place, _ edits: inout JSONEdits) -> PagePlan {
        var plan = PagePlan()
        guard let type = head.type, let data = head.objectData(in: e) else { return plan }
        switch type {
        case 2: // FullSnapshot (a mobile one has wireframes, no node)
            guard let node = e.member("node", of: data), e.kind(node) == .object else { return plan }
            let page = pageRules.page(place.window)
            page.dom.loadSnapshot(e, node)
            page.epoch &+= 1
            plan.page = page
            blockSerialized(e, node, pageRules, page, &plan, &place, &edits)
        case 5: // Custom: a Sentry breadcrumb may carry a node of the page
            breadcrumbNode(e, data, pageRules, &plan, &place, &edits)
        case 3:
            guard let source = head.source else { return plan }
            let page = pageRules.page(place.window)
            plan.page = page
            if source == 0 { mutation(e, data, pageRules, page, &plan, &place, &edits) }
            else if source == 5 { input(e, data, pageRules, page, &plan, &place) }
            else if PageRules.dropsInsideBlocked(source), let id = e.int("id", of: data),
                    let (_, effects) = pageRules.effects(id: id, page), effects.inside >= 0 {
                // An interaction, scroll, media, style or canvas change of a node the output does not have.
                plan.dropEvent = true
            }
        default:
            return plan
        }
        plan.skipped.sort { $0.lowerBound < $1.lowerBound }
        if plan.dropEvent && mode == .redact { counts.eventsDropped += 1 }
        return plan
    }

    /// A Sentry breadcrumb about a node (`ui.click` and its kin carry `data.nodeId` and
    /// `data.node`: the node's `textContent` and some of its attributes, as the page had
    /// them), judged as the node itself is at this moment: the text of a node that is blocked,
    /// inside a blocked element or masked is masked, and a textarea's text is typed input; of
    /// its attributes, a blocked node keeps those a blocked element keeps, and others go as
    /// attribute rules and masked fields say.
    /// What is rewritten here is not read again by the payload's walk (`plan.skipped`).
    mutating func breadcrumbNode(_ e: JSONEvent, _ data: JSONValueRef, _ pageRules: PageRules, _ plan: inout PagePlan,
                                 _ place: inout Place, _ edits: inout JSONEdits) {
        guard let tag = e.member("tag", of: data, kind: .string), e.string(tag, equals: "breadcrumb"),
              let payload = e.member("payload", of: data, kind: .object), let d = e.member("data", of: payload, kind: .object),
              let id = e.int("nodeId", of: d), let node = e.member("node", of: d, kind: .object) else { return }
        let page = pageRules.page(place.window)
        guard let (slot, effects) = pageRules.effects(id: id, page) else { return }
        func rewrite(_ v: JSONValueRef, _ site: (UnsafeRawBufferPointer) -> (StringSite, [RuleMatch])) {
            e.stringBytes(v).withUnsafeBytes { text in
                let (at, matches) = site(text)
                guard !matches.isEmpty else { return }
                apply(matches, in: text, e, at, &place, &edits, cssKinds: [])
                plan.skipped.append(v.index..<(v.index + 1))
            }
        }
        let hidden = effects.blockedOrInside >= 0 ? effects.blockedOrInside : effects.maskText
        if hidden >= 0, let text = e.member("textContent", of: node, kind: .string) {
            rewrite(text) { t in
                (StringSite(value: text, channel: .text, nodeId: id, attributeKey: nil, attributes: nil),
                 Actions.isMasked(t) ? [] : [RuleMatch(rule: Int(hidden), range: 0..<t.count, limited: false)])
            }
        } else if page.dom.hasLowerName(slot, PageRules.textarea), let text = e.member("textContent", of: node, kind: .string) {
            // A textarea's text is typed input on the page: masked whole by `mask_input`, and
            // read by the `input` channel's rules (`typed_input`) otherwise.
            rewrite(text) { t in
                (StringSite(value: text, channel: .input, nodeId: id, attributeKey: nil, attributes: nil),
                 Actions.isMasked(t) ? [] : effects.maskInput >= 0 ? [RuleMatch(rule: Int(effects.maskInput), range: 0..<t.count, limited: false)]
                    : ruleMatches(t, .input))
            }
        }
        guard let attributes = e.member("attributes", of: node, kind: .object) else { return }
        for (key, value) in e.membersInPlace(of: attributes) where e.kind(value) == .string {
            if effects.blockedOrInside >= 0 {
                guard !e.withText(key, PageRules.keptWhenBlocked) else { continue }
                rewrite(value) { t in
                    (StringSite(value: value, channel: .attribute, nodeId: id, attributeKey: key, attributes: attributes),
                     Actions.isMasked(t) ? [] : [RuleMatch(rule: Int(effects.blockedOrInside), range: 0..<t.count, limited: false)])
                }
            } else {
                let channel: Channel = e.withText(key, EventWalker.AttributeName.init) == .value ? .input : .attribute
                let site = StringSite(value: value, channel: channel, nodeId: id, attributeKey: key, attributes: attributes)
                rewrite(value) { t in (site, pageMatches(t, e, site, pageRules, page)) }
            }
        }
    }

    /// An Input event: dropped for a blocked or ignored field; its text masked later (walk) for
    /// a masked one.
    mutating func input(_ e: JSONEvent, _ data: JSONValueRef, _ pageRules: PageRules, _ page: PageRules.Page, _ plan: inout PagePlan, _ place: inout Place) {
        guard let id = e.int("id", of: data), let (_, effects) = pageRules.effects(id: id, page) else { return }
        let rule = effects.blockedOrInside >= 0 ? effects.blockedOrInside : effects.ignoreInput
        guard rule >= 0 else { return }
        plan.dropEvent = true
        let text = e.member("text", of: data)
        recordElement(Int(rule), channel: .input, nodeId: id, place: &place, e: e, at: text ?? data) {
            text.map { t in e.kind(t) == .string ? MaskedPreview.make(e.stringBytes(t), category: pageRules.rules[Int(rule)].category, limited: false) : "" } ?? ""
        }
    }

    /// A mutation: removes inside blocked elements dropped (judged before the page changes),
    /// then the page updated, then adds under blocked elements dropped, added blocked elements
    /// emptied, texts and attribute changes inside blocked elements dropped, a blocked
    /// element's attribute changes reduced to what it keeps, and the children of an element
    /// that becomes blocked now removed from the replay.
    mutating func mutation(_ e: JSONEvent, _ data: JSONValueRef, _ pageRules: PageRules, _ page: PageRules.Page,
                           _ plan: inout PagePlan, _ place: inout Place, _ edits: inout JSONEdits) {
        let removes = e.member("removes", of: data, kind: .array)
        let attributes = e.member("attributes", of: data, kind: .array)
        let texts = e.member("texts", of: data, kind: .array)
        var keptRemoves = 0
        if let removes {
            e.forEachChild(of: removes) { r in
                guard e.kind(r) == .object, let id = e.int("id", of: r),
                      let (_, effects) = pageRules.effects(id: id, page), effects.inside >= 0 else { keptRemoves += 1; return }
                drop(r, of: removes, e, &plan, &edits)
            }
        }
        // Before the change as well as after it: a text or attribute change of a node this
        // mutation removes from inside a blocked element goes too.
        var blockedBefore = SmallIntSet(), insideBefore = SmallIntSet()
        // And the own matches of the elements whose attributes change, before and after:
        // effects kept by epoch (`cacheKey`) hold unless one of them changed.
        var ownBefore: [(slot: DOMMirror.Slot, serial: UInt64, own: PageRules.Own)] = []
        for list in [texts, attributes] {
            guard let list else { continue }
            e.forEachChild(of: list) { x in
                guard e.kind(x) == .object, let id = e.int("id", of: x),
                      let (slot, effects) = pageRules.effects(id: id, page) else { return }
                if effects.inside >= 0 { insideBefore.insert(id) }
                guard list == attributes else { return }
                if effects.blockedOrInside >= 0 { blockedBefore.insert(id) }
                if pageRules.selectorsReadOnlyTheElement && page.dom.isElement(slot) {
                    ownBefore.append((slot, page.dom.serial(slot), pageRules.own(slot, page)))
                }
            }
        }
        page.dom.applyMutation(e, data)
        // (The slots in `ownBefore` existed before the change, so `effects` sized the page's
        // arrays for them.)
        for b in ownBefore where page.dom.serial(b.slot) == b.serial && page.dom.isElement(b.slot) && pageRules.own(b.slot, page) != b.own {
            page.epoch &+= 1
            break
        }
        if let adds = e.member("adds", of: data), e.kind(adds) == .array {
            e.forEachChild(of: adds) { a in
                guard e.kind(a) == .object, let node = e.member("node", of: a), e.kind(node) == .object else { return }
                guard let parentId = e.int("parentId", of: a),
                      let (_, parent) = pageRules.effects(id: parentId, page) else { return }
                if parent.blockedOrInside >= 0 {
                    drop(a, of: adds, e, &plan, &edits)
                } else {
                    blockSerialized(e, node, pageRules, page, &plan, &place, &edits)
                }
            }
        }
        if let texts {
            e.forEachChild(of: texts) { t in
                guard e.kind(t) == .object, let id = e.int("id", of: t) else { return }
                // A blocked element's own text too: the player sets the text of the node a
                // text change names, an element's included (its children replaced).
                if insideBefore.contains(id) || (pageRules.effects(id: id, page)?.1.blockedOrInside ?? -1) >= 0 { drop(t, of: texts, e, &plan, &edits) }
            }
        }
        guard let attributes else { return }
        var newRemoves: [UInt8] = []
        // The ids this mutation adds, gathered the first time an element becomes blocked.
        var added: Set<Int>?
        e.forEachChild(of: attributes) { a in
            guard e.kind(a) == .object, let id = e.int("id", of: a) else { return }
            guard let (slot, effects) = pageRules.effects(id: id, page) else {
                if insideBefore.contains(id) { drop(a, of: attributes, e, &plan, &edits) }
                return
            }
            if effects.inside >= 0 || insideBefore.contains(id) {
                drop(a, of: attributes, e, &plan, &edits)
                return
            }
            if effects.block < 0 && effects.maskInput >= 0 && page.dom.hasLowerName(slot, PageRules.option) {
                unselectOption(e, a, id: id, rule: effects.maskInput, &plan, &place, &edits)
                return
            }
            guard effects.block >= 0, let map = e.member("attributes", of: a), e.kind(map) == .object else { return }
            var droppedAttributes = 0
            e.forEachMember(of: map) { key, value in
                if !e.withText(key, PageRules.keptWhenBlocked) {
                    if mode == .redact { edits.removeMember(key: key, of: map, in: e) }
                    plan.skipped.append(key.index..<Int(e.token(value.index).next))
                    droppedAttributes += 1
                }
            }
            guard !blockedBefore.contains(id) else { return }
            // Blocked from now on: what the replay shows below it goes.
            let addedIds = added ?? Redactor.addedIds(e, data)
            added = addedIds
            var children = 0
            var c = page.dom.firstChild(slot)
            while let child = c {
                if let childId = page.dom.id(child), !addedIds.contains(childId) {
                    if !newRemoves.isEmpty { newRemoves.append(0x2C) }
                    newRemoves += Array("{\"parentId\":\(id),\"id\":\(childId)}".utf8)
                    children += 1
                }
                c = page.dom.nextSibling(child)
            }
            // Nothing below it and nothing dropped: already as a blocked element looks (a
            // rescan of redacted output, whose removes took the children), as `blockElement`.
            guard children > 0 || droppedAttributes > 0 else { return }
            recordElement(Int(effects.block), channel: .text, nodeId: id, place: &place, e: e, at: a) {
                PageRules.blockedPreview(page.dom, slot, children: children)
            }
        }
        if !newRemoves.isEmpty && mode == .redact {
            if let removes {
                // Before the closing bracket; a comma when an entry stays before it.
                let end = e.byteRange(removes).upperBound - 1
                let lead: [UInt8] = keptRemoves > 0 ? [0x2C] : []
                edits.replace(end..<end, withRawJSON: lead + newRemoves)
            } else {
                let end = e.byteRange(data).upperBound - 1
                edits.replace(end..<end, withRawJSON: Array(",\"removes\":[".utf8) + newRemoves + [0x5D])
            }
            counts.structuralChanges += 1
        }
    }

    /// The ids of the nodes a mutation adds.
    static func addedIds(_ e: JSONEvent, _ data: JSONValueRef) -> Set<Int> {
        var ids: Set<Int> = []
        guard let adds = e.member("adds", of: data), e.kind(adds) == .array else { return ids }
        e.forEachChild(of: adds) { a in
            if e.kind(a) == .object, let node = e.member("node", of: a), e.kind(node) == .object, let id = e.int("id", of: node) { ids.insert(id) }
        }
        return ids
    }

    /// Removes an array entry that leaves the output, and keeps the walk out of it.
    mutating func drop(_ entry: JSONValueRef, of array: JSONValueRef, _ e: JSONEvent, _ plan: inout PagePlan, _ edits: inout JSONEdits) {
        if mode == .redact {
            edits.removeElement(entry, of: array, in: e)
            counts.structuralChanges += 1
        }
        plan.skipped.append(entry.index..<Int(e.token(entry.index).next))
    }

    /// A serialized node and its subtree (full snapshot, added node): each blocked element
    /// keeps its tag, `class` and recorded size and loses its children and other attributes.
    /// The nodes are those the mirror has just built from the event (`DOMMirror.built`), so
    /// nothing is read from the event again but for the blocked elements.
    mutating func blockSerialized(_ e: JSONEvent, _ start: JSONValueRef, _ pageRules: PageRules, _ page: PageRules.Page,
                                  _ plan: inout PagePlan, _ place: inout Place, _ edits: inout JSONEdits) {
        guard !pageRules.selectorRules.isEmpty else { return }
        let dom = page.dom
        guard dom.builtInTapeOrder else {
            blockSerializedReading(e, start, pageRules, page, &plan, &place, &edits)
            return
        }
        let end = Int(e.token(start.index).next)
        var k = dom.firstBuilt(atOrAfter: start.index)
        while k < dom.builtCount {
            let b = dom.built(k)
            guard Int(b.token) < end else { break }
            k += 1
            let node = JSONValueRef(index: Int(b.token))
            let id: Int, slot: DOMMirror.Slot, effects: PageRules.Effects
            if dom.serial(b.slot) == b.serial {
                guard dom.isElement(b.slot), let i = dom.id(b.slot) else { continue }
                (id, slot, effects) = (i, b.slot, pageRules.effects(b.slot, page))
            } else {
                // Built, then removed or replaced by a node with its id later in the event:
                // judged by the node that has its id now, as the page has it.
                guard e.int("type", of: node) == 2, let i = e.int("id", of: node), let (s, f) = pageRules.effects(id: i, page) else { continue }
                (id, slot, effects) = (i, s, f)
            }
            guard effects.block >= 0 else {
                if effects.maskInput >= 0 && effects.inside < 0 && dom.hasLowerName(slot, PageRules.option) {
                    unselectOption(e, node, id: id, rule: effects.maskInput, &plan, &place, &edits)
                }
                continue
            }
            blockElement(e, node, id: id, slot: slot, rule: effects.block, page, &plan, &place, &edits)
            // Nothing below a blocked element is looked at.
            let below = Int(e.token(node.index).next)
            while k < dom.builtCount && Int(dom.built(k).token) < below { k += 1 }
        }
    }

    /// `blockSerialized` reading every node from the event: for a mutation whose adds the
    /// mirror did not build in the order given.
    mutating func blockSerializedReading(_ e: JSONEvent, _ start: JSONValueRef, _ pageRules: PageRules, _ page: PageRules.Page,
                                         _ plan: inout PagePlan, _ place: inout Place, _ edits: inout JSONEdits) {
        var stack = [start]
        while let node = stack.popLast() {
            guard e.kind(node) == .object else { continue }
            var id: Int?, isElement = false
            var childNodes: JSONValueRef?
            e.forEachMember(of: node) { key, value in
                switch e.withText(key, SerializedNodeMember.init) {
                case .id: id = e.int(value)
                case .type: isElement = e.int(value) == 2
                case .childNodes: childNodes = value
                default: break
                }
            }
            if isElement, let id, let (slot, effects) = pageRules.effects(id: id, page) {
                if effects.block >= 0 {
                    blockElement(e, node, id: id, slot: slot, rule: effects.block, page, &plan, &place, &edits)
                    continue
                }
                if effects.maskInput >= 0 && effects.inside < 0 && page.dom.hasLowerName(slot, PageRules.option) {
                    unselectOption(e, node, id: id, rule: effects.maskInput, &plan, &place, &edits)
                }
            }
            if let childNodes, e.kind(childNodes) == .array {
                let base = stack.count
                e.forEachChild(of: childNodes) { stack.append($0) }
                stack.reverseTail(from: base)
            }
        }
    }

    /// An `<option>` of a field `mask_input` rule `rule` masks (a `<select>`, or an element
    /// above it), as a serialized node or an attribute mutation (`node`): its `selected`
    /// attribute, which tells the choice the masked value hides, goes (one that a mutation
    /// removes, `null`, stays). rrweb's own select masking (`maskInputOptions.select`) records
    /// no `selected` attribute on options [rrweb-snapshot serializeElementNode]; it keeps the
    /// options' texts and values, the list of choices every visitor sees, and so does this.
    mutating func unselectOption(_ e: JSONEvent, _ node: JSONValueRef, id: Int, rule: Int32,
                                 _ plan: inout PagePlan, _ place: inout Place, _ edits: inout JSONEdits) {
        guard let attributes = e.member("attributes", of: node, kind: .object) else { return }
        e.forEachMember(of: attributes) { key, value in
            guard e.kind(value) != .null, e.string(key, equalsIgnoringASCIICase: "selected") else { return }
            recordElement(Int(rule), channel: .input, nodeId: id, place: &place, e: e, at: value) { "<option> selected" }
            if mode == .redact {
                edits.removeMember(key: key, of: attributes, in: e)
                counts.structuralChanges += 1
            }
            plan.skipped.append(key.index..<Int(e.token(value.index).next))
        }
    }

    /// Empties serialized element `node`, which `block` rule `rule` matches: its children and
    /// the attributes a blocked element does not keep go (nothing to do when it already looks
    /// so), and the walk is kept out of it.
    mutating func blockElement(_ e: JSONEvent, _ node: JSONValueRef, id: Int, slot: DOMMirror.Slot, rule: Int32, _ page: PageRules.Page,
                               _ plan: inout PagePlan, _ place: inout Place, _ edits: inout JSONEdits) {
        var attributes: JSONValueRef?, childNodes: JSONValueRef?
        e.forEachMember(of: node) { key, value in
            switch e.withText(key, SerializedNodeMember.init) {
            case .attributes: attributes = value
            case .childNodes: childNodes = value
            default: break
            }
        }
        var dropped: [JSONValueRef] = []
        if let attributes, e.kind(attributes) == .object {
            e.forEachMember(of: attributes) { key, _ in
                if !e.withText(key, PageRules.keptWhenBlocked) { dropped.append(key) }
            }
        }
        let children = childNodes.map { e.kind($0) == .array ? e.children(of: $0).count : 0 } ?? 0
        guard children > 0 || !dropped.isEmpty else { return } // already as a blocked element looks
        recordElement(Int(rule), channel: .text, nodeId: id, place: &place, e: e, at: node) {
            PageRules.blockedPreview(page.dom, slot, children: children)
        }
        if mode == .redact {
            if let attributes { for key in dropped { edits.removeMember(key: key, of: attributes, in: e) } }
            if let childNodes, children > 0 { edits.replace(childNodes, in: e, withRawJSON: Array("[]".utf8)) }
            counts.structuralChanges += 1
        }
        plan.skipped.append(node.index..<Int(e.token(node.index).next))
    }

    /// A finding of a selector rule on a whole element or event.
    mutating func recordElement(_ rule: Int, channel: Channel, nodeId: Int, place: inout Place, e: JSONEvent, at value: JSONValueRef,
                                preview: () -> String) {
        findingCounts.add(rule: rule, channel: channel, limited: false)
        guard collectFindings else { return }
        if place.timestamp == nil { place.timestamp = .some(e.double("timestamp", of: e.root)) }
        appendFinding(rule, limited: false, channel: channel, place: place, pointer: e.pointer(to: value).description,
                      nodeId: nodeId, preview: preview())
    }

    /// For a string of a DOM node, what selector and attribute rules rewrite in it: the whole
    /// value (masked text or input) or the matches of attribute rules. Empty: pattern rules only.
    mutating func pageMatches(_ text: UnsafeRawBufferPointer, _ e: JSONEvent, _ site: StringSite, _ pageRules: PageRules,
                              _ page: PageRules.Page) -> [RuleMatch] {
        guard let id = site.nodeId, site.channel != .css, let (slot, effects) = pageRules.effects(id: id, page) else { return [] }
        let dom = page.dom
        func whole(_ rule: Int32) -> [RuleMatch] {
            if Actions.isMasked(text) { return [] } // a rescan of redacted output: nothing to find
            return [RuleMatch(rule: Int(rule), range: 0..<text.count, limited: false)]
        }
        if let key = site.attributeKey {
            if site.channel == .input && effects.maskInput >= 0 { return whole(effects.maskInput) } // a field's `value`
            // An iframe's `srcdoc` is a document: under masked text, its text is masked as that
            // of the iframe's own document is, the markup kept.
            if effects.maskText >= 0 && e.string(key, equalsIgnoringASCIICase: "srcdoc") {
                return HTMLText.textRuns(text).filter { !Actions.isMasked(UnsafeRawBufferPointer(rebasing: text[$0])) }
                    .map { RuleMatch(rule: Int(effects.maskText), range: $0, limited: false) }
            }
            guard !pageRules.attributeRules.isEmpty else { return [] }
            var found: [RuleMatch] = []
            for i in pageRules.attributeRules {
                // A subtree rule (one with a selector) applies only inside what its selector
                // marked: one bit, tested before the attribute's name.
                let subtreeBit = pageRules.subtreeRules.firstIndex(of: i)
                if let k = subtreeBit, effects.subtreeRules & (1 << k) == 0 { continue }
                guard e.withText(key, { pageRules.rules[i].appliesToAttribute(folding: $0) }) else { continue }
                let rule = pageRules.rules[i]
                if subtreeBit == nil, let selector = rule.selector, !selector.matches(slot, in: dom) { continue }
                for m in engine.matches(in: text, rule: i, counters: &counts.prefilter)
                where !Actions.isRedacted(UnsafeRawBufferPointer(rebasing: text[m.range]), by: rule)
                    && !found.contains(where: { $0.range.overlaps(m.range) }) {
                    found.append(m)
                }
            }
            if found.count > 1 { found.sort { $0.range.lowerBound < $1.range.lowerBound } }
            return found
        }
        if dom.isElement(slot) {
            // An Input event's text; or a text change that names an element, which the player
            // makes the element's text (`textContent`): masked as its text would be.
            if site.channel == .input { return effects.maskInput >= 0 ? whole(effects.maskInput) : [] }
            if effects.maskText >= 0 { return whole(effects.maskText) }
            return effects.maskInput >= 0 ? whole(effects.maskInput) : []
        }
        if effects.maskText >= 0 { return whole(effects.maskText) }
        if effects.maskInput >= 0, let parent = dom.parent(slot), dom.isElement(parent), dom.hasLowerName(parent, PageRules.textarea) {
            return whole(effects.maskInput)
        }
        return []
    }
}
