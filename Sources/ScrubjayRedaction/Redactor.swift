#if canImport(Glibc)
import Glibc
#endif
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules

/// Runs a rule set over the strings of replay events (found by `EventWalker`), and the
/// numbers of their payload data, and, when redacting, rewrites what the rules find.
/// Untouched bytes, keys, numbers, node ids and the event structure are copied as they are;
/// only strings with findings are re-encoded (a number with one becomes a string).
public struct Redactor {
    public enum Mode: Sendable {
        /// Find, do not rewrite (`scrubjay audit`).
        case audit
        /// Find and rewrite (`scrubjay redact`).
        case redact
    }

    /// Totals over every event processed.
    public struct Tally: Sendable, Equatable {
        public var events = 0
        /// Events with at least one rewritten string.
        public var eventsChanged = 0
        /// Strings looked at (after the walker's choice of what rules apply to).
        public var strings = 0
        public var stringsChanged = 0
        public var findings = FindingCounts()
        public var prefilter = RuleEngine.Counters()
        public var unscanned = UnscannedCounts()
        /// Events selector rules removed (Input events of blocked or ignored fields,
        /// interactions inside blocked elements).
        public var eventsDropped = 0
        /// Structural rewrites by selector rules: blocked elements emptied, mutation entries
        /// inside blocked elements dropped.
        public var structuralChanges = 0
    }

    public let engine: RuleEngine
    /// The paths of the engine's field rules, by `FieldPath.Root.code`, with their rules' indices.
    let fieldPaths: [[(rule: Int, path: FieldPath)]]
    public let mode: Mode
    /// Key of the `hash` action's HMAC-SHA256.
    let pseudonymKey: [UInt8]
    /// Whether `findings` keeps each finding (audit) or only the tally counts them.
    public var collectFindings: Bool
    public internal(set) var findings: [Finding] = []
    /// The engine's selector and attribute rules with each window's page (nil: none).
    let pageRules: PageRules?
    /// Whether the last event processed leaves the output (selector rules dropped it).
    public private(set) var dropsEvent = false
    /// The `timestamp` of the last event `process(json:)` read, as the output holds it:
    /// `.some(nil)` when it has none; nil when a rewrite changed it (read the output then).
    public private(set) var lastTimestamp: Double?? = .some(nil)
    /// The integer `type` of the last event processed (nil when it has none).
    public private(set) var lastType: Int?
    /// Tapes for the documents read inside strings, one per nesting level.
    let nestedTapes: [JSONTape]
    /// The tape `process(json:)` reads each event onto (one event at a time: no tape and
    /// depth stack to allocate and free per event).
    let eventTape = JSONTape(capacity: 256)
    /// The same, arranged for walking payloads (`PayloadPath`), by root code.
    let payloadCandidates: [PayloadPath.Candidates]
    /// Per rule, the URL parts its paths name (what `rewriteURLParts` asks of a rule, read
    /// without copying the rule).
    let urlPartsOfRule: [[FieldPath.URLPart]]
    /// Per `Channel.ordinal`, the numbers pattern rules read (`NumberGate`): those of the
    /// channels of payload data (custom, console, network); closed for the others.
    let numberGates: [NumberGate]
    /// What this pass learned for the engine's echo rules to find again (`EchoValues`), one
    /// per echo rule in rule order (`echoRules`): the values the rules each learns from
    /// rewrote. Empty when the engine has no echo rule.
    public internal(set) var echoes: [EchoValues]
    /// The indices of the engine's echo rules, in order (`echoes`).
    let echoRules: [Int]
    /// Per rule, the echo rules (positions in `echoes`) that learn what it rewrites
    /// (`Rule.teachesEchoes`, `learn_from`); empty for most rules.
    let echoTargets: [[Int]]
    /// Whether any rule's findings are learned.
    let learnsAnyEcho: Bool
    /// A payload path whose buffers the next network event reuses.
    var reusedPath = PayloadPath()
    /// Whether a field rule has a path from `root`.
    func hasFieldPaths(_ root: FieldPath.Root) -> Bool { !fieldPaths[root.code].isEmpty }

    /// Totals so far (the finding counts are gathered from `findingCounts` when asked for).
    public var tally: Tally {
        var t = counts
        t.findings = findingCounts.counts(rules: engine.rules)
        return t
    }
    var counts = Tally()
    var findingCounts: FindingGrid

    /// The findings so far, by rule index: cheap to take before and after every event (where
    /// `tally` builds the counts by name each time it is read).
    public struct FindingMark: Sendable {
        public let total: Int
        /// Indexed like the engine's rules.
        public let byRule: [Int]
    }
    public var findingMark: FindingMark { FindingMark(total: findingCounts.total, byRule: findingCounts.byRule) }
    private var scratch: [UInt8] = []
    /// What the engine found in the strings seen last (`MatchMemo`): recordings repeat their
    /// class names, labels and list items in every mutation.
    public internal(set) var memo = MatchMemo()

    /// `engine.matches(in:channel:counters:)` through the memo, counted in the tally.
    mutating func ruleMatches(_ text: UnsafeRawBufferPointer, _ channel: Channel) -> [RuleMatch] {
        memo.matches(in: text, channel: channel, engine: engine, counters: &counts.prefilter)
    }
    /// Token ranges of the event the structured payloads' walk must not read (what page
    /// rules rewrote in a custom event: a Sentry breadcrumb's node).
    var payloadSkips: [Range<Int>] = []
    /// While a console event's arguments are read: the end of the argument before the one
    /// being read, when it holds a word a rule reads before a value (`consoleLabel`).
    var precedingArgument: [UInt8]?
    /// Per window, the walker's record of its page's textarea and style elements.
    private var pageTagsByWindow: [String: EventWalker.PageTags] = [:]
    private var lastPageTags: (window: String, tags: EventWalker.PageTags)?

