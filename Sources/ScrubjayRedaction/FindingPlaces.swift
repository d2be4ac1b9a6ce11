import Foundation
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayRules

/// Where and when `redact` found things, for the report people read (docs/FORMAT.md, "The
/// redaction report", fields added in 1.2): findings per second of the recording, the pages
/// they were on, and the nodes of each window's first full snapshot that redaction rewrote.
///
/// Fed event by event beside the `Redactor`, from its finding counts before and after each
/// event, so the redactor itself does not change. Holds no value: times, masked page URLs
/// (`PageURL`), categories, counts and node ids.
public struct FindingPlaces {
    let engine: RuleEngine
    /// Findings by category, per event timestamp (whole milliseconds since the epoch).
    private var perMillisecond: [Int64: [String: Int]] = [:]
    private var untimed = 0
    /// The masked URL of the page each window is on.
    private var pageOfWindow: [String: String] = [:]
    private var pageIndex: [String: Int] = [:]
    public private(set) var pages: [RedactionReport.Page] = []
    /// Windows whose first full snapshot was seen (or looked for long enough).
    private var snapshotSeen: Set<String> = []
    public private(set) var snapshots: [RedactionReport.SnapshotChanges] = []

    /// A window's first full snapshot is looked for among its first this many events
    /// (recorders write it right after the Meta event).
    static let snapshotSearchLimit = 100
    /// Events larger than this are not read for a page URL (Meta events and page-view custom
    /// events are small; a full snapshot is not one).
    static let pageEventMaximumBytes = 64 << 10

    public init(engine: RuleEngine) { self.engine = engine }

    /// Before the redactor sees the event (its original bytes): for the first full snapshot
    /// of a window, records which nodes the rules will rewrite.
    public mutating func beforeRedaction(_ json: [UInt8], window: String, index: Int) {
        guard !snapshotSeen.contains(window) else { return }
        if index >= FindingPlaces.snapshotSearchLimit { snapshotSeen.insert(window); return }
        guard var reader = try? EventReader(bytes: JSONBytes(json)), let e = try? reader.next(),
              e.int("type", of: e.root) == RRWebEventType.fullSnapshot.rawValue else { return }
        snapshotSeen.insert(window)
        var audit = Redactor(engine: engine, mode: .audit, pseudonymKey: [], collectFindings: true)
        var edits = JSONEdits()
        audit.process(e, window: window, index: index, edits: &edits)
        snapshots.append(RedactionReport.SnapshotChanges(
            window: window, eventIndex: index, timestamp: e.double("timestamp", of: e.root),
            findings: audit.findings.count, nodeIds: Array(Set(audit.findings.compactMap(\.nodeId))).sorted()))
    }

    /// After the redactor processed the event (`json`: the event as it will be stored), with
    /// the redactor's finding counts from before and after it. `timestamp`: the event's
    /// `timestamp` in `json` when known (`Redactor.lastTimestamp`; `.some(nil)`: it has none),
    /// so that an event is read again only for a page URL or a rewritten timestamp.
    public mutating func afterRedaction(_ json: [UInt8], window: String, timestamp: Double?? = nil,
                                        before: Redactor.FindingMark, after: Redactor.FindingMark) {
        let found = after.total - before.total
        let mayBePage = json.count <= FindingPlaces.pageEventMaximumBytes
            && (bytes(json, contain: "\"href\"") || bytes(json, contain: "current_url\""))
        guard found > 0 || mayBePage else { return }
        var time = timestamp
        if mayBePage || time == nil {
            guard var reader = try? EventReader(bytes: JSONBytes(json)), let e = try? reader.next(), e.kind(e.root) == .object else { return }
            if mayBePage, let url = FindingPlaces.pageURL(e) { pageOfWindow[window] = PageURL.masked(url) }
            time = .some(e.double("timestamp", of: e.root))
        }
        guard found > 0 else { return }
        var byCategory: [String: Int] = [:]
        for r in after.byRule.indices where after.byRule[r] != before.byRule[r] {
            byCategory[engine.rules[r].category.rawValue, default: 0] += after.byRule[r] - before.byRule[r]
        }
        // A timestamp beyond what 64 bits of milliseconds hold (malformed input) is no time.
        if let t = time ?? nil, let ms = Int64(exactly: t.rounded(.down)) {
            perMillisecond[ms, default: [:]].merge(byCategory, uniquingKeysWith: +)
        } else {
            untimed += found
        }
        let url = pageOfWindow[window]
        let key = window + "\u{0}" + (url ?? "\u{0}")
        if pageIndex[key] == nil {
            pageIndex[key] = pages.count
            pages.append(RedactionReport.Page(url: url, window: window, findings: 0, byCategory: [:]))
        }
        let i = pageIndex[key]!
        pages[i].findings += found
        pages[i].byCategory.merge(byCategory, uniquingKeysWith: +)
    }

    /// The URL a Meta event (`data.href`) or a page-view custom event (`payload.href` or
    /// `payload.$current_url`) moves to, as `RecordingProfile` reads them.
    static func pageURL(_ e: JSONEvent) -> String? {
        guard let type = e.int("type", of: e.root), let data = e.member("data", of: e.root),
              e.kind(data) == .object else { return nil }
        var href: JSONValueRef?
        if type == RRWebEventType.meta.rawValue {
            href = e.member("href", of: data)
        } else if type == RRWebEventType.custom.rawValue, let payload = e.member("payload", of: data), e.kind(payload) == .object {
            href = e.member("href", of: payload) ?? e.member("$current_url", of: payload)
        }
        guard let href, e.kind(href) == .string else { return nil }
        return e.string(href)
    }

    /// Findings over time, in at most `RedactionReport.Timeline.maximumBuckets` buckets of a
    /// round width from `first` to `last` (the recording's first and last timestamps), or nil
    /// when the recording has no timestamps.
    public func timeline(first: Double?, last: Double?) -> RedactionReport.Timeline? {
        let times = perMillisecond.keys.sorted()
        // The recording's first timestamp when known (finding times are kept to the
        // millisecond, so the earliest one can sit just below a fractional first timestamp).
        // (A timestamp of a malformed recording can be infinite: such a one marks no time.)
        guard let startMs = [first, times.first.map(Double.init)].lazy.compactMap({ $0 }).first(where: \.isFinite) else {
            return untimed > 0 ? RedactionReport.Timeline(startTimestamp: 0, bucketMs: 0, buckets: [], untimed: untimed) : nil
        }
        let endMs = [last, times.last.map(Double.init)].compactMap({ $0 }).filter(\.isFinite).max() ?? startMs
        let duration = max(0, endMs - startMs)
        let width = RedactionReport.Timeline.bucketWidth(forDuration: duration)
        let count = max(1, Int((duration / width).rounded(.up)))
        var buckets = (0..<count).map { RedactionReport.Timeline.Bucket(offsetMs: Double($0) * width, findings: 0, byCategory: [:]) }
        for t in times {
            // Clamped before the conversion: a time far outside [start, end] is no valid Int.
            let i = Int(min(Double(count - 1), max(0, ((Double(t) - startMs) / width).rounded(.down))))
            let counts = perMillisecond[t]!
            buckets[i].findings += counts.values.reduce(0, +)
            buckets[i].byCategory.merge(counts, uniquingKeysWith: +)
        }
        return RedactionReport.Timeline(startTimestamp: startMs, bucketMs: width, buckets: buckets, untimed: untimed)
    }
}
