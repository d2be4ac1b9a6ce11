import ScrubjayJSON

/// What a recording holds, gathered event by event: the facts `inspect` prints.
public struct RecordingProfile: Sendable, Equatable {
    /// The container it arrived in.
    public var shape: InputShape
    /// Events by type, source and time.
    public var census = EventCensus()
    /// One window's share of the recording.
    public struct WindowStats: Sendable, Equatable {
        /// The window id ("" for events without a window).
        public var id: String
        public var events: Int
        /// Smallest and largest event `timestamp` in the window.
        public var firstTimestamp: Double?
        public var lastTimestamp: Double?
    }
    /// Events per window, in order of first appearance.
    public private(set) var windows: [WindowStats] = []
    /// The position of each window in `windows` (a file may hold tens of thousands).
    private var windowIndex: [String: Int] = [:]
    /// Page URLs seen in Meta events and PostHog `$pageview` / `$url_changed` custom events,
    /// in order of first appearance.
    public private(set) var pageURLs: [String] = []
    private var pageURLSet: Set<String> = []
    /// Channels beyond the DOM: "network", "console", "custom events", "mobile", and other plugin names.
    public private(set) var channels: Set<String> = []
    /// Record-time privacy markers found in class attributes, with how often.
    public private(set) var privacyMarkers: [String: Int] = [:]
    /// Hosts that network requests went to (network plugin requests, Sentry fetch and XHR
    /// spans), with how many requests each. Hosts only: never paths or queries.
    public private(set) var networkHosts: [String: Int] = [:]
    /// Console messages by level (console plugin and rrweb 1.x log events).
    public private(set) var consoleLevels: [String: Int] = [:]
    /// Input events whose typed text is already masked (`*` only).
    public private(set) var maskedInputs = 0

    /// Class names and attributes that recorders treat as privacy markers [FORMATS.md].
    public static let markerClasses: Set<String> = [
        "ph-no-capture", "ph-mask", "ph-ignore-input", "rr-block", "rr-mask", "rr-ignore",
        "fs-exclude", "fs-mask", "sentry-block", "sentry-mask", "sentry-ignore",
    ]
    public static let markerAttributes: Set<String> = ["data-private", "data-openreplay-obscured"]

    /// The statistics of window `id`, if it holds events.
    public func window(_ id: String) -> WindowStats? { windowIndex[id].map { windows[$0] } }

    /// An empty profile for a recording of `shape`.
    public init(shape: InputShape) { self.shape = shape }

    /// Reads a whole recording.
    public static func of(_ decoder: RecordingDecoder) throws -> RecordingProfile {
        var profile = RecordingProfile(shape: decoder.shape)
        try decoder.forEachEvent(scanned: { try profile.add($0, scanned: $1) })
        return profile
    }

    /// Adds one event; `scanned`, when given, is the event as the decoder read it (its JSON is
    /// then not read again: `RecordingDecoder.forEachEvent(scanned:)`).
    public mutating func add(_ event: ReplayEvent, scanned: JSONEvent? = nil) throws {
        let w = event.windowId ?? ""
        var index = windowIndex[w]
        if index == nil {
            windows.append(WindowStats(id: w, events: 0))
            index = windows.count - 1
            windowIndex[w] = index
        }
        windows[index!].events += 1
        if let scanned { return add(scanned, window: index!) }
        var reader = try EventReader(bytes: JSONBytes(event.json))
        if let e = try reader.next() { add(e, window: index!) }
    }