    mutating func pageTags(_ window: String) -> EventWalker.PageTags {
        if let last = lastPageTags, last.window == window { return last.tags }
        let tags = pageTagsByWindow[window] ?? EventWalker.PageTags()
        pageTagsByWindow[window] = tags
        lastPageTags = (window, tags)
        return tags
    }

    public init(engine: RuleEngine, mode: Mode, pseudonymKey: [UInt8], collectFindings: Bool) {
        self.engine = engine
        self.mode = mode
        self.pseudonymKey = pseudonymKey
        self.collectFindings = collectFindings
        findingCounts = FindingGrid(rules: engine.rules.count)
        var byRoot = [[(rule: Int, path: FieldPath)]](repeating: [], count: FieldPath.Root.codes)
        for (i, rule) in engine.rules.enumerated() { for p in rule.paths { byRoot[p.root.code].append((i, p)) } }
        fieldPaths = byRoot
        payloadCandidates = byRoot.map { PayloadPath.Candidates($0) }
        urlPartsOfRule = engine.rules.map { $0.paths.compactMap(\.urlPart) }
        nestedTapes = (0..<Redactor.maxNestedDocuments).map { _ in JSONTape(capacity: 64) }
        pageRules = PageRules(rules: engine.rules)
        numberGates = Channel.allCases.map { Redactor.numberChannels.contains($0) ? engine.numberGate(for: $0) : .closed }
        let echoRules = engine.rules.indices.filter { engine.rules[$0].kind == .echo }
        self.echoRules = echoRules
        echoes = echoRules.map { _ in EchoValues() }
        echoTargets = engine.rules.map { r in
            guard r.teachesEchoes else { return [] }
            return echoRules.indices.filter { k in
                let echo = engine.rules[echoRules[k]]
                return echo.learnFrom.isEmpty || echo.learnFrom.contains(r.id)
            }
        }
        learnsAnyEcho = echoTargets.contains { !$0.isEmpty }
    }

    /// The engine for a second pass over the same events: this pass's echo rules armed with
    /// what each learned (`RuleEngine.arming`); nil when there is nothing to find again.
    public var echoEngine: RuleEngine? {
        guard learnsAnyEcho else { return nil }
        return engine.arming(Dictionary(uniqueKeysWithValues: zip(echoRules, echoes.map(\.values))))
    }

    /// How many distinct values this pass learned, over all echo rules.
    public var echoValuesLearned: Int { echoes.reduce(0) { $0 + $1.values.count } }

    /// The channels whose numbers are payload data (docs/RULES.md, "Channels"): pattern rules
    /// read them where the payload walks reach them. A number anywhere else (a node id, a
    /// position, a timestamp, a request's status) is structure.
    static let numberChannels: [Channel] = [.custom, .console, .network]

    /// Where the event being processed sits.
    struct Place {
        let window: String
        let index: Int
        var timestamp: Double??
    }

    /// Processes one event: counts and collects its findings and, when redacting, records the
    /// rewrites in `edits`. Returns whether any string changed.
    @discardableResult
    public mutating func process(_ e: JSONEvent, window: String, index: Int, edits: inout JSONEdits) -> Bool {
        counts.events += 1
        // Most events of a recording are pointer movements: positions, ids and flags, nothing
        // a rule reads (but `event` paths, which read every event, and a member a recorder
        // added to the event, whose numbers are read too).
        let head = EventHead(e)
        lastType = head.type
        if !hasFieldPaths(.event) && Redactor.holdsNothingToRead(head) && !e.holdsString(e.root)
            && e.membersAllNamed(e.root, EventWalker.eventMembers) {
            dropsEvent = false
            if e.sawRepeatedKey { return removeRepeatedKeys(e, &edits) }
            return false
        }
        var place = Place(window: window, index: index, timestamp: nil)
        let before = counts.stringsChanged + counts.structuralChanges
        dropsEvent = false
        // The page first: selector rules judge each event against the page as it is then.
        var plan = PagePlan()
        if let pageRules {
            plan = beginPage(e, head, pageRules, &place, &edits)
            if plan.dropEvent {
                dropsEvent = mode == .redact
                return dropsEvent
            }
        }
        // Rules on `event` paths first: of two rewrites of one value, the first recorded wins.
        if hasFieldPaths(.event) { processEventPaths(e, &place, &edits) }
        // One walker for the event: the strings of its shape, then those of members no reader
        // reads; what it skipped is counted once.
        var walker = EventWalker()
        walker.numberGates = (numberGates[Channel.custom.ordinal], numberGates[Channel.console.ordinal])
        payloadSkips = plan.skipped
        defer { payloadSkips = [] }
        if !processStructured(e, head, &place, &edits) {
            walker.page = pageTags(window)
            if let pageRules, let page = plan.page {
                walker.walk(e, head) { (e: JSONEvent, site: StringSite) in
                    if !plan.skipped.isEmpty && plan.skips(site.value.index) { return }
                    handle(e, site, &place, &edits, page: (pageRules, page))
                }
            } else {
                walker.walk(e, head) { (e: JSONEvent, site: StringSite) in handle(e, site, &place, &edits) }
            }
        }
        // What no reader above reads (members this release does not know): read as text.
        walker.walkUnknownMembers(e, head) { (e: JSONEvent, site: StringSite) in
            if !plan.skipped.isEmpty && plan.skips(site.value.index) { return }
            handle(e, site, &place, &edits)
        }
        counts.unscanned.merge(walker.unscanned)
        if e.sawRepeatedKey { removeRepeatedKeys(e, &edits) }
        let changed = counts.stringsChanged + counts.structuralChanges > before
        if changed { counts.eventsChanged += 1 }
        return changed
    }

