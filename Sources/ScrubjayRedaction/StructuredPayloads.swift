import Glibc
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules

/// Network requests, console messages, custom events and the page URL, read by their
/// structure (docs/RULES.md, "Field paths"): every value gets its place below a field-path
/// root, `field` rules apply by path, and pattern rules see decoded values, including the
/// strings inside bodies that are JSON or form-encoded text.
///
/// Where the roots are:
/// - network plugin events (`rrweb/network@1`, PostHog's capture): each `payload.requests[]`
///   entry: `name` or `url` is `network.url`, `method`, `requestHeaders`, `requestBody`,
///   `responseHeaders`, `responseBody`;
/// - Sentry performance spans of fetch and XHR (custom events tagged `performanceSpan` with
///   `op` `resource.fetch` or `resource.xhr`): `description` is `network.url`, and
///   `data.request` and `data.response` hold `headers` and `body`;
/// - console plugin events: `payload.payload[]` (each a JSON-stringified value) and
///   `payload.trace[]`;
/// - custom events: `custom.<tag>.payload`;
/// - Meta events: `meta.href`.
extension Redactor {
    /// Where a value sits: its root (nil when no field root applies there), its channel for
    /// pattern rules, and what `drop_body` and `drop_request` would drop.
    struct PayloadPlace {
        let root: FieldPath.Root?
        let customTag: [UInt8]
        let channel: Channel
        /// Whether pattern rules (and content inside strings) are read here too.
        let patterns: Bool
        /// What the walk asks of the root for every value, worked out once: reading `root`
        /// copies the enum (its `custom` case holds a glob) and destroys the copy again.
        let hasRoot: Bool, isBody: Bool, isURL: Bool, isConsolePayload: Bool
        /// Whether pattern rules read the numbers here: those of data a user typed or a
        /// server sent (custom event payloads, console arguments, network bodies and the
        /// documents inside them), not a request's timings, sizes and status.
        let readsNumbers: Bool

        init(root: FieldPath.Root?, customTag: [UInt8] = [], channel: Channel, patterns: Bool = true) {
            self.root = root
            self.customTag = customTag
            self.channel = channel
            self.patterns = patterns
            hasRoot = root != nil
            isBody = root?.isBody ?? false
            isURL = root?.isURL ?? false
            isConsolePayload = root?.isConsolePayload ?? false
            readsNumbers = patterns && (channel == .custom || channel == .console || (channel == .network && isBody))
        }
    }

    /// What field rules asked to drop while a body or a request was read.
    struct Drops {
        var body = false
        var request = false
        var bodyRule: Int?
        var requestRule: Int?
    }

    /// A JSON document being rewritten: the event itself, or a body parsed out of a string.
    /// Where it sits and its event's time are worked out only when a finding needs them.
    struct Document {
        let json: JSONEvent
        /// The string holding the document (nil for the event itself).
        let outer: Outer?
        let depth: Int

        /// The document a string holding a document belongs to, and that string.
        final class Outer {
            let doc: Document
            let value: JSONValueRef
            init(doc: Document, value: JSONValueRef) { self.doc = doc; self.value = value }
        }

        init(event e: JSONEvent) {
            json = e
            outer = nil
            depth = 0
        }

        init(json: JSONEvent, inside doc: Document, at value: JSONValueRef) {
            self.json = json
            self.outer = Outer(doc: doc, value: value)
            self.depth = doc.depth + 1
        }

        /// JSON pointer of the string holding the document, for findings ("" for the event).
        var outerPointer: String { outer.map { Redactor.pointer($0.doc, $0.value) } ?? "" }

        /// The event's `timestamp` (documents inside strings carry their event's).
        var timestamp: Double? {
            if let outer { return outer.doc.timestamp }
            return json.double("timestamp", of: json.root)
        }
    }

    /// JSON inside strings is followed this many levels deep.
    static let maxNestedDocuments = 4

    /// Handles events with structured payloads; returns false for other events (the walker's).
    mutating func processStructured(_ e: JSONEvent, _ head: EventHead, _ place: inout Place, _ edits: inout JSONEdits) -> Bool {
        guard let type = head.type, let data = head.objectData(in: e) else { return false }
        let doc = Document(event: e)
        var drops = Drops()
        switch type {
        case RRWebEventType.meta.rawValue:
            guard hasFieldPaths(.metaHref) else { return false } // the walker's otherwise
            guard let href = e.member("href", of: data) else { return true }
            let at = PayloadPlace(root: .metaHref, channel: .url)
            var path = payloadPath(at)
            visit(doc, href, &path, at, &drops, &place, &edits, member: nil)
            return true
        case RRWebEventType.custom.rawValue:
            guard let payload = e.member("payload", of: data) else { return true }
            // A tag that is not a string (malformed input) names no tag.
            let tag = e.member("tag", of: data, kind: .string).map { e.stringBytes($0) } ?? []
            if EventWalker.isSentryFetchSpan(e, tag: tag, payload: payload) {
                visitSentrySpan(doc, payload, tag: tag, &place, &edits)
            } else {
                let at = PayloadPlace(root: .custom(tag: Glob("*")), customTag: tag, channel: .custom)
                var path = payloadPath(at)
                visit(doc, payload, &path, at, &drops, &place, &edits, member: nil)
            }
            return true
        case RRWebEventType.plugin.rawValue:
            guard let payload = e.member("payload", of: data), e.kind(payload) == .object else { return false }
            // A plugin name that is not a string (malformed input) names no plugin.
            let plugin = e.member("plugin", of: data, kind: .string)
            if let plugin, e.withText(plugin, { bytes($0, contain: "network") }) {
                visitNetworkPayload(doc, payload, &place, &edits)
                return true
            }
            if let plugin, e.withText(plugin, { bytes($0, contain: "console") }) {
                for (key, value) in e.membersInPlace(of: payload) {
                    let root: FieldPath.Root? = e.string(key, equals: "payload") ? .consolePayload : e.string(key, equals: "trace") ? .consoleTrace : nil
                    let at = PayloadPlace(root: root, channel: .console)
                    var path = payloadPath(at)
                    visit(doc, value, &path, at, &drops, &place, &edits, member: (key, payload))
                }
                return true
            }
            return false
        default:
            return false
        }
    }

