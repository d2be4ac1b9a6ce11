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
    /// Each rule's category, as an index into `RuleCategory.allCases`.
    private let categoryOfRule: [Int]
    private static let categories = RuleCategory.allCases
    /// Findings of one event with a timestamp: its whole milliseconds since the epoch and its
    /// counts by category (`categories.count` entries of `timedCounts` from `first`). Kept in
    /// a list and counted into buckets at the end, when the recording's time range is known.
    private var timed: [(ms: Int64, first: Int)] = []
    private var timedCounts: [Int] = []
    private var untimed = 0
    /// The masked URL of the page each window is on.
    private var pageOfWindow: [String: String] = [:]
    private var pageIndex: [PageKey: Int] = [:]
    /// The page the last event with findings was counted on (most follow one another).
    private var lastPage: (key: PageKey, index: Int)?
    /// Per page (in order of first finding): window, URL, findings, and counts by category
    /// (`categories.count` entries of `pageCounts` from `index * categories.count`).
    private var pageList: [(window: String, url: String?, findings: Int)] = []
    private var pageCounts: [Int] = []
    /// Windows whose first full snapshot was seen (or looked for long enough).
    private var snapshotSeen: Set<String> = []
    public private(set) var snapshots: [RedactionReport.SnapshotChanges] = []

    private struct PageKey: Hashable {
        let window: String
        let url: String?
    }

    /// The pages findings were made on, in order of their first finding.
    public var pages: [RedactionReport.Page] {
        pageList.enumerated().map { k, p in
            RedactionReport.Page(url: p.url, window: p.window, findings: p.findings,
                                 byCategory: FindingPlaces.byName(pageCounts, from: k * FindingPlaces.categories.count))
        }
    }

    /// The non-zero counts of `counts[from ..< from + categories.count]`, by category name.
    private static func byName(_ counts: [Int], from: Int) -> [String: Int] {
        var out: [String: Int] = [:]
        for (c, category) in categories.enumerated() where counts[from + c] != 0 { out[category.rawValue] = counts[from + c] }
        return out
    }

    /// A window's first full snapshot is looked for among its first this many events
    /// (recorders write it right after the Meta event).
    static let snapshotSearchLimit = 100
    /// Events larger than this are not read for a page URL (Meta events and page-view custom
    /// events are small; a full snapshot is not one).
    static let pageEventMaximumBytes = 64 << 10

    public init(engine: RuleEngine) {
        self.engine = engine
        categoryOfRule = engine.rules.map { r in FindingPlaces.categories.firstIndex(of: r.category)! }
    }

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
    /// the redactor's finding counts from before and after it. `type`: the event's `type` as
    /// the redactor read it (only Meta and custom events carry a page URL). `timestamp`: the
    /// event's `timestamp` in `json` when known (`Redactor.lastTimestamp`; `.some(nil)`: it
    /// has none), so that an event is read again only for a page URL or a rewritten timestamp.
    public mutating func afterRedaction(_ json: [UInt8], window: String, type: Int?, timestamp: Double?? = nil,
                                        before: Redactor.FindingMark, after: Redactor.FindingMark) {
        let found = after.total - before.total
        let mayBePage = (type == RRWebEventType.meta.rawValue || type == RRWebEventType.custom.rawValue)
            && json.count <= FindingPlaces.pageEventMaximumBytes
            && (bytes(json, contain: "\"href\"") || bytes(json, contain: "current_url\""))
        guard found > 0 || mayBePage else { return }
        var time = timestamp
        if mayBePage || time == nil {
            guard var reader = try? EventReader(bytes: JSONBytes(json)), let e = try? reader.next(), e.kind(e.root) == .object else { return }
            if mayBePage, let url = FindingPlaces.pageURL(e) { pageOfWindow[window] = PageURL.masked(url) }
            time = .some(e.double("timestamp", of: e.root))
        }
        guard found > 0 else { return }
        let n = FindingPlaces.categories.count
        // A timestamp beyond what 64 bits of milliseconds hold (malformed input) is no time.
        if let t = time ?? nil, let ms = Int64(exactly: t.rounded(.down)) {
            timed.append((ms, timedCounts.count))
            timedCounts.append(contentsOf: repeatElement(0, count: n))
            let base = timedCounts.count - n
            for r in after.byRule.indices where after.byRule[r] != before.byRule[r] {
                timedCounts[base + categoryOfRule[r]] += after.byRule[r] - before.byRule[r]
            }
        } else {
            untimed += found
        }
        let key = PageKey(window: window, url: pageOfWindow[window])
        let i: Int
        if let last = lastPage, last.key == key {
            i = last.index
        } else if let known = pageIndex[key] {
            i = known
        } else {
            i = pageList.count
            pageIndex[key] = i
            pageList.append((window, key.url, 0))
            pageCounts.append(contentsOf: repeatElement(0, count: n))
        }
        lastPage = (key, i)
        pageList[i].findings += found
        for r in after.byRule.indices where after.byRule[r] != before.byRule[r] {
            pageCounts[i * n + categoryOfRule[r]] += after.byRule[r] - before.byRule[r]
        }
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
        let earliest = timed.lazy.map(\.ms).min(), latest = timed.lazy.map(\.ms).max()
        // The recording's first timestamp when known (finding times are kept to the
        // millisecond, so the earliest one can sit just below a fractional first timestamp).
        // (A timestamp of a malformed recording can be infinite: such a one marks no time.)
        guard let startMs = [first, earliest.map(Double.init)].lazy.compactMap({ $0 }).first(where: \.isFinite) else {
            return untimed > 0 ? RedactionReport.Timeline(startTimestamp: 0, bucketMs: 0, buckets: [], untimed: untimed) : nil
        }
        let endMs = [last, latest.map(Double.init)].compactMap({ $0 }).filter(\.isFinite).max() ?? startMs
        // Two finite timestamps far apart (-1.7e308 and 1.7e308) span more than a Double holds:
        // such a span marks no time either, and every finding falls in one bucket.
        let span = endMs - startMs
        let duration = span.isFinite ? max(0, span) : 0
        let width = RedactionReport.Timeline.bucketWidth(forDuration: duration)
        let count = max(1, Int((duration / width).rounded(.up)))
        let n = FindingPlaces.categories.count
        var findings = [Int](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: count * n)
        for (t, from) in timed {
            // Clamped before the conversion: a time far outside [start, end] is no valid Int.
            let i = Int(min(Double(count - 1), max(0, ((Double(t) - startMs) / width).rounded(.down))))
            for c in 0..<n {
                findings[i] += timedCounts[from + c]
                counts[i * n + c] += timedCounts[from + c]
            }
        }
        let buckets = (0..<count).map {
            RedactionReport.Timeline.Bucket(offsetMs: Double($0) * width, findings: findings[$0], byCategory: FindingPlaces.byName(counts, from: $0 * n))
        }
        return RedactionReport.Timeline(startTimestamp: startMs, bucketMs: width, buckets: buckets, untimed: untimed)
    }
}