    /// For an event in which an object repeats a key: every reader took the last member of
    /// the key (`JSONEvent.member`), as `JSON.parse` and so the player do, so the earlier
    /// ones were not read. They are counted as not scanned (`repeatedKeys`) and, when
    /// redacting, removed: the package holds nothing the rules did not read, and replays
    /// the same. Returns whether the event changed.
    @discardableResult
    mutating func removeRepeatedKeys(_ e: JSONEvent, _ edits: inout JSONEdits) -> Bool {
        let shadowed = e.shadowedKeys()
        for (key, object) in shadowed {
            counts.unscanned.add(.repeatedKeys, bytes: e.byteRange(JSONValueRef(index: key.index + 1)).count)
            if mode == .redact { edits.removeMember(key: key, of: object, in: e) }
        }
        guard mode == .redact, !shadowed.isEmpty else { return false }
        counts.structuralChanges += shadowed.count
        return true
    }

    /// Whether `e` is an incremental snapshot that holds positions, ids and flags only: pointer
    /// and touch movements, drags, viewport changes, selections (the walker reads nothing in
    /// them, and page rules drop none of them).
    static func holdsNothingToRead(_ e: JSONEvent) -> Bool { holdsNothingToRead(EventHead(e)) }

    /// The same, for an event whose head is read.
    static func holdsNothingToRead(_ head: EventHead) -> Bool {
        guard let source = head.source else { return false } // an incremental snapshot's only
        switch RRWebIncrementalSource(rawValue: source) {
        case .mouseMove, .touchMove, .drag, .viewportResize, .selection: return true
        default: return false
        }
    }

    /// What redaction did to one event.
    public enum Outcome: Equatable {
        /// Nothing changed (always, when auditing).
        case unchanged
        case rewritten([UInt8])
        /// The event leaves the output (selector rules: docs/RULES.md, "Selector rules").
        case dropped
    }

    /// Processes one event given as JSON bytes. `scanned`, when given, is that event as the
    /// decoder already read it (`RecordingDecoder.forEachEvent(scanned:)`), used instead.
    public mutating func process(json: [UInt8], scanned: JSONEvent? = nil, window: String, index: Int) throws -> Outcome {
        if let scanned { return process(event: scanned, window: window, index: index) }
        let bytes = JSONBytes(json)
        var reader = try EventReader(bytes: bytes, tape: eventTape)
        guard let e = try reader.next() else { return .unchanged }
        return process(event: e, window: window, index: index)
    }

    /// The same for an event already read (the decoder's, `RecordingDecoder.forEachEvent(scanned:)`):
    /// its JSON is not copied or read again.
    public mutating func process(event e: JSONEvent, window: String, index: Int) -> Outcome {
        var edits = JSONEdits()
        let timestamp = e.member("timestamp", of: e.root)
        lastTimestamp = .some(timestamp.flatMap { e.double($0) })
        guard process(e, window: window, index: index, edits: &edits) else { return .unchanged }
        if dropsEvent { return .dropped }
        let out = JSONRewriter.apply(&edits, to: e.bytes, range: e.range)
        if let timestamp, !edits.leaves(e.byteRange(timestamp)) { lastTimestamp = nil }
        return .rewritten(out)
    }

    // MARK: one string

    mutating func handle(_ e: JSONEvent, _ site: StringSite, _ place: inout Place, _ edits: inout JSONEdits,
                         page: (PageRules, PageRules.Page)? = nil) {
        let t = e.token(site.value.index)
        if t.kind == .number { return handleNumber(e, site, &place, &edits) }
        counts.strings += 1
        if t.hasEscapes {
            var buf = scratch
            scratch = []
            buf.removeAll(keepingCapacity: true)
            e.withStringBody(site.value) { JSONString.decodeBody($0, into: &buf) }
            buf.withUnsafeBytes { handleText($0, e, site, &place, &edits, page: page) }
            scratch = buf
        } else {
            e.withStringBody(site.value) { handleText($0, e, site, &place, &edits, page: page) }
        }
    }

    /// A number the walker reads as payload data (a member no reader reads, an unknown
    /// plugin's payload, a Log event's arguments): its text read alone by the pattern rules of
    /// its channel (the walker passed over those its gate does not admit) and, with a finding,
    /// rewritten as a string of the action's output.
    mutating func handleNumber(_ e: JSONEvent, _ site: StringSite, _ place: inout Place, _ edits: inout JSONEdits) {
        e.withRawBytes(site.value) { text in
            let matches = numberMatches(text, channel: site.channel)
            if !matches.isEmpty { apply(matches, in: text, e, site, &place, &edits, cssKinds: []) }
        }
    }

