import Foundation

/// `manifest.json` of a Scrubjay package (docs/FORMAT.md, schema in
/// docs/schemas/package-manifest.schema.json). Codable: small, written once per package.
public struct PackageManifest: Codable, Sendable, Equatable {
    /// Always "scrubjay-package".
    public var format: String = PackageManifest.formatName
    /// "MAJOR.MINOR" of the package format this manifest follows.
    public var formatVersion: String = PackageManifest.currentVersion
    public var recording: Recording
    public var provenance: Provenance
    /// "full", or "summary" (pointer movement thinned, inline media dropped).
    public var fidelity: String
    /// Every other file of the package, with its SHA-256 (lower-case hex) and size in bytes.
    public var files: [FileEntry]
    /// Large inline data moved out of the events (or, in a summary package, dropped).
    public var assets: [Asset]

    public static let formatName = "scrubjay-package"
    public static let currentVersion = "1.0"

    public struct Recording: Codable, Sendable, Equatable {
        public var id: String
        public var windows: [Window]
        /// Milliseconds since the epoch (the unit rrweb writes), or null when no event has one.
        public var firstTimestamp: Double?
        public var lastTimestamp: Double?
        public var durationMs: Double?
        public var eventCount: Int
        /// Events by rrweb type name ("FullSnapshot", ...).
        public var eventsByType: [String: Int]
        /// IncrementalSnapshot events by source name ("Mutation", ...).
        public var incrementalBySource: [String: Int]
        /// Page URLs from Meta events and page-view custom events, in order of appearance.
        public var pageURLs: [String]
        /// Channels beyond the DOM: network, console, custom events, mobile.
        public var channels: [String]
        /// The recorder or SDK when the input says so (e.g. "posthog-js"), else null.
        public var recorder: String?
    }

    public struct Window: Codable, Sendable, Equatable {
        /// The window id as the input gave it ("" when it gave none).
        public var id: String
        /// The JSON Lines file holding its events.
        public var file: String
        public var eventCount: Int
        public var firstTimestamp: Double?
        public var lastTimestamp: Double?
    }

    public struct Provenance: Codable, Sendable, Equatable {
        /// "posthog", "rrweb", "sentry" or "unknown" (from the input shape).
        public var sourceSystem: String
        /// The input shape ids (`InputShape.rawValue`).
        public var sourceShapes: [String]
        /// The files read, by base name, with their SHA-256 and size.
        public var inputs: [FileEntry]
        public var ingestHost: String?
        public var storageEndpoint: String?
        public var storageRegion: String?
        public var tool: Tool
        /// UTC, ISO 8601, honouring SOURCE_DATE_EPOCH.
        public var createdAt: String
    }

    public struct Tool: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
    }

    public struct FileEntry: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var size: Int

        public init(path: String, sha256: String, size: Int) {
            self.path = path
            self.sha256 = sha256
            self.size = size
        }
    }

    public struct Asset: Codable, Sendable, Equatable {
        /// SHA-256 of the asset's bytes (the decoded data, not the data URL).
        public var sha256: String
        /// The asset file, or null when a summary package dropped it.
        public var path: String?
        public var mediaType: String
        /// Decoded size in bytes.
        public var size: Int
        /// How many event values referred to it.
        public var references: Int
    }
}