    /// Field rules on `event` paths, over every value of the event (pattern rules are the
    /// walker's, so nothing is looked at twice by them).
    mutating func processEventPaths(_ e: JSONEvent, _ place: inout Place, _ edits: inout JSONEdits) {
        var drops = Drops()
        let at = PayloadPlace(root: .event, channel: .custom, patterns: false)
        var path = payloadPath(at)
        visit(Document(event: e), e.root, &path, at, &drops, &place, &edits, member: nil)
    }

    /// The requests of a network plugin event; a request a `drop_request` rule names is removed.
    mutating func visitNetworkPayload(_ doc: Document, _ payload: JSONValueRef, _ place: inout Place, _ edits: inout JSONEdits) {
        let e = doc.json
        // One path for every value, its buffers those of earlier events.
        var path = PayloadPath()
        swap(&path, &reusedPath)
        defer { swap(&path, &reusedPath) }
        // Loops over in-place sequences, not closures: a closure would capture (copy) `doc`.
        for (key, value) in e.membersInPlace(of: payload) {
            guard e.string(key, equals: "requests"), e.kind(value) == .array else {
                var drops = Drops()
                path.reset(candidates: .empty)
                visit(doc, value, &path, PayloadPlace(root: nil, channel: .network), &drops, &place, &edits, member: (key, payload))
                continue
            }
            for request in e.elements(of: value) {
                guard e.kind(request) == .object else { continue }
                var drops = Drops()
                for (k, v) in e.membersInPlace(of: request) {
                    let at = PayloadPlace(root: Redactor.networkRoot(e, k), channel: .network)
                    path.reset(candidates: candidates(for: at))
                    visit(doc, v, &path, at, &drops, &place, &edits, member: (k, request))
                }
                if drops.request {
                    edits.removeElement(request, of: value, in: e)
                    countDrop(drops.requestRule!, channel: .network, doc, request, &place)
                }
            }
        }
    }

    /// The root of a member of a network request entry.
    ///
    /// The key is read once and told apart by its length first (one comparison of bytes at
    /// most), rather than compared with each name in turn: every member of every request
    /// entry asks.
    static func networkRoot(_ e: JSONEvent, _ key: JSONValueRef) -> FieldPath.Root? {
        e.withText(key) { k -> FieldPath.Root? in
            @inline(__always) func spells(_ name: StaticString) -> Bool {
                memcmp(k.baseAddress!, name.utf8Start, k.count) == 0
            }
            switch k.count {
            case 3: return spells("url") ? .networkURL : nil
            case 4: return spells("name") ? .networkURL : nil
            case 6: return spells("method") ? .networkMethod : nil
            case 11: return spells("requestBody") ? .networkRequestBody : nil
            case 12: return spells("responseBody") ? .networkResponseBody : nil
            case 14: return spells("requestHeaders") ? .networkRequestHeaders : nil
            case 15: return spells("responseHeaders") ? .networkResponseHeaders : nil
            default: return nil
            }
        }
    }

    /// A Sentry fetch or XHR span: its URL, and the headers and bodies of its request and
    /// response. `drop_request` removes `data.request` and `data.response`.
    mutating func visitSentrySpan(_ doc: Document, _ payload: JSONValueRef, tag: [UInt8], _ place: inout Place, _ edits: inout JSONEdits) {
        let e = doc.json
        var drops = Drops()
        var dropped: [(key: JSONValueRef, object: JSONValueRef)] = []
        e.forEachMember(of: payload) { key, value in
            if e.string(key, equals: "description") {
                let at = PayloadPlace(root: .networkURL, channel: .network)
                var path = payloadPath(at)
                visit(doc, value, &path, at, &drops, &place, &edits, member: (key, payload))
            } else if e.string(key, equals: "data"), e.kind(value) == .object {
                e.forEachMember(of: value) { k, v in
                    let isRequest = e.string(k, equals: "request"), isResponse = e.string(k, equals: "response")
                    guard (isRequest || isResponse) && e.kind(v) == .object else {
                        let at = PayloadPlace(root: .custom(tag: Glob("*")), customTag: tag, channel: .custom)
                        var path = payloadPath(at)
                        Array("data".utf8).withUnsafeBytes { path.push(name: $0) }
                        path.push(key: k, of: e)
                        visit(doc, v, &path, at, &drops, &place, &edits, member: (k, value))
                        return
                    }
                    dropped.append((k, value))
                    e.forEachMember(of: v) { part, partValue in
                        let root: FieldPath.Root?
                        if e.string(part, equals: "headers") { root = isRequest ? .networkRequestHeaders : .networkResponseHeaders }
                        else if e.string(part, equals: "body") { root = isRequest ? .networkRequestBody : .networkResponseBody }
                        else { root = nil }
                        let at = PayloadPlace(root: root, channel: .network)
                        var path = payloadPath(at)
                        visit(doc, partValue, &path, at, &drops, &place, &edits, member: (part, v))
                    }
                }
            } else {
                let at = PayloadPlace(root: .custom(tag: Glob("*")), customTag: tag, channel: .custom)
                var path = payloadPath(at)
                path.push(key: key, of: e)
                visit(doc, value, &path, at, &drops, &place, &edits, member: (key, payload))
            }
        }
        if drops.request {
            for (k, object) in dropped { edits.removeMember(key: k, of: object, in: e) }
            countDrop(drops.requestRule!, channel: .network, doc, payload, &place)
        }
    }

    /// The place at the root of `p`, with the paths that can select anything below it.
    func payloadPath(_ p: PayloadPlace) -> PayloadPath {
        PayloadPath(candidates: candidates(for: p))
    }