    mutating func handleText(_ text: UnsafeRawBufferPointer, _ e: JSONEvent, _ site: StringSite, _ place: inout Place, _ edits: inout JSONEdits,
                             page: (PageRules, PageRules.Page)? = nil) {
        // Selector and attribute rules first; pattern rules fill in around what they rewrite.
        if page != nil || site.channel == .css {
            // (`map` lends the page rules to its closure; binding them would retain them.)
            let forced = page.map { pageMatches(text, e, site, $0.0, $0.1) } ?? []
            if !forced.isEmpty || site.channel == .css { return handleText(text, e, site, &place, &edits, forced: forced) }
        }
        // An iframe's `srcdoc` is HTML: character references are read decoded.
        if let key = site.attributeKey, let p = text.baseAddress, memchr(p, Int32(UInt8(ascii: "&")), text.count) != nil,
           e.string(key, equalsIgnoringASCIICase: "srcdoc"), let html = HTMLText.decode(text) {
            return handleHTML(text, html.text, html.origin, e, site, &place, &edits)
        }
        // A data URL of a textual media type (`data:text/plain;base64,...`, `data:text/html,%3Cp%3E...`):
        // its text read as the browser reads it, the head kept (`DataURLText`).
        if site.channel != .input, DataURLText.startsWithData(text), let d = decodedDataURL(text, channel: site.channel) {
            if !d.isEmpty, let out = applyDataURL(d, in: text, channel: site.channel, nodeId: site.nodeId, &place,
                                      pointer: { e.pointer(to: site.value).description }, timestamp: { e.double("timestamp", of: e.root) }) {
                write(out, at: site, e, &edits)
            }
            return
        }
        // A URL outside the URL channel (typed input excepted): tested once, for the readings below.
        let otherURL = site.channel != .url && site.channel != .input && URLText.isURL(text)
        // A plain value may be read decoded too, in every channel but typed input (masked whole)
        // and URLs (their parts are read below): one byte test first.
        let mayBeEncoded = site.channel != .url && site.channel != .input && !otherURL && LookAlikeText.mayBeEncoded(text)
        // Look-alike digits, dashes and spaces, and invisible characters inside a value with no
        // escape or reference: read once, as the ASCII they stand for.
        if mayBeEncoded, LookAlikeText.holdsNonASCII(text), !LookAlikeText.holdsEscapeStart(text), let mapped = LookAlikeText.mappedText(text) {
            if let found = lookAlikeMatches(text, mapped: mapped, raw: [], channel: site.channel) { apply(found, in: text, e, site, &place, &edits) }
            return
        }
        // Most strings: pattern rules alone, and nothing found.
        var matches = ruleMatches(text, site.channel)
        if !matches.isEmpty { matches = URLText.keptInsideParameters(matches, in: text, engine: engine) } // (most strings: no call)
        if site.channel == .url || otherURL,
           handledQueryValues(text, &matches, site.value, in: e, channel: site.channel, nodeId: site.nodeId, &place, &edits,
                              pointer: { e.pointer(to: site.value).description }, timestamp: { e.double("timestamp", of: e.root) }) {
            return
        }
        // A plain value percent-encoded (a URL inside text) or with character references, or
        // with look-alikes beside a `%` or a `&`.
        if mayBeEncoded, let found = decodedReading(text, raw: matches, channel: site.channel) {
            return apply(found, in: text, e, site, &place, &edits)
        }
        // The readings with a name or a label run whether or not the value alone found
        // something (`Password:`, then `hunter2 (sent to ana@shop.test)`: the address alone
        // would leave the password, and a rescan of the output would find it).
        if site.channel == .attribute, let key = site.attributeKey {
            let naming = e.withText(key, AttributeNaming.init)
            if naming != .none {
                matches = RuleEngine.merging(matches, attributeMatches(text, naming, key: key, in: e, attributes: site.attributes))
            }
        }
        // A short text read after the label shown before it: with a digit (`Phone`, then
        // `4155550134`: most values the rules find by the word before them hold digits), or
        // after a label that ends in a colon, as a form's or a page's labels do (`Name:`, then
        // `Ana Lima`; `Password:`, then `hunter2`: rules that read a name or a secret after it).
        if let label = site.label, text.count <= 64,
           RuleEngine.digitCount(text) > 0 || e.withText(label, Redactor.endsWithColon) {
            matches = RuleEngine.merging(matches, e.withText(label) { matchesAfter(text, label: $0, channel: site.channel) })
        }
        if !matches.isEmpty { apply(matches, in: text, e, site, &place, &edits, cssKinds: []) }
    }

    /// What pattern rules find in an attribute's value read with its name before it, as a
    /// payload member's value is read with its key (`memberMatches`): a `data-*` attribute is
    /// named by the page, as a payload's member is (`data-ssn="123456789"`,
    /// `data-phone="4155550134"`), and a `value` or a `content` by the element's `name`
    /// (`<input type="hidden" name="zip" value="94107">`, `<meta name="csrf-token" content="...">`:
    /// a form's later step carries in hidden inputs what an earlier one typed, and record-time
    /// masking leaves them; a nested name, `customer[ssn]`, by its last part). Only rules with
    /// a word of the name among their keywords run.
    mutating func attributeMatches(_ value: UnsafeRawBufferPointer, _ naming: AttributeNaming, key: JSONValueRef, in e: JSONEvent,
                                   attributes: JSONValueRef?) -> [RuleMatch] {
        guard naming == .byElementName else { return memberMatches(value, key: key, in: e, channel: .attribute) }
        guard let attributes, let n = e.member("name", of: attributes, kind: .string) else { return [] }
        // A nested field name (`customer[ssn]`, as Rails and PHP forms write it) names its
        // value by its last part, as a form-encoded body's parameter's name does.
        return e.withText(n) { name in
            memberMatches(value, name: UnsafeRawBufferPointer(rebasing: name[Redactor.memberName(ofFormName: name)]), channel: .attribute)
        }
    }

