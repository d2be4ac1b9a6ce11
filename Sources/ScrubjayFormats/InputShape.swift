import ScrubjayJSON

/// The container a recording arrived in, detected from its content (never its file name).
/// Facts from ../shared/FORMATS.md [PostHog/posthog, rrweb-io/rrweb].
public enum InputShape: String, Sendable, CaseIterable {
    /// A JSON array of rrweb events (rrweb, Sentry Replay segments, Relay fixtures).
    case rrwebArray = "rrweb-json"
    /// JSON Lines, one rrweb event per line; an event may carry `windowId`.
    case rrwebLines = "rrweb-jsonl"
    /// One bare rrweb event object.
    case singleEvent = "rrweb-event"
    /// PostHog "Export to JSON", version 2023-04-28: `{"version","data":{"snapshots":[event + windowId]}}`.
    case posthogExport = "posthog-export-2023-04-28"
    /// PostHog "Export to JSON", version 2022-12-02: `{"data":{"snapshotsByWindowId":{w:[events]}}}`.
    case posthogExportLegacy = "posthog-export-2022-12-02"
    /// PostHog's oldest API shape: `{"result":[events]}`.
    case posthogResult = "posthog-api-result"
    /// PostHog's older API response: `{"next","snapshot_data_by_window_id":{w:[events]}}`.
    case posthogSnapshotsByWindow = "posthog-api-snapshots-by-window"
    /// PostHog blob_v2 JSON Lines: `[windowId, event]` per line.
    case posthogBlobV2 = "posthog-blob-v2"
    /// PostHog's older blob lines: `{"window_id"|"windowId": w, "data": [events]}` per line.
    case posthogWindowLines = "posthog-window-lines"

    /// A one-line description for error messages and `inspect`.
    public var summary: String {
        switch self {
        case .rrwebArray: return "a JSON array of rrweb events"
        case .rrwebLines: return "JSON Lines of rrweb events"
        case .singleEvent: return "one rrweb event object"
        case .posthogExport: return "PostHog Export to JSON (2023-04-28, \"snapshots\")"
        case .posthogExportLegacy: return "PostHog Export to JSON (2022-12-02, \"snapshotsByWindowId\")"
        case .posthogResult: return "PostHog API {\"result\": [events]}"
        case .posthogSnapshotsByWindow: return "PostHog API {\"snapshot_data_by_window_id\": {...}}"
        case .posthogBlobV2: return "PostHog blob_v2 JSON Lines ([windowId, event])"
        case .posthogWindowLines: return "PostHog blob lines ({\"window_id\", \"data\": [events]})"
        }
    }

    /// Every supported shape, one per line, for the "unknown shape" error.
    public static var supportedList: String {
        allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n")
    }
}