    /// The paths that can select anything below the root of `p`.
    func candidates(for p: PayloadPlace) -> PayloadPath.Candidates {
        guard let root = p.root else { return .empty }
        let paths = fieldPaths[root.code]
        guard case .custom = root, !paths.isEmpty else { return payloadCandidates[root.code] }
        return PayloadPath.Candidates(paths.filter { entry in
            if case .custom(let tag) = entry.path.root { return tag.matches(p.customTag) }
            return true
        })
    }

    /// One value and everything inside it.
    mutating func visit(_ doc: Document, _ v: JSONValueRef, _ path: inout PayloadPath, _ p: PayloadPlace,
                        _ drops: inout Drops, _ place: inout Place, _ edits: inout JSONEdits,
                        member: (key: JSONValueRef, object: JSONValueRef)?) {
        let e = doc.json
        let isBody = p.isBody && path.depth == 0 && doc.depth == 0
        // Only a body may be dropped whole: only there is a point to roll back to kept.
        let before = isBody ? edits.mark : nil
        if isBody { drops.body = false; drops.bodyRule = nil }
        switch e.kind(v) {
        case .object:
            // Key names are read only where field paths will read them; elsewhere only the
            // depth is kept (depth 0 marks the top of a body).
            var keys: WrittenKeys? // the object's keys as written, once one is rewritten
            for (key, value) in e.membersInPlace(of: v) {
                path.push(key: key, of: e)
                visit(doc, value, &path, p, &drops, &place, &edits, member: (key, v))
                path.pop()
                if p.patterns && Redactor.keyMayHoldData(e, key) { visitKey(doc, key, value, of: v, p, &keys, &place, &edits) }
            }
        case .array:
            // A console event's arguments: each is also read after the one before it.
            let arguments = p.isConsolePayload && doc.depth == 0 && path.depth == 0
            var i = 0
            var previous: JSONValueRef?
            for child in e.elements(of: v) {
                if arguments { precedingArgument = previous.flatMap { consoleLabel(e, $0) } }
                path.push(index: i)
                visit(doc, child, &path, p, &drops, &place, &edits, member: nil)
                path.pop()
                i += 1
                previous = child
            }
            if arguments { precedingArgument = nil }
        case .string:
            visitString(doc, v, &path, p, &drops, &place, &edits, member: member)
        default:
            visitScalar(doc, v, path, p, &drops, &place, &edits, member: member)
        }
        if let before, drops.body {
            edits.rollBack(to: before)
            let size = e.kind(v) == .string ? e.stringBytes(v).count : e.byteRange(v).count
            edits.replace(v, in: e, withString: "[body dropped: \(size) bytes]")
            countDrop(drops.bodyRule!, channel: p.channel, doc, v, &place)
            drops.body = false
        }
    }

    /// A key inside a payload or a body is data too (`{"members":{"ana@shop.test":...}}`, a
    /// map keyed by email): pattern rules read it, and a match is rewritten inside its quotes
    /// (so that a removal of its member, which starts at the quote, wins over it).
    /// Two keys rewritten alike (two emails of one length, masked) would make one member of
    /// two: a rewritten key that another key of the object already spells gets ` (2)`,
    /// ` (3)`... (`keys`, the object's keys as written so far, is filled on first need).
    mutating func visitKey(_ doc: Document, _ key: JSONValueRef, _ value: JSONValueRef, of object: JSONValueRef, _ p: PayloadPlace,
                           _ keys: inout WrittenKeys?, _ place: inout Place, _ edits: inout JSONEdits) {
        let e = doc.json
        let text = e.stringBytes(key)
        let matches = text.withUnsafeBytes { ruleMatches($0, p.channel) }
        guard !matches.isEmpty else { return }
        text.withUnsafeBytes { t in
            record(matches, in: t, channel: p.channel, nodeId: nil, place: &place) { Redactor.pointer(doc, value) } timestamp: { doc.timestamp }
            guard mode == .redact else { return }
            counts.stringsChanged += 1
            if keys == nil { keys = WrittenKeys(names: Set(e.membersInPlace(of: object).map { e.stringBytes($0.0) })) }
            let name = keys!.unique(rewritten(t, matches, channel: p.channel))
            var quoted: [UInt8] = []
            JSONString.encode(utf8: name, into: &quoted)
            let r = e.byteRange(key)
            edits.replace((r.lowerBound + 1)..<(r.upperBound - 1), withRawJSON: quoted.dropFirst().dropLast())
        }
    }

    /// The keys of one object as they are written out, so that a rewritten key is unique.
    struct WrittenKeys {
        var names: Set<[UInt8]>
        /// Per rewritten form, the next suffix to try (a map of thousands of emails of one
        /// length, masked alike, costs one try each).
        var next: [[UInt8]: Int] = [:]

        /// `base`, or `base (2)`, `base (3)`... the first that no key spells; now taken.
        mutating func unique(_ base: [UInt8]) -> [UInt8] {
            var name = base
            var n = next[base] ?? 2
            while names.contains(name) { name = base + Array(" (\(n))".utf8); n += 1 }
            next[base] = n
            names.insert(name)
            return name
        }
    }

    /// Whether a key may hold what a pattern rule finds: one with a digit, an `@`, white
    /// space, a non-ASCII letter or other punctuation than `_`, `-`, `$` and `.`, or a long
    /// one. (Names such as `user_name` hold nothing a rule of the packs finds, and payloads
    /// are mostly such names.)
    static func keyMayHoldData(_ e: JSONEvent, _ key: JSONValueRef) -> Bool {
        e.withText(key, mayHoldData)
    }