    /// Whether `label` ends in a colon, white space after it aside (`Name:`, `Nom :`).
    static func endsWithColon(_ label: UnsafeRawBufferPointer) -> Bool {
        var i = label.count - 1
        while i >= 0, label[i] == 0x20 || (label[i] >= 0x09 && label[i] <= 0x0D) { i -= 1 }
        return i >= 0 && label[i] == UInt8(ascii: ":")
    }

    /// What pattern rules find in `value` read after `label`, as a page or a console shows
    /// them (`Phone 4155550134`): only the rules with a keyword in the label that read the word
    /// before a value run, and only matches inside the value count.
    mutating func matchesAfter(_ value: UnsafeRawBufferPointer, label: UnsafeRawBufferPointer, channel: Channel) -> [RuleMatch] {
        let rules = engine.rulesWithKeyword(in: label, channel: channel)
        guard !rules.isEmpty else { return [] }
        var text = Array(label)
        text.append(0x20)
        let start = text.count
        text += value
        return wholeSecrets(matches(in: text, inside: start..<text.count, rules: rules), in: value)
    }

    /// A secret read after its label is the whole text the label labels: a passphrase's other
    /// words are no less secret than its first (`Password:`, then `correct horse battery
    /// staple`). A credential rule's bare value stops at the first space, as it must in running
    /// text (`password=hunter2 user=ana`); here the value is a text of its own, so a credential
    /// match that starts where the value starts is taken to the value's end (white space at
    /// its edges aside), and what else was found inside it is part of it.
    func wholeSecrets(_ found: [RuleMatch], in value: UnsafeRawBufferPointer) -> [RuleMatch] {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        // A short text only, as a page's labelled values are (a console argument after a label
        // may be a whole message).
        guard value.count <= 64, let first = value.firstIndex(where: { !isSpace($0) }), let last = value.lastIndex(where: { !isSpace($0) }),
              let k = found.firstIndex(where: { !$0.limited && $0.range.lowerBound == first && engine.rules[$0.rule].category == .credential }),
              found[k].range.upperBound < last + 1 else { return found }
        let whole = RuleMatch(rule: found[k].rule, range: first..<(last + 1), limited: false)
        return [whole] + found.filter { !$0.range.overlaps(whole.range) }
    }

    /// What `rules` find in `text`, a value read with the words before it (`memberMatches`,
    /// `matchesAfter`), that lies inside the value (at `value` in `text`), at the value's own
    /// offsets. The same value read again: its pattern runs count, not a second string.
    mutating func matches(in text: [UInt8], inside value: Range<Int>, rules: [Int]) -> [RuleMatch] {
        var reread = RuleEngine.Counters()
        let found = engine.matches(in: text, rules: rules, counters: &reread)
        counts.prefilter.patternRuns += reread.patternRuns
        counts.prefilter.skippedByPrefilter += reread.skippedByPrefilter
        return found.compactMap { m in
            guard m.range.lowerBound >= value.lowerBound, m.range.upperBound <= value.upperBound else { return nil }
            return RuleMatch(rule: m.rule, range: (m.range.lowerBound - value.lowerBound)..<(m.range.upperBound - value.lowerBound), limited: m.limited)
        }
    }

    /// What names an attribute's value for `attributeMatches`. Attributes but `data-*`,
    /// `value` and `content` have names of HTML's own (`class`, `alt`, `title`), which name
    /// no personal field: told apart with a length test and a load or two.
    enum AttributeNaming {
        case none, byItsName, byElementName

        init(_ name: UnsafeRawBufferPointer) {
            let n = name.count
            guard n >= 5 else { self = .none; return }
            // OR-ing 0x20 folds only the letters' case here: no other byte becomes one of them.
            let head = name.loadUnaligned(as: UInt32.self) | 0x2020_2020
            if n > 5 && head == UInt32(littleEndian: 0x61_74_61_64) && name[4] == UInt8(ascii: "-") { // "data-"
                self = .byItsName
            } else if n == 5 && head == UInt32(littleEndian: 0x75_6C_61_76) && name[4] | 0x20 == UInt8(ascii: "e") { // "value"
                self = .byElementName
            } else if n == 7 && head == UInt32(littleEndian: 0x74_6E_6F_63) && name.loadUnaligned(fromByteOffset: 3, as: UInt32.self) | 0x2020_2020
                        == UInt32(littleEndian: 0x74_6E_65_74) { // "content"
                self = .byElementName
            } else {
                self = .none
            }
        }
    }

    /// Records what a reading of a string other than as written found and, when redacting,
    /// rewrites the string over the bytes each finding came from.
    mutating func apply(_ reading: DecodedReading, in text: UnsafeRawBufferPointer, _ e: JSONEvent, _ site: StringSite,
                        _ place: inout Place, _ edits: inout JSONEdits) {
        if let out = applyDecoded(text, reading.view, rawMatches: reading.raw, reading.decoded, channel: site.channel, nodeId: site.nodeId, &place,
                                  pointer: { e.pointer(to: site.value).description }, timestamp: { e.double("timestamp", of: e.root) }) {
            write(out, at: site, e, &edits)
        }
    }

