import ScrubjayJSON

/// Counts what a stream of rrweb events holds: events by type and by incremental source,
/// and the first and last timestamps. Fed one scanned event at a time; reads only the
/// `type`, `timestamp` and `data.source` members, never the rest of the event.
///
/// Values that are not rrweb events (no numeric `type`) are counted as `unrecognized`:
/// the container formats (PostHog exports, blob lines) are unwrapped by the format
/// readers, not here.
public struct EventCensus: Sendable, Equatable {
    /// All values seen.
    public private(set) var total = 0
    /// Events by `type` number.
    public private(set) var byType: [Int: Int] = [:]
    /// Incremental snapshot events by `data.source` number.
    public private(set) var bySource: [Int: Int] = [:]
    /// Values that are not objects with a numeric `type`.
    public private(set) var unrecognized = 0
    /// Smallest and largest `timestamp` (milliseconds since the epoch).
    public private(set) var firstTimestamp: Double?
    public private(set) var lastTimestamp: Double?

    /// An empty census.
    public init() {}

    /// Counts one event.
    public mutating func add(_ event: JSONEvent) {
        total += 1
        let root = event.root
        guard event.kind(root) == .object, let typeRef = event.member("type", of: root),
              let type = event.int(typeRef) else {
            unrecognized += 1
            return
        }
        byType[type, default: 0] += 1
        if let ts = event.double("timestamp", of: root) {
            firstTimestamp = min(firstTimestamp ?? ts, ts)
            lastTimestamp = max(lastTimestamp ?? ts, ts)
        }
        if type == RRWebEventType.incrementalSnapshot.rawValue,
           let data = event.member("data", of: root),
           let source = event.int("source", of: data) {
            bySource[source, default: 0] += 1
        }
    }

    /// Milliseconds between the first and last timestamp.
    public var durationMilliseconds: Double? {
        guard let a = firstTimestamp, let b = lastTimestamp else { return nil }
        return b - a
    }
}