    /// Whether a member's key (or a form parameter's or `data-*` attribute's name) names a
    /// field, so that its value is read with it: 40 bytes at most of ASCII letters, digits,
    /// `_`, `-`, `$` and `.`, with a letter (`cvv2`, `phone_2`, `address_line1`; not `4155550134`,
    /// which is data, read itself).
    static func namesAField(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count <= 40 else { return false }
        var letter = false
        for b in name {
            if (b | 0x20) &- 0x61 < 26 { letter = true; continue }
            guard b &- 0x30 < 10 || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "$") || b == UInt8(ascii: ".") else { return false }
        }
        return letter
    }

    /// `keyMayHoldData` for a name's bytes (a key, a pointer's segment).
    static func mayHoldData(_ name: some Collection<UInt8>) -> Bool {
        name.count > 40 || !name.allSatisfy { b in
            (b | 0x20) &- 0x61 < 26 || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "$") || b == UInt8(ascii: ".")
        }
    }

    /// A number, boolean or null: field rules that select it, else, for a number of payload
    /// data (`PayloadPlace.readsNumbers`), pattern rules (`visitNumber`); a rewritten value
    /// becomes a string.
    mutating func visitScalar(_ doc: Document, _ v: JSONValueRef, _ path: PayloadPath, _ p: PayloadPlace,
                              _ drops: inout Drops, _ place: inout Place, _ edits: inout JSONEdits,
                              member: (key: JSONValueRef, object: JSONValueRef)?) {
        let selecting = path.rules
        if !selecting.isEmpty {
            let raw = doc.json.rawBytes(v)
            let matches = fieldMatches(raw, selecting, &drops)
            if !matches.isEmpty { return raw.withUnsafeBytes { apply(matches, to: $0, doc, v, p, &place, &edits, member: member) } }
            // As for a string: what a rule drops whole is not read further.
            guard selecting.allSatisfy({ engine.rules[$0].action.rewritesValue }) else { return }
        }
        guard p.readsNumbers, doc.json.kind(v) == .number else { return }
        if !payloadSkips.isEmpty && doc.depth == 0 && payloadSkips.contains(where: { $0.contains(v.index) }) { return }
        doc.json.withRawBytes(v) { visitNumber($0, doc, v, p, &place, &edits, member: member) }
    }

    /// A number of payload data (`"card_number":4111111111111111` in a custom event, a
    /// console argument or a response body): card numbers, phone numbers and SSNs are often
    /// stored as numbers. Pattern rules read its text as written, alone when the channel's
    /// `NumberGate` admits it (a short number, a count or a price, is passed over without a
    /// call into the engine), then with its key as a string member's value is
    /// (`memberMatches`: `"cvc":4321`). A finding is recorded as a string's, and the number
    /// is rewritten as field rules rewrite the numbers they select: a string of the action's
    /// output (`"************1111"`), or its member removed by `remove`.
    mutating func visitNumber(_ text: UnsafeRawBufferPointer, _ doc: Document, _ v: JSONValueRef, _ p: PayloadPlace,
                              _ place: inout Place, _ edits: inout JSONEdits, member: (key: JSONValueRef, object: JSONValueRef)?) {
        var matches = numberMatches(text, channel: p.channel)
        if matches.isEmpty, let member, doc.json.kind(member.object) == .object {
            matches = memberMatches(text, key: member.key, in: doc.json, channel: p.channel)
        }
        if matches.isEmpty, member == nil, let label = precedingArgument, isArgument(doc, v) {
            matches = argumentMatches(text, after: label, channel: p.channel)
        }
        guard !matches.isEmpty else { return }
        apply(matches, to: text, doc, v, p, &place, &edits, member: member)
    }

    /// What pattern rules of `channel` find in a number's text read alone; nothing, without a
    /// call into the engine, for a number the channel's gate does not admit. A number is not
    /// a string: its pattern runs count, not a string looked at.
    mutating func numberMatches(_ text: UnsafeRawBufferPointer, channel: Channel) -> [RuleMatch] {
        guard numberGates[channel.ordinal].admits(text) else { return [] }
        var counters = RuleEngine.Counters()
        let found = engine.matches(in: text, channel: channel, counters: &counters)
        counts.prefilter.patternRuns += counters.patternRuns
        counts.prefilter.skippedByPrefilter += counters.skippedByPrefilter
        return found
    }

    /// A string: field rules on the whole value, or else JSON or form-encoded content read
    /// inside it, or else pattern rules (and field rules on URL parts).
    mutating func visitString(_ doc: Document, _ v: JSONValueRef, _ path: inout PayloadPath, _ p: PayloadPlace,
                              _ drops: inout Drops, _ place: inout Place, _ edits: inout JSONEdits,
                              member: (key: JSONValueRef, object: JSONValueRef)?) {
        let e = doc.json
        counts.strings += 1
        let t = e.token(v.index)
        guard t.kind == .string, t.end &- t.start > 2 else { return } // "" holds nothing
        if !payloadSkips.isEmpty && doc.depth == 0 && payloadSkips.contains(where: { $0.contains(v.index) }) { return }
        if EventWalker.binaryKind(e, v).map({ counts.unscanned.add($0, bytes: Int(t.end &- t.start) - 2); return true }) == true { return }
        // The text as it is in the input when it has no escapes (no copy), else decoded.
        if t.hasEscapes {
            e.stringBytes(v).withUnsafeBytes { visitText($0, doc, v, &path, p, &drops, &place, &edits, member: member) }
        } else {
            e.withStringBody(v) { visitText($0, doc, v, &path, p, &drops, &place, &edits, member: member) }
        }
    }

    /// `visitString` once the string's text is at hand.
    mutating func visitText(_ text: UnsafeRawBufferPointer, _ doc: Document, _ v: JSONValueRef, _ path: inout PayloadPath,
                            _ p: PayloadPlace, _ drops: inout Drops, _ place: inout Place, _ edits: inout JSONEdits,
                            member: (key: JSONValueRef, object: JSONValueRef)?) {
        let e = doc.json
        let selecting = path.rules
        var matches = fieldMatches(text, selecting, &drops)
        if matches.isEmpty && p.patterns && selecting.allSatisfy({ engine.rules[$0].action.rewritesValue }) {
            // Structured content inside the string.
            if doc.depth < Redactor.maxNestedDocuments, p.hasRoot {
                switch rewriteNested(text, doc, v, &path, p, &drops, &place) {
                case .notStructured:
                    break
                case .unchanged:
                    return
                case .rewritten(let inner):
                    if mode == .redact {
                        counts.stringsChanged += 1
                        edits.replace(v, in: e, withStringUTF8: inner)
                    }
                    return
                }
            }
            if p.isURL {
                // Field rules on URL parts rewrite the URL first (when redacting); pattern rules
                // then see the rewritten URL, outside the values field rules took, and one edit
                // carries both.
                let url = Array(text)
                let (rewrittenURL, claimed) = rewriteURLParts(url, path, p, doc, v, &drops, &place)
                matches = rewrittenURL.withUnsafeBytes { URLText.keptInsideParameters(ruleMatches($0, .url), in: $0, engine: engine) }
                if !claimed.isEmpty { matches.removeAll { m in claimed.contains { $0.overlaps(m.range) } } }
                if rewrittenURL.withUnsafeBytes({
                    handledQueryValues($0, &matches, v, in: e, nodeId: nil, &place, &edits,
                                       pointer: { Redactor.pointer(doc, v) }, timestamp: { doc.timestamp })
                }) { return }
                if matches.isEmpty {
                    if mode == .redact && rewrittenURL != url {
                        counts.stringsChanged += 1
                        edits.replace(v, in: e, withStringUTF8: rewrittenURL)
                    }
                    return
                }
                rewrittenURL.withUnsafeBytes { apply(matches, to: $0, doc, v, p, &place, &edits, member: member) }
                return
            }
            // A data URL of a textual media type: its text read as the browser reads it.
            if DataURLText.startsWithData(text), let d = decodedDataURL(text, channel: p.channel) {
                if !d.isEmpty, let out = applyDataURL(d, in: text, channel: p.channel, nodeId: nil, &place,
                                          pointer: { Redactor.pointer(doc, v) }, timestamp: { doc.timestamp }) {
                    write(out, at: v, doc, member: member, &edits)
                }
                return
            }
            // A URL in a payload (a `$pageview`'s page, a navigation's target): its
            // percent-encoded parts are read decoded, as in a URL's own channel.
            let isURL = URLText.isURL(text)
            let mayBeEncoded = !isURL && LookAlikeText.mayBeEncoded(text)
            // Look-alikes in a value with no escape or reference: read once, as ASCII.
            if mayBeEncoded, LookAlikeText.holdsNonASCII(text), !LookAlikeText.holdsEscapeStart(text), let mapped = LookAlikeText.mappedText(text) {
                if let found = lookAlikeMatches(text, mapped: mapped, raw: [], channel: p.channel) {
                    return apply(found, to: text, doc, v, p, &place, &edits, member: member)
                }
                if let member, e.kind(member.object) == .object {
                    // Read with its key as ASCII too (`"cvc":"１２３"`), as the value alone was.
                    let found = mapped.withUnsafeBytes { memberMatches($0, key: member.key, in: e, channel: p.channel) }
                    if !found.isEmpty {
                        let view = DecodedView(text: mapped, origin: LookAlikeText.origins(text)) { $0 }
                        return apply((view, [], found), to: text, doc, v, p, &place, &edits, member: member)
                    }
                    matches = memberMatches(text, key: member.key, in: e, channel: p.channel)
                }
                if !matches.isEmpty { apply(matches, to: text, doc, v, p, &place, &edits, member: member) }
                return
            }
            matches = ruleMatches(text, p.channel)
            if !matches.isEmpty { matches = URLText.keptInsideParameters(matches, in: text, engine: engine) } // (most strings: no call)
            if isURL, handledQueryValues(text, &matches, v, in: e, channel: p.channel, nodeId: nil, &place, &edits,
                                                       pointer: { Redactor.pointer(doc, v) }, timestamp: { doc.timestamp }) {
                return
            }
            // A plain value percent-encoded (`ana%40shop.test`) or HTML with character
            // references (`<b>ana&#64;shop.test</b>`) is read decoded too, and look-alikes beside
            // a `%` or a `&` as ASCII.
            if mayBeEncoded, let found = decodedReading(text, raw: matches, channel: p.channel) {
                return apply(found, to: text, doc, v, p, &place, &edits, member: member)
            }
            // Read with its key or the argument before it whether or not the value alone found
            // something (`"password":"hunter2 ana@shop.test"`: the address alone would leave it).
            if let member, e.kind(member.object) == .object {
                matches = RuleEngine.merging(matches, memberMatches(text, key: member.key, in: e, channel: p.channel))
            }
            if member == nil, let label = precedingArgument, isArgument(doc, v) {
                matches = RuleEngine.merging(matches, argumentMatches(text, after: label, channel: p.channel))
            }
        }
        guard !matches.isEmpty else { return }
        apply(matches, to: text, doc, v, p, &place, &edits, member: member)
    }

    /// Whether `v`, read while a console event's arguments are, is an argument itself: the
    /// JSON value an argument's string holds (`"\"4155550134\""`), or the string when it holds
    /// no JSON document (`"123456789"`, a number's text), not a value inside one.
    func isArgument(_ doc: Document, _ v: JSONValueRef) -> Bool {
        doc.depth == 0 || (doc.depth == 1 && v.index == doc.json.root.index)
    }

    /// The end of console argument `arg` (a JSON-stringified string), decoded, when a rule
    /// that reads the word before a value has a keyword in it (`customer phone:`); else nil,
    /// without a copy. A console shows its arguments joined by spaces, so the one before a
    /// value labels it as a key labels a member's value; only its last 64 bytes are read, as
    /// the rules look a few characters back from a value.
    func consoleLabel(_ e: JSONEvent, _ arg: JSONValueRef) -> [UInt8]? {
        let t = e.token(arg.index)
        guard t.kind == .string, t.end &- t.start > 4 else { return nil }
        let keyworded = e.withStringBody(arg) { body in
            !engine.rulesWithKeyword(in: UnsafeRawBufferPointer(rebasing: body[max(0, body.count - 80)...]), channel: .console).isEmpty
        }
        guard keyworded else { return nil }
        let json = e.stringBytes(arg) // the argument's JSON text: `"customer phone:"`
        guard json.count >= 2, json.first == UInt8(ascii: "\""), json.last == UInt8(ascii: "\"") else { return nil }
        var label: [UInt8] = []
        json.withUnsafeBytes { JSONString.decodeBody(UnsafeRawBufferPointer(rebasing: $0[1..<($0.count - 1)]), into: &label) }
        var start = max(0, label.count - 64)
        while start > 0 && start < label.count && label[start] & 0xC0 == 0x80 { start -= 1 } // a whole character
        return Array(label[start...])
    }

    /// What pattern rules find in a console argument read after the one before it (`label`),
    /// as the console shows them (`customer phone: 4155550134`; `matchesAfter`).
    mutating func argumentMatches(_ value: UnsafeRawBufferPointer, after label: [UInt8], channel: Channel) -> [RuleMatch] {
        label.withUnsafeBytes { matchesAfter(value, label: $0, channel: channel) }
    }

    /// What pattern rules find in a member's value read with its key before it, as the JSON
    /// text reads (`"password":"hunter2"`): rules that find a value by the word before it
    /// (`password_pair`, `card_cvv`, a date of birth after `dob`) find it in a payload or a
    /// body as in free text. Only the rules with a keyword in the key run (the prefilter's
    /// keyword automaton over the key: most keys have none, and nothing is copied for them),
    /// and only matches inside the value count. The value is whole, as in the JSON text, where
    /// its quotes and line breaks are escaped: a quote in it is read as `'` and a line break as
    /// a space (one byte for one, so matches keep their offsets), or a rule would take the
    /// value only up to them (`"password":"hun"ter2"`) or not at all.
    mutating func memberMatches(_ value: UnsafeRawBufferPointer, key: JSONValueRef, in e: JSONEvent, channel: Channel) -> [RuleMatch] {
        e.withText(key) { memberMatches(value, name: $0, channel: channel) }
    }

    /// `memberMatches` for a member named `key` (a JSON key, decoded, or a form-encoded name).
    mutating func memberMatches(_ value: UnsafeRawBufferPointer, name key: UnsafeRawBufferPointer, channel: Channel) -> [RuleMatch] {
        guard Redactor.namesAField(key) else { return [] } // a key that is data is read itself
        let rules = engine.rulesWithKeyword(in: key, channel: channel)
        guard !rules.isEmpty else { return [] }
        var text: [UInt8] = [0x22] // "key":"
        text += key
        text += [0x22, 0x3A, 0x22]
        let start = text.count
        for b in value {
            text.append(b == 0x22 ? UInt8(ascii: "'") : b == 0x0A || b == 0x0D ? 0x20 : b)
        }
        text.append(0x22)
        return matches(in: text, inside: start..<(start + value.count), rules: rules)
    }

    /// Where the member's own name is in a form-encoded parameter's name: the last bracketed
    /// part of a nested name as PHP and Rails read it (`user[password]`, `a[b][pwd][]`), else
    /// all of it.
    static func memberName(ofFormName name: UnsafeRawBufferPointer) -> Range<Int> {
        var end = name.count
        // A trailing `[]` (a list) names no member.
        while end >= 2 && name[end - 1] == UInt8(ascii: "]") && name[end - 2] == UInt8(ascii: "[") { end -= 2 }
        guard end > 0, name[end - 1] == UInt8(ascii: "]") else { return 0..<end }
        var open = end - 1
        while open > 0 && name[open - 1] != UInt8(ascii: "[") { open -= 1 }
        guard open > 1 else { return 0..<end } // no '[' before, or nothing before it
        return open..<(end - 1)
    }

    /// The matches of the `selecting` field rules in a value; `drop_body` and `drop_request`
    /// matches set `drops` instead.
    mutating func fieldMatches(_ text: [UInt8], _ selecting: [Int], _ drops: inout Drops) -> [RuleMatch] {
        guard !selecting.isEmpty else { return [] }
        return text.withUnsafeBytes { fieldMatches($0, selecting, &drops) }
    }

    mutating func fieldMatches(_ text: UnsafeRawBufferPointer, _ selecting: [Int], _ drops: inout Drops) -> [RuleMatch] {
        guard !selecting.isEmpty else { return [] }
        var out: [RuleMatch] = []
        for i in selecting {
            let found = engine.matches(in: text, rule: i, counters: &counts.prefilter)
            guard !found.isEmpty else { continue }
            switch engine.rules[i].action {
            case .drop_body: drops.body = true; drops.bodyRule = drops.bodyRule ?? i
            case .drop_request: drops.request = true; drops.requestRule = drops.requestRule ?? i
            default: out += found
            }
        }
        if out.count <= 1 { return out }
        out.sort { $0.range.lowerBound != $1.range.lowerBound ? $0.range.lowerBound < $1.range.lowerBound : $0.range.count > $1.range.count }
        var kept: [RuleMatch] = []
        for m in out where kept.last.map({ m.range.lowerBound >= $0.range.upperBound }) ?? true { kept.append(m) }
        return kept
    }

    /// Records `matches` in a value and, when redacting, rewrites it (`remove` of a whole
    /// member's value removes the member).
    mutating func apply(_ matches: [RuleMatch], to text: UnsafeRawBufferPointer, _ doc: Document, _ v: JSONValueRef, _ p: PayloadPlace,
                        _ place: inout Place, _ edits: inout JSONEdits, member: (key: JSONValueRef, object: JSONValueRef)?) {
        let channel = p.isURL ? Channel.url : p.channel
        record(matches, in: text, channel: channel, nodeId: nil, place: &place) { Redactor.pointer(doc, v) } timestamp: { doc.timestamp }
        guard mode == .redact else { return }
        write(rewritten(text, matches, channel: channel), at: v, doc, member: member, &edits)
    }

    /// Records what a reading of a payload value other than as written found and, when
    /// redacting, rewrites the value over the bytes each finding came from.
    mutating func apply(_ reading: DecodedReading, to text: UnsafeRawBufferPointer, _ doc: Document, _ v: JSONValueRef, _ p: PayloadPlace,
                        _ place: inout Place, _ edits: inout JSONEdits, member: (key: JSONValueRef, object: JSONValueRef)?) {
        if let out = applyDecoded(text, reading.view, rawMatches: reading.raw, reading.decoded, channel: p.channel, nodeId: nil, &place,
                                  pointer: { Redactor.pointer(doc, v) }, timestamp: { doc.timestamp }) {
            write(out, at: v, doc, member: member, &edits)
        }
    }

    /// Writes a payload value's rewritten text in place (`remove` of a whole member's value
    /// removes the member), as `write(_:at:_:_:)` does for the walker's strings.
    mutating func write(_ out: [UInt8], at v: JSONValueRef, _ doc: Document, member: (key: JSONValueRef, object: JSONValueRef)?,
                        _ edits: inout JSONEdits) {
        counts.stringsChanged += 1
        if out.isEmpty, let member, doc.json.kind(member.object) == .object {
            edits.removeMember(key: member.key, of: member.object, in: doc.json)
        } else {
            edits.replace(v, in: doc.json, withStringUTF8: out)
        }
    }

    /// Counts the finding of a `drop_body` or `drop_request` rule.
    mutating func countDrop(_ rule: Int, channel: Channel, _ doc: Document, _ v: JSONValueRef, _ place: inout Place) {
        // The finding's preview is empty: what was dropped is not shown, even masked.
        [UInt8]().withUnsafeBytes { t in
            record([RuleMatch(rule: rule, range: 0..<0, limited: false)], in: t, channel: channel, nodeId: nil, place: &place) {
                Redactor.pointer(doc, v)
            } timestamp: { doc.timestamp }
        }
        if mode == .redact { counts.stringsChanged += 1 }
    }

    static func pointer(_ doc: Document, _ v: JSONValueRef) -> String {
        let inner = doc.json.pointer(to: v).description
        guard doc.outer != nil else { return inner }
        return doc.outerPointer + "#" + inner
    }


    // MARK: content inside strings

    /// Reads JSON (an object or array) or form-encoded text inside a string, with the
    /// string's place as the root of what is inside.
    mutating func rewriteNested(_ text: UnsafeRawBufferPointer, _ doc: Document, _ v: JSONValueRef, _ path: inout PayloadPath,
                                _ p: PayloadPlace, _ drops: inout Drops, _ place: inout Place) -> NestedContent {
        let first = text.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        // A JSON string literal (console arguments are JSON-stringified) is read as JSON too,
        // so escapes inside it hide nothing.
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || (first == UInt8(ascii: "\"") && p.isConsolePayload) {
            let bytes = JSONBytes(text)
            // One tape per nesting level, reused: the document at a level is done with before
            // the next one at that level is read.
            guard var reader = try? EventReader(bytes: bytes, layout: .single, tape: nestedTapes[doc.depth]),
                  let inner = try? reader.next() else { return rewriteLines(text, bytes, doc, v, &path, p, &drops, &place) }
            let innerDoc = Document(json: inner, inside: doc, at: v)
            var innerEdits = JSONEdits()
            visit(innerDoc, inner.root, &path, p, &drops, &place, &innerEdits, member: nil)
            if innerEdits.isEmpty { return .unchanged }
            return .rewritten(JSONRewriter.apply(&innerEdits, to: bytes, range: inner.range))
        }
        // A textual data URL is no form, though its base64 ends in `=`: its text is read as a
        // browser reads it (`visitText`), not as a name with an empty value. Nor is a URL with a
        // query (`https://x.test/cb?token=...&sig=...`): read as a form, its first parameter's
        // name was `https://x.test/cb?token` and its value was read as no token's.
        guard p.isBody, FormEncoded.mayHold(text), !(DataURLText.startsWithData(text) && DataURLText.head(text) != nil),
              !URLText.startsAsURL(text), let form = FormEncoded(Array(text)) else { return .notStructured }
        var changed = false
        // Names are read too, by pattern rules: a name may be data (`invite[ana@shop.test]=on`),
        // and text that only looks form-encoded (`contact:ana@shop.test;v=2`) is all name.
        let out = form.joined(name: { pair -> [UInt8]? in
            let matches = pair.name.withUnsafeBytes { ruleMatches($0, p.channel) }
            guard !matches.isEmpty else { return nil }
            changed = true
            return pair.name.withUnsafeBytes { t -> [UInt8] in
                record(matches, in: t, channel: p.channel, nodeId: nil, place: &place) { Redactor.pointer(doc, v) } timestamp: { doc.timestamp }
                return mode == .redact ? rewritten(t, matches, channel: p.channel) : []
            }
        }) { pair -> [UInt8]? in
            pair.name.withUnsafeBytes { path.push(name: $0) }
            defer { path.pop() }
            let selecting = path.rules
            var matches = fieldMatches(pair.value, selecting, &drops)
            if matches.isEmpty {
                matches = pair.value.withUnsafeBytes { ruleMatches($0, p.channel) }
            }
            if matches.isEmpty {
                // A value read with its name, as a JSON member's with its key (`pwd=...`); of a
                // nested name (`user[password]`), its last part.
                matches = pair.value.withUnsafeBytes { v in
                    pair.name.withUnsafeBytes { memberMatches(v, name: UnsafeRawBufferPointer(rebasing: $0[Redactor.memberName(ofFormName: $0)]), channel: p.channel) }
                }
            }
            guard !matches.isEmpty else { return nil }
            changed = true
            return pair.value.withUnsafeBytes { t -> [UInt8] in
                record(matches, in: t, channel: p.channel, nodeId: nil, place: &place) { Redactor.pointer(doc, v) } timestamp: { doc.timestamp }
                return mode == .redact ? rewritten(t, matches, channel: p.channel) : []
            }
        }
        return changed ? .rewritten(out) : .unchanged
    }

    /// Text that is not one JSON document but JSON Lines (an NDJSON response, a stream of
    /// events): each line read as a document, so escapes inside hide nothing; the lines
    /// rewritten, the bytes between them kept. Not JSON Lines: plain text.
    mutating func rewriteLines(_ all: UnsafeRawBufferPointer, _ bytes: JSONBytes, _ doc: Document, _ v: JSONValueRef, _ path: inout PayloadPath,
                               _ p: PayloadPlace, _ drops: inout Drops, _ place: inout Place) -> NestedContent {
        guard var reader = try? EventReader(bytes: bytes, layout: .lines, tape: nestedTapes[doc.depth]), reader.layout == .lines else {
            return .notStructured
        }
        var out: [UInt8] = []
        var cursor = 0
        var changed = false
        while true {
            let next: JSONEvent?
            do { next = try reader.next() } catch { return .notStructured } // not JSON Lines after all
            guard let line = next else { break }
            var lineEdits = JSONEdits()
            visit(Document(json: line, inside: doc, at: v), line.root, &path, p, &drops, &place, &lineEdits, member: nil)
            guard !lineEdits.isEmpty else { continue }
            changed = true
            out += UnsafeRawBufferPointer(rebasing: all[cursor..<line.range.lowerBound])
            out += JSONRewriter.apply(&lineEdits, to: bytes, range: line.range)
            cursor = line.range.upperBound
        }
        guard changed else { return .unchanged }
        out += UnsafeRawBufferPointer(rebasing: all[cursor...])
        return .rewritten(out)
    }

    /// What `rewriteNested` found inside a string.
    enum NestedContent {
        /// Neither JSON nor form-encoded text: the string is read as text.
        case notStructured
        /// Structured content that nothing changed.
        case unchanged
        /// Structured content, rewritten.
        case rewritten([UInt8])
    }

    /// Field rules on URL parts (`query.<name>`, `userinfo`, `path`, `fragment`): the URL
    /// with the values they match rewritten (when redacting; as it is otherwise), and where
    /// in it those values are (`claimed`), so that pattern rules run over the URL leave them
    /// to the field rules in both modes: `audit` reports what `redact` rewrites, one finding
    /// for one value.
    mutating func rewriteURLParts(_ url: [UInt8], _ path: PayloadPath, _ p: PayloadPlace, _ doc: Document, _ v: JSONValueRef,
                                  _ drops: inout Drops, _ place: inout Place) -> (url: [UInt8], claimed: [Range<Int>]) {
        let rules = path.urlPartRules
        guard !rules.isEmpty, var parts = URLParts(url) else { return (url, []) }
        /// The value rewritten; nil when no rule takes it. A value already a selecting rule's
        /// output (a rescan of a redacted URL) is taken as it is, with no finding.
        func rewrite(_ value: [UInt8], _ part: (FieldPath.URLPart) -> Bool) -> [UInt8]? {
            let selecting = rules.filter { i in urlPartsOfRule[i].contains(where: part) }
            let matches = fieldMatches(value, selecting, &drops)
            guard !matches.isEmpty else {
                let done = !value.isEmpty && value.withUnsafeBytes { t in selecting.contains { Actions.isRedacted(t, by: engine.rules[$0]) } }
                return done ? value : nil
            }
            return value.withUnsafeBytes { t -> [UInt8] in
                record(matches, in: t, channel: .url, nodeId: nil, place: &place) { Redactor.pointer(doc, v) } timestamp: { doc.timestamp }
                return mode == .redact ? rewritten(t, matches, channel: .url) : t.map { $0 }
            }
        }
        var taken: [URLParts.Part] = []
        if let userinfo = parts.userinfo, let new = rewrite(userinfo, { $0 == .userinfo }) { parts.userinfo = new; taken.append(.userinfo) }
        if let new = rewrite(parts.path, { $0 == .path }) { parts.path = new; taken.append(.path) }
        if let fragment = parts.fragment, let new = rewrite(fragment, { $0 == .fragment }) { parts.fragment = new; taken.append(.fragment) }
        // Where the query's taken values stand in it.
        var takenValues: [Range<Int>] = []
        if let query = parts.query, let form = FormEncoded(query) {
            // `joined` says where a pair's value stands just after asking for it.
            var taking = false
            parts.query = form.joined({ pair in
                let value = rewrite(pair.value) { if case .query(let g) = $0 { return g.matches(pair.name) } else { return false } }
                taking = value != nil
                return value == pair.value ? nil : value
            }, valueAt: { _, range in if taking { takenValues.append(range) } })
        }
        var claimed: [Range<Int>] = []
        let out = parts.joined { part, range in
            if part == .query {
                claimed += takenValues.map { ($0.lowerBound + range.lowerBound)..<($0.upperBound + range.lowerBound) }
            } else if taken.contains(part) {
                claimed.append(range)
            }
        }
        return (out, claimed)
    }
}

extension EventWalker {
    /// A Sentry performance span of a fetch or XHR request.
    static func isSentryFetchSpan(_ e: JSONEvent, tag: [UInt8], payload: JSONValueRef) -> Bool {
        guard tag == Array("performanceSpan".utf8), e.kind(payload) == .object, let op = e.member("op", of: payload) else { return false }
        return e.string(op, equals: "resource.fetch") || e.string(op, equals: "resource.xhr")
    }
}
