import Foundation
import ScrubjayFormats
import ScrubjayIO
import ScrubjayJSON
import ScrubjayNative

/// How much of a recording a package keeps.
public enum Fidelity: String, Sendable, CaseIterable {
    /// Every event, every asset.
    case full
    /// A smaller package for quick review: pointer movement (MouseMove, TouchMove, Drag) thinned
    /// to at most one event per `summaryPointerInterval` ms per window, and inline media
    /// dropped (the reference and its size stay in the manifest).
    case summary

    /// Minimum time between two kept pointer-movement events in a summary package, in ms.
    public static let summaryPointerInterval: Double = 100
}

/// What `pack` is told beyond its inputs.
public struct PackOptions: Sendable {
    public var recordingId: String?
    public var ingestHost: String?
    public var storageEndpoint: String?
    public var storageRegion: String?
    public var fidelity: Fidelity = .full
    /// The creation time; defaults to SOURCE_DATE_EPOCH when set, else now.
    public var createdAt: Date?
    public var toolVersion: String = "0.0.0"

    public init() {}
}

/// Builds a package from recordings in any supported container.
public struct PackageWriter {
    public let options: PackOptions

    public init(options: PackOptions) { self.options = options }

    /// Called with each kept event before it is profiled and stored, the event as the decoder
    /// read it when that stands for its JSON (`RecordingInputs.forEachEvent(scanned:)`, valid
    /// only during the call), and its 0-based position in its window's events file; it may
    /// rewrite the event (`redact` does).
    public typealias EventTransform = (_ event: inout ReplayEvent, _ scanned: JSONEvent?, _ indexInWindow: Int) throws -> Void

    /// A package built in memory.
    public struct Built {
        public var manifest: PackageManifest
        /// The package's files, `manifest.json` first.
        public var entries: [ArchiveEntry]
        /// The inputs that were packages (what a redaction statement records of them).
        public var inputPackages: [RecordingInputs.InputPackage]
    }

    /// The package's entries (manifest first) for the recordings at `paths`.
    ///
    /// When an input is itself a package, its recording id, storage facts, source system and
    /// fidelity carry over unless `options` says otherwise.
    public func build(inputs paths: [String], transform: EventTransform? = nil) throws -> Built {
        // Each window's JSON Lines, written as the events come (no array per event kept).
        var windows: [String: WindowLines] = [:]
        var windowOrder: [String] = []
        var profile = RecordingProfile(shape: .rrwebArray)
        var assets = AssetStore()
        var lastPointer: [String: Double] = [:]
        var reader = RecordingInputs(paths: paths)
        var fidelity = options.fidelity

        // Two stages on two threads (`HandOff`): reading and transforming (redaction) here;
        // profiling the kept events and writing them into their window's file beside it.
        var kept: [String: Int] = [:]
        try HandOff.run(produce: { keep in
            try reader.forEachEvent { original, scanned in
                var event = original
                let window = event.windowId ?? ""
                if fidelity == .summary, let t = PackageWriter.pointerTimestamp(event.json) {
                    if let last = lastPointer[window], t - last < Fidelity.summaryPointerInterval { return }
                    lastPointer[window] = t
                }
                if let transform {
                    try transform(&event, scanned, kept[window] ?? 0)
                    if event.isDropped { return }
                }
                kept[window, default: 0] += 1
                try keep(event)
            }
        }, consume: { (event: ReplayEvent) in
            let window = event.windowId ?? ""
            try profile.add(event)
            var json = PackageWriter.singleLine(event.json)
            json = try assets.extract(from: json)
            if windows[window] == nil { windowOrder.append(window) }
            windows[window, default: WindowLines()].append(json)
        })
        let shapes = reader.shapes
        let inputs = reader.files
        let earlier = reader.packageManifests.first
        if reader.packageManifests.contains(where: { $0.fidelity == Fidelity.summary.rawValue }) { fidelity = .summary }
        profile.shape = InputShape(rawValue: shapes.first ?? "") ?? .rrwebArray

        // Files: one JSON Lines file per window, then assets.
        var entries: [ArchiveEntry] = []
        var files: [PackageManifest.FileEntry] = []
        var manifestWindows: [PackageManifest.Window] = []
        var usedNames: Set<String> = []
        for w in windowOrder {
            var name = PackageWriter.fileName(forWindow: w)
            var n = 2
            while usedNames.contains(name) { name = PackageWriter.fileName(forWindow: w) + "-\(n)"; n += 1 }
            usedNames.insert(name)
            let path = "events/\(name).jsonl"
            let lines = windows.removeValue(forKey: w)!
            let data = lines.bytes, eventCount = lines.events
            entries.append(ArchiveEntry(path: path, data: data))
            files.append(.init(path: path, sha256: Hex.encode(Digest.sha256(data)), size: data.count))
            // The profile saw every kept event, so it holds each window's time range already.
            let stats = profile.window(w)
            manifestWindows.append(.init(id: w, file: path, eventCount: eventCount,
                                         firstTimestamp: finite(stats?.firstTimestamp), lastTimestamp: finite(stats?.lastTimestamp)))
        }
        var manifestAssets: [PackageManifest.Asset] = []
        for hash in assets.order {
            let a = assets.stored[hash]!
            var path: String?
            if fidelity == .full {
                let p = "assets/\(hash).\(AssetStore.fileExtension(a.mediaType))"
                entries.append(ArchiveEntry(path: p, data: a.data))
                files.append(.init(path: p, sha256: hash, size: a.data.count))
                path = p
            }
            manifestAssets.append(.init(sha256: hash, path: path, mediaType: a.mediaType, size: a.data.count, references: a.references))
        }

        let census = profile.census
        let recordingId = options.recordingId ?? earlier?.recording.id ?? String(Hex.encode(Digest.sha256(Array(inputs.map(\.sha256).joined().utf8))).prefix(16))
        let manifest = PackageManifest(
            recording: .init(
                id: recordingId, windows: manifestWindows,
                firstTimestamp: finite(census.firstTimestamp), lastTimestamp: finite(census.lastTimestamp),
                durationMs: finite(census.durationMilliseconds), eventCount: census.total,
                eventsByType: Dictionary(uniqueKeysWithValues: census.byType.map { (RRWebEventType(rawValue: $0.key)?.name ?? "type \($0.key)", $0.value) }),
                incrementalBySource: Dictionary(uniqueKeysWithValues: census.bySource.map { (RRWebIncrementalSource(rawValue: $0.key)?.name ?? "source \($0.key)", $0.value) }),
                pageURLs: profile.pageURLs, channels: profile.channels.sorted(),
                recorder: nil),
            provenance: .init(
                sourceSystem: earlier.map(\.provenance.sourceSystem) ?? PackageWriter.sourceSystem(shapes),
                sourceShapes: earlier.map(\.provenance.sourceShapes) ?? shapes, inputs: inputs,
                ingestHost: options.ingestHost ?? earlier?.provenance.ingestHost,
                storageEndpoint: options.storageEndpoint ?? earlier?.provenance.storageEndpoint,
                storageRegion: options.storageRegion ?? earlier?.provenance.storageRegion,
                tool: .init(name: "scrubjay", version: options.toolVersion),
                createdAt: PackageWriter.timestampString(options.createdAt ?? PackageWriter.defaultCreationDate())),
            fidelity: fidelity.rawValue,
            files: files.sorted { $0.path < $1.path },
            assets: manifestAssets)
        let manifestEntry = ArchiveEntry(path: "manifest.json", data: try PackageManifest.encode(manifest))
        return Built(manifest: manifest, entries: [manifestEntry] + entries, inputPackages: reader.packages)
    }