    /// `handleText` for a string that selector or attribute rules rewrite (`forced`), or CSS.
    mutating func handleText(_ text: UnsafeRawBufferPointer, _ e: JSONEvent, _ site: StringSite, _ place: inout Place, _ edits: inout JSONEdits,
                             forced: [RuleMatch]) {
        var matches: [RuleMatch] = []
        var cssKinds: [CSSText.Segment.Kind] = [] // parallel to `matches` for CSS
        if forced.count == 1 && forced[0].range == 0..<text.count {
            matches = forced
        } else if !forced.isEmpty {
            matches = forced
            for m in ruleMatches(text, site.channel)
            where !forced.contains(where: { $0.range.overlaps(m.range) }) { matches.append(m) }
            matches.sort { $0.range.lowerBound < $1.range.lowerBound }
        } else {
            // CSS text: pattern rules within each segment, whose kind the rewrite needs. A
            // segment with escapes is read as CSS reads it (`ana\40 shop.test`) and, when a rule
            // finds something, written back whole. A URL's percent-encoded parts are read
            // decoded, as in the URL channel (`url(/p.png?u=ana%40shop.test)`). A comment is
            // read as it is written (a backslash is no escape there) and, with a finding,
            // written back whole, so that no rewrite can end it early (`CSSText.escape`); so is
            // a custom property's plain value, so that none opens a comment.
            let segments = CSSText.segments(text) { kind, bytes in counts.unscanned.add(kind, bytes: bytes) }
            var decoded: [DecodedCSSSegment] = []
            for seg in segments {
                let raw = UnsafeRawBufferPointer(rebasing: text[seg.range])
                if seg.kind == .comment || seg.kind == .customProperty {
                    var found = ruleMatches(raw, .css)
                    var parts: [DecodedQueryValue] = []
                    if memchr(raw.baseAddress!, Int32(UInt8(ascii: "%")), raw.count) != nil {
                        parts = decodedQueryMatches(raw, channel: .css, besides: &found)
                    }
                    if parts.isEmpty, let lookAlike = lookAlikeMatches(raw, raw: found, channel: .css) {
                        decoded.append(DecodedCSSSegment(segment: seg, value: Array(raw), matches: [], lookAlike: lookAlike))
                    } else if !found.isEmpty || !parts.isEmpty {
                        decoded.append(DecodedCSSSegment(segment: seg, value: Array(raw), matches: found, urlParts: parts))
                    }
                    continue
                }
                // A textual data URL, read as CSS reads it (`\"` in an SVG's markup is `"`), then
                // as the browser reads its text; written back whole, escaped for where it stands.
                if DataURLText.startsWithData(raw) {
                    let value = memchr(raw.baseAddress!, 0x5C, raw.count) != nil ? CSSText.unescape(raw) : Array(raw)
                    if let d = value.withUnsafeBytes({ decodedDataURL($0, channel: .css) }) {
                        if !d.isEmpty { decoded.append(DecodedCSSSegment(segment: seg, value: value, matches: [], dataURL: d)) }
                        continue
                    }
                }
                if memchr(raw.baseAddress!, 0x5C, raw.count) != nil {
                    let value = CSSText.unescape(raw)
                    let found = value.withUnsafeBytes { ruleMatches($0, .css) }
                    if let lookAlike = value.withUnsafeBytes({ lookAlikeMatches($0, raw: found, channel: .css) }) {
                        decoded.append(DecodedCSSSegment(segment: seg, value: value, matches: [], lookAlike: lookAlike))
                    } else if !found.isEmpty {
                        decoded.append(DecodedCSSSegment(segment: seg, value: value, matches: found))
                    }
                    continue
                }
                var found = ruleMatches(raw, .css)
                if memchr(raw.baseAddress!, Int32(UInt8(ascii: "%")), raw.count) != nil {
                    let parts = decodedQueryMatches(raw, channel: .css, besides: &found)
                    if !parts.isEmpty {
                        decoded.append(DecodedCSSSegment(segment: seg, value: Array(raw), matches: found, urlParts: parts))
                        continue
                    }
                }
                // Look-alikes in a string or a URL (`content:"card ４２４２ ４２４２ ..."`, comments above),
                // read as in any other channel; the segment is written back escaped for where it stands.
                if let lookAlike = lookAlikeMatches(raw, raw: found, channel: .css) {
                    decoded.append(DecodedCSSSegment(segment: seg, value: Array(raw), matches: [], lookAlike: lookAlike))
                    continue
                }
                for m in found {
                    matches.append(RuleMatch(rule: m.rule, range: (m.range.lowerBound + seg.range.lowerBound)..<(m.range.upperBound + seg.range.lowerBound), limited: m.limited))
                    cssKinds.append(seg.kind)
                }
            }
            if !decoded.isEmpty { return applyCSS(matches, cssKinds, decoded, in: text, e, site, &place, &edits) }
        }
        guard !matches.isEmpty else { return }
        apply(matches, in: text, e, site, &place, &edits, cssKinds: cssKinds)
    }

    /// HTML text (`raw`) read with its character references decoded (`decoded`, each byte's
    /// offset in `raw` in `origin`): findings are recorded on the decoded text, and each is
    /// rewritten in `raw` over the bytes it came from, escaped for HTML.
    mutating func handleHTML(_ raw: UnsafeRawBufferPointer, _ decoded: [UInt8], _ origin: [Int], _ e: JSONEvent, _ site: StringSite,
                             _ place: inout Place, _ edits: inout JSONEdits) {
        // Its look-alikes read as ASCII too, as in any other text.
        let view = Redactor.readingLookAlikes(DecodedView(text: decoded, origin: origin, escape: HTMLText.escape))
        let matches = view.text.withUnsafeBytes { ruleMatches($0, site.channel) }
        guard !matches.isEmpty else { return }
        if let out = applyDecoded(raw, view, rawMatches: [], matches, channel: site.channel, nodeId: site.nodeId, &place,
                                  pointer: { e.pointer(to: site.value).description }, timestamp: { e.double("timestamp", of: e.root) }) {
            counts.stringsChanged += 1
            edits.replace(site.value, in: e, withStringUTF8: out)
        }
    }