    /// Adds what event `e`, of the window at `index` in `windows`, tells.
    private mutating func add(_ e: JSONEvent, window index: Int) {
        census.add(e)
        let root = e.root
        if let ts = e.double("timestamp", of: root) {
            windows[index].firstTimestamp = min(windows[index].firstTimestamp ?? ts, ts)
            windows[index].lastTimestamp = max(windows[index].lastTimestamp ?? ts, ts)
        }
        guard let type = e.int("type", of: root), let data = e.member("data", of: root) else { return }
        switch RRWebEventType(rawValue: type) {
        case .meta?:
            if let href = e.member("href", of: data), e.kind(href) == .string { addURL(e.string(href)) }
        case .custom?:
            channels.insert("custom events")
            if let tag = e.member("tag", of: data), e.string(tag, equals: "performanceSpan"),
               let payload = e.member("payload", of: data), e.kind(payload) == .object,
               let op = e.member("op", of: payload), e.kind(op) == .string, e.string(op).hasPrefix("resource."),
               let url = e.member("description", of: payload), e.kind(url) == .string {
                addRequest(e.string(url))
            }
            if let payload = e.member("payload", of: data), e.kind(payload) == .object,
               let href = e.member("href", of: payload) ?? e.member("$current_url", of: payload), e.kind(href) == .string {
                addURL(e.string(href))
            }
        case .plugin?:
            if let plugin = e.member("plugin", of: data), e.kind(plugin) == .string {
                let name = e.string(plugin)
                channels.insert(name.hasPrefix("rrweb/network") ? "network" : name.hasPrefix("rrweb/console") ? "console" : name)
                guard let payload = e.member("payload", of: data), e.kind(payload) == .object else { break }
                if e.withText(plugin, { bytes($0, contain: "network") }), let requests = e.member("requests", of: payload), e.kind(requests) == .array {
                    for r in e.children(of: requests) where e.kind(r) == .object {
                        if let url = e.member("name", of: r) ?? e.member("url", of: r), e.kind(url) == .string { addRequest(e.string(url)) }
                    }
                }
                if e.withText(plugin, { bytes($0, contain: "console") }), let level = e.member("level", of: payload), e.kind(level) == .string {
                    consoleLevels[e.string(level), default: 0] += 1
                }
            }
        case .fullSnapshot?, .incrementalSnapshot?:
            if type == RRWebEventType.fullSnapshot.rawValue, e.member("wireframes", of: data) != nil { channels.insert("mobile") }
            if type == RRWebEventType.incrementalSnapshot.rawValue, RecordingProfile.isMobileMutation(e, data) { channels.insert("mobile") }
            if type == RRWebEventType.incrementalSnapshot.rawValue,
               e.int("source", of: data) == RRWebIncrementalSource.input.rawValue,
               let text = e.member("text", of: data), e.kind(text) == .string {
                let t = e.string(text)
                if !t.isEmpty && t.allSatisfy({ $0 == "*" }) { maskedInputs += 1 }
            }
            if type == RRWebEventType.incrementalSnapshot.rawValue, e.int("source", of: data) == RRWebIncrementalSource.log.rawValue {
                channels.insert("console")
                if let level = e.member("level", of: data), e.kind(level) == .string { consoleLevels[e.string(level), default: 0] += 1 }
            }
            findMarkers(e)
        default:
            break
        }
    }

    /// A mobile wireframe mutation: `adds` or `updates` entries carrying a `wireframe` [FORMATS.md].
    static func isMobileMutation(_ e: JSONEvent, _ data: JSONValueRef) -> Bool {
        for name in ["adds", "updates"] as [StaticString] {
            guard let list = e.member(name, of: data), e.kind(list) == .array else { continue }
            if let first = e.children(of: list).first, e.kind(first) == .object, e.member("wireframe", of: first) != nil {
                return true
            }
        }
        return false
    }

    private mutating func addRequest(_ url: String) {
        networkHosts[URLHost.of(url) ?? "(relative URLs)", default: 0] += 1
    }

    private mutating func addURL(_ url: String) {
        if pageURLSet.insert(url).inserted { pageURLs.append(url) }
    }

    /// Looks at every `attributes` object of the event for marker classes and attributes:
    /// along the tape, each key named `attributes` whose value is an object (no walk with
    /// paths: every snapshot and mutation passes here).
    private mutating func findMarkers(_ e: JSONEvent) {
        var i = 0
        let count = e.tokenCount
        while i + 1 < count {
            let t = e.token(i)
            let key = JSONValueRef(index: i), v = JSONValueRef(index: i + 1)
            i += 1
            guard t.kind == .string, t.isKey, e.kind(v) == .object, e.string(key, equals: "attributes") else { continue }
            // Names and values are made Strings only where a marker may be: every marker
            // attribute starts with `data-`, and every marker class has a `-`.
            for (name, value) in e.membersInPlace(of: v) {
                if e.string(name, equals: "class") {
                    guard e.kind(value) == .string, e.withText(value, { $0.contains(UInt8(ascii: "-")) }) else { continue }
                    for c in e.string(value).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
                    where RecordingProfile.markerClasses.contains(String(c)) {
                        privacyMarkers[String(c), default: 0] += 1
                    }
                } else if e.withText(name, { $0.starts(with: "data-".utf8) }) {
                    let attribute = e.string(name)
                    if RecordingProfile.markerAttributes.contains(attribute) { privacyMarkers[attribute, default: 0] += 1 }
                }
            }
        }
    }
}