    /// Packs the recordings at `paths` into a ZIP at `output`, written atomically.
    @discardableResult
    public func write(inputs paths: [String], to output: String) throws -> PackageManifest {
        let built = try build(inputs: paths)
        try Archive.write(built.entries, format: .zip, to: output)
        return built.manifest
    }

    // MARK: helpers

    static func sourceSystem(_ shapes: [String]) -> String {
        if shapes.contains(where: { $0.hasPrefix("posthog") }) { return "posthog" }
        if shapes == ["scrubjay-package"] { return "unknown" }
        return shapes.isEmpty ? "unknown" : "rrweb"
    }

    /// SOURCE_DATE_EPOCH (reproducible builds) when set, else now.
    static func defaultCreationDate() -> Date {
        if let s = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let t = TimeInterval(s) {
            return Date(timeIntervalSince1970: t)
        }
        return Date()
    }

    /// `date` as RFC 3339 UTC, whole seconds (`2026-01-01T00:00:00Z`): how packages and
    /// statements write times.
    public static func timestampString(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// An RFC 3339 time, with or without fractional seconds, or nil: how times written by
    /// packages, statements, trust files and policies are read.
    public static func parseTimestamp(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    /// A window id as a file name: letters, digits, '.', '_' and '-' kept, others '_'; "main" when empty.
    static func fileName(forWindow id: String) -> String {
        if id.isEmpty { return "main" }
        let safe = String(id.unicodeScalars.map { c -> Character in
            (("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "." || c == "_" || c == "-")
                ? Character(c) : "_"
        }.prefix(100))
        return safe.hasPrefix(".") ? "_" + safe.dropFirst() : safe
    }

    /// One window's events file as it is written: JSON Lines.
    struct WindowLines {
        var bytes: [UInt8] = []
        var events = 0
        mutating func append(_ json: [UInt8]) {
            bytes += json
            bytes.append(0x0A)
            events += 1
        }
    }

    /// The event with newlines and indentation outside strings removed, so it fits on one line
    /// (a raw newline can only be whitespace: JSON strings cannot hold one). Unchanged otherwise.
    static func singleLine(_ json: [UInt8]) -> [UInt8] {
        let multiline = json.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return false }
            return memchr(base, 0x0A, b.count) != nil || memchr(base, 0x0D, b.count) != nil
        }
        guard multiline else { return json }
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var inString = false
        var escaped = false
        for b in json {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            } else if b == 0x22 {
                inString = true
                out.append(b)
            } else if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 {
                out.append(b)
            }
        }
        return out
    }

    /// The `timestamp` of an event's JSON.
    static func timestamp(_ json: [UInt8]) -> Double? {
        guard var r = try? EventReader(bytes: JSONBytes(json)), let e = try? r.next() else { return nil }
        return e.double("timestamp", of: e.root)
    }

    /// The timestamp of a pointer-movement event (MouseMove, TouchMove, Drag), else nil.
    static func pointerTimestamp(_ json: [UInt8]) -> Double? {
        guard var r = try? EventReader(bytes: JSONBytes(json)), let e = try? r.next(),
              e.int("type", of: e.root) == RRWebEventType.incrementalSnapshot.rawValue,
              let data = e.member("data", of: e.root), let source = e.int("source", of: data),
              [RRWebIncrementalSource.mouseMove, .touchMove, .drag].map(\.rawValue).contains(source) else { return nil }
        return e.double("timestamp", of: e.root)
    }
}

extension PackageManifest {
    /// The manifest as JSON: keys sorted, two-space indentation, so the same facts give the same bytes.
    public static func encode(_ manifest: PackageManifest) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(manifest)) + [0x0A]
    }
}

/// A time for the manifest: a timestamp too large for a Double (a recording's own, malformed)
/// is infinite, which JSON cannot hold; the manifest leaves it out, as it does an absent one.
private func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