    /// A CSS segment with escapes, read decoded, and what rules found in it; or a URL with
    /// findings in its percent-encoded parts (`urlParts`), `value` then the segment as written
    /// and `matches` what rules found in it whole.
    struct DecodedCSSSegment {
        let segment: CSSText.Segment
        let value: [UInt8]
        let matches: [RuleMatch]
        var urlParts: [DecodedQueryValue] = []
        /// A data URL of a textual media type with findings in its text; `value` is then the
        /// segment as CSS reads it (its escapes decoded).
        var dataURL: DecodedDataURL? = nil
        /// What rules find in `value` read with its look-alikes as ASCII (`LookAlikeText`).
        var lookAlike: DecodedReading? = nil
    }

    /// `apply` for CSS text with segments read decoded: records every finding and, when
    /// redacting, rewrites each match of a plain segment in place and each decoded segment
    /// whole, escaped for where it stands.
    mutating func applyCSS(_ matches: [RuleMatch], _ kinds: [CSSText.Segment.Kind], _ decoded: [DecodedCSSSegment], in text: UnsafeRawBufferPointer,
                           _ e: JSONEvent, _ site: StringSite, _ place: inout Place, _ edits: inout JSONEdits) {
        let pointer = { e.pointer(to: site.value).description }, timestamp = { e.double("timestamp", of: e.root) }
        let firstPlain = findings.count
        record(matches, in: text, channel: .css, nodeId: site.nodeId, place: &place, pointer: pointer, timestamp: timestamp)
        var firstOfSegment: [Int] = []
        var urls: [[UInt8]?] = [] // per segment: a URL's rewrite, when redacting
        for d in decoded {
            firstOfSegment.append(findings.count)
            if let data = d.dataURL {
                urls.append(d.value.withUnsafeBytes { applyDataURL(data, in: $0, channel: .css, nodeId: site.nodeId, &place, pointer: pointer, timestamp: timestamp) })
                continue
            }
            if let l = d.lookAlike {
                urls.append(d.value.withUnsafeBytes { applyDecoded($0, l.view, rawMatches: l.raw, l.decoded, channel: .css, nodeId: site.nodeId, &place, pointer: pointer, timestamp: timestamp) })
                continue
            }
            if !d.urlParts.isEmpty {
                urls.append(d.value.withUnsafeBytes { applyURL(d.matches, d.urlParts, in: $0, channel: .css, nodeId: site.nodeId, &place, pointer: pointer, timestamp: timestamp) })
                continue
            }
            urls.append(nil)
            d.value.withUnsafeBytes { record(d.matches, in: $0, channel: .css, nodeId: site.nodeId, place: &place, pointer: pointer, timestamp: timestamp) }
        }
        guard mode == .redact else { return }
        var out: [UInt8] = []
        var cursor = 0, m = 0, d = 0
        while m < matches.count || d < decoded.count {
            if d == decoded.count || (m < matches.count && matches[m].range.lowerBound < decoded[d].segment.range.lowerBound) {
                let match = matches[m]
                out += UnsafeRawBufferPointer(rebasing: text[cursor..<match.range.lowerBound])
                var replacement: [UInt8] = []
                let pseudonym = engine.appendRewrite(of: match, in: text, key: pseudonymKey, to: &replacement)
                out += CSSText.escape(replacement, for: kinds[m])
                if collectFindings, let pseudonym { findings[firstPlain + m].pseudonym = pseudonym }
                cursor = match.range.upperBound
                m += 1
            } else {
                let segment = decoded[d]
                out += UnsafeRawBufferPointer(rebasing: text[cursor..<segment.segment.range.lowerBound])
                let value = urls[d] ?? segment.value.withUnsafeBytes { rewritten($0, segment.matches, channel: .text, firstFinding: firstOfSegment[d]) }
                out += CSSText.escape(value, for: segment.segment.kind)
                cursor = segment.segment.range.upperBound
                d += 1
            }
        }
        out += UnsafeRawBufferPointer(rebasing: text[cursor...])
        write(out, at: site, e, &edits)
    }

    /// Records what `handleText` found in a string and, when redacting, rewrites it.
    mutating func apply(_ matches: [RuleMatch], in text: UnsafeRawBufferPointer, _ e: JSONEvent, _ site: StringSite,
                        _ place: inout Place, _ edits: inout JSONEdits, cssKinds: [CSSText.Segment.Kind]) {
        record(matches, in: text, channel: site.channel, nodeId: site.nodeId, place: &place) { e.pointer(to: site.value).description } timestamp: {
            e.double("timestamp", of: e.root)
        }
        guard mode == .redact else { return }
        write(rewritten(text, matches, channel: site.channel, cssKinds: cssKinds), at: site, e, &edits)
    }

