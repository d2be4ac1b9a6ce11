import ScrubjayJSON

/// The replayable forms `export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// A JSON array of rrweb events (what rrweb-player takes).
    case rrwebJSON = "rrweb-json"
    /// One rrweb event per line.
    case rrwebJSONL = "rrweb-jsonl"
    /// PostHog "Export to JSON", version 2023-04-28 (every event with its `windowId`).
    case posthog
}

/// Turns a package back into a recording.
public enum Exporter {
    /// The recording in `format`. With `window`, only that window's events; otherwise every
    /// window, merged in timestamp order (stable: ties keep window, then file order).
    public static func export(_ package: ReplayPackage, format: ExportFormat, window: String? = nil) throws -> [UInt8] {
        var windows = package.manifest.recording.windows
        if let window {
            windows = windows.filter { $0.id == window }
            guard !windows.isEmpty else {
                let known = package.manifest.recording.windows.map { $0.id.isEmpty ? "\"\" (no id)" : $0.id }.joined(separator: ", ")
                throw PackageError(path: package.path, entry: nil, detail: "no window \"\(window)\"; windows: \(known)")
            }
        }
        return try export(package, format: format, windows: windows)
    }

    /// The recording of `windows` (entries of the package's manifest) in `format`: for a
    /// caller that goes through the windows one by one (no search by id each time).
    public static func export(_ package: ReplayPackage, format: ExportFormat, windows: [PackageManifest.Window]) throws -> [UInt8] {
        var all: [(time: Double, order: Int, window: String, json: [UInt8])] = []
        var order = 0
        for w in windows {
            for e in try package.events(window: w) {
                all.append((PackageWriter.timestamp(e) ?? -.infinity, order, w.id, e))
                order += 1
            }
        }
        if windows.count > 1 { all.sort { ($0.time, $0.order) < ($1.time, $1.order) } }

        var out: [UInt8] = []
        switch format {
        case .rrwebJSON:
            out.append(UInt8(ascii: "["))
            for (i, e) in all.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += e.json
            }
            out.append(UInt8(ascii: "]"))
        case .rrwebJSONL:
            for e in all { out += e.json; out.append(0x0A) }
        case .posthog:
            out += Array(#"{"version":"2023-04-28","data":{"id":"#.utf8)
            out += JSONString.encode(package.manifest.recording.id)
            out += Array(#","person":null,"snapshots":["#.utf8)
            for (i, e) in all.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += try withWindowId(e.json, e.window)
            }
            out += Array("]}}".utf8)
        }
        return out
    }

    /// The event object with a `windowId` member added (unless it has one already).
    static func withWindowId(_ json: [UInt8], _ window: String) throws -> [UInt8] {
        var r = try EventReader(bytes: JSONBytes(json))
        guard let e = try r.next(), e.kind(e.root) == .object, e.member("windowId", of: e.root) == nil,
              let close = json.lastIndex(of: UInt8(ascii: "}")) else { return json }
        var out = Array(json[..<close])
        if !e.members(of: e.root).isEmpty { out.append(UInt8(ascii: ",")) }
        out += Array(#""windowId":"#.utf8) + JSONString.encode(window)
        out += json[close...]
        return out
    }
}