    /// Writes a string's rewritten text in place (`remove` of a whole attribute value drops
    /// the attribute).
    mutating func write(_ out: [UInt8], at site: StringSite, _ e: JSONEvent, _ edits: inout JSONEdits) {
        counts.stringsChanged += 1
        if out.isEmpty, let key = site.attributeKey, let attributes = site.attributes {
            edits.removeMember(key: key, of: attributes, in: e)
        } else {
            edits.replace(site.value, in: e, withStringUTF8: out)
        }
    }

    /// Counts `matches` (found in `text`) and, when collecting, adds their findings.
    mutating func record(_ matches: [RuleMatch], in text: UnsafeRawBufferPointer, channel: Channel, nodeId: Int?, place: inout Place,
                         pointer: () -> String, timestamp: () -> Double?) {
        let where_ = collectFindings ? pointer() : ""
        if collectFindings && place.timestamp == nil { place.timestamp = .some(timestamp()) }
        for m in matches {
            findingCounts.add(rule: m.rule, channel: channel, limited: m.limited)
            if learnsAnyEcho && !echoTargets[m.rule].isEmpty && !m.limited {
                learnEcho(UnsafeRawBufferPointer(rebasing: text[m.range]), by: m.rule, window: place.window, nodeId: nodeId)
            }
            guard collectFindings else { continue }
            appendFinding(m.rule, limited: m.limited, channel: channel, place: place, pointer: where_, nodeId: nodeId,
                          preview: MaskedPreview.make(UnsafeRawBufferPointer(rebasing: text[m.range]), category: engine.category(of: m.rule), limited: m.limited))
        }
    }

    /// Teaches `value`, which rule `rule` rewrote, to the echo rules that learn from it, unless
    /// it is the value of a field whose values are the page's own choices (a select and its
    /// options, a checkbox, a radio button: `PageRules.isChoiceField`), which would mask the
    /// page's own words ("Female", "yes", "March") wherever they stand.
    mutating func learnEcho(_ value: UnsafeRawBufferPointer, by rule: Int, window: String, nodeId: Int?) {
        if let nodeId, let pageRules, pageRules.isChoiceField(window, id: nodeId) { return }
        for k in echoTargets[rule] { echoes[k].learn(value, window: window, nodeId: nodeId) }
    }

    /// Adds a finding of rule `rule` (a `rule.limit` one, masked, when the pattern gave up).
    mutating func appendFinding(_ rule: Int, limited: Bool, channel: Channel, place: Place, pointer: String, nodeId: Int?, preview: String) {
        let r = engine.rules[rule]
        findings.append(Finding(
            rule: r.id, kind: limited ? "rule.limit" : "match", category: r.category, severity: r.severity,
            channel: channel, action: limited ? .mask : r.action, window: place.window, eventIndex: place.index,
            timestamp: place.timestamp ?? nil, pointer: safePointer(pointer), nodeId: nodeId, preview: preview))
    }

    /// `pointer` with each segment in which pattern rules find something written as its rule
    /// makes it (a key that is an email, `/members/ana@shop.test/phone`, becomes
    /// `/members/*************/phone`, which is also where the value is in a redacted
    /// package): a finding never carries a value in its place. Array indices and segments of
    /// name characters alone (`keyMayHoldData`) are taken as they are.
    func safePointer(_ pointer: String) -> String {
        let bytes = Array(pointer.utf8)
        var out: [UInt8] = []
        var changed = false
        var start = 0
        var counters = RuleEngine.Counters()
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "/") && bytes[end] != UInt8(ascii: "#") { end += 1 }
            let segment = bytes[start..<end]
            // An array index (digits, fewer than seven) or a name is taken as it is.
            let index = segment.count < 7 && segment.allSatisfy { $0 &- 0x30 < 10 }
            if !index && Redactor.mayHoldData(segment) {
                let raw = Array(String(decoding: segment, as: UTF8.self).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~").utf8)
                let matches = raw.withUnsafeBytes { engine.matches(in: $0, channel: .custom, counters: &counters) }
                if matches.isEmpty {
                    out += segment
                } else {
                    changed = true
                    let rewritten = String(decoding: engine.apply(matches, to: raw, pseudonymKey: pseudonymKey), as: UTF8.self)
                    out += rewritten.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1").utf8
                }
            } else {
                out += segment
            }
            if end < bytes.count { out.append(bytes[end]) }
            start = end + 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : pointer
    }

    /// `text` with each match rewritten by its rule's action (the findings just recorded for
    /// `matches`, or those from `firstFinding` on, get their pseudonyms). For CSS, `cssKinds`
    /// says how to escape each replacement.
    mutating func rewritten(_ text: UnsafeRawBufferPointer, _ matches: [RuleMatch], channel: Channel, cssKinds: [CSSText.Segment.Kind] = [],
                            firstFinding: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var cursor = 0
        let firstFinding = firstFinding ?? findings.count - matches.count
        for (k, m) in matches.enumerated() {
            out += UnsafeRawBufferPointer(rebasing: text[cursor..<m.range.lowerBound])
            let pseudonym: String?
            if channel == .css {
                var replacement: [UInt8] = []
                pseudonym = engine.appendRewrite(of: m, in: text, key: pseudonymKey, to: &replacement)
                out += CSSText.escape(replacement, for: cssKinds[k])
            } else {
                pseudonym = engine.appendRewrite(of: m, in: text, key: pseudonymKey, to: &out)
            }
            if collectFindings, let pseudonym { findings[firstFinding + k].pseudonym = pseudonym }
            cursor = m.range.upperBound
        }
        out += UnsafeRawBufferPointer(rebasing: text[cursor...])
        return out
    }
}
