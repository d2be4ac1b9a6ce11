import Foundation
import ScrubjayFormats
import ScrubjayPackage

/// What `inspect` says about a package: its manifest's facts and whether its checksums hold.
struct PackageInspection {
    let package: ReplayPackage
    let problems: [ChecksumProblem]
    /// Facts read from the events themselves (privacy markers, masked inputs).
    let profile: RecordingProfile?

    init(package: ReplayPackage, problems: [ChecksumProblem]) {
        self.package = package
        self.problems = problems
        // Only a package whose files hold is read further.
        self.profile = problems.isEmpty ? try? PackageInspection.profile(of: package) : nil
    }

    static func profile(of package: ReplayPackage) throws -> RecordingProfile {
        var profile = RecordingProfile(shape: .rrwebArray)
        for w in package.manifest.recording.windows {
            for (i, json) in try package.events(window: w).enumerated() {
                try profile.add(ReplayEvent(windowId: w.id, json: json, sourceIndex: i, line: i + 1))
            }
        }
        return profile
    }

    var text: String {
        let m = package.manifest
        let r = m.recording
        var lines = [
            "file:      \(package.path)",
            "format:    \(m.format) \(m.formatVersion) (fidelity \(m.fidelity)), from \(m.provenance.sourceShapes.joined(separator: ", "))",
            "recording: \(r.id)",
            "events:    \(r.eventCount)",
            "full snapshots: \(r.eventsByType["FullSnapshot", default: 0])",
        ]
        if let d = r.durationMs { lines.append("duration:  \(formatDuration(d))") }
        lines.append("windows:   \(r.windows.count)")
        for w in r.windows { lines.append("  \(w.id.isEmpty ? "(no window id)" : w.id)  \(w.eventCount) events  \(w.file)") }
        if !r.pageURLs.isEmpty {
            lines.append("page URLs:")
            for u in r.pageURLs { lines.append("  \(u)") }
        }
        lines.append("channels:  " + (r.channels.isEmpty ? "DOM only" : "DOM, " + r.channels.joined(separator: ", ")))
        let eventBytes = m.files.filter { $0.path.hasPrefix("events/") }.reduce(0) { $0 + $1.size }
        let assetBytes = m.files.filter { $0.path.hasPrefix("assets/") }.reduce(0) { $0 + $1.size }
        let referenced = m.assets.reduce(0) { $0 + $1.size * $1.references }
        lines.append("assets:    \(m.assets.count) (\(assetBytes) bytes stored; \(referenced) bytes before de-duplication)")
        lines.append("event bytes: \(eventBytes)")
        if let profile {
            let markers = profile.privacyMarkers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                + (profile.maskedInputs > 0 ? ["masked inputs \(profile.maskedInputs)"] : [])
            lines.append("record-time privacy markers: " + (markers.isEmpty ? "none found" : markers.joined(separator: ", ")))
        }
        lines.append("checksums: " + (problems.isEmpty ? "all \(m.files.count) files hold" : "\(problems.count) problem(s)"))
        for p in problems { lines.append("  \(p)") }
        if !r.eventsByType.isEmpty {
            lines.append("events by type:")
            for (k, v) in r.eventsByType.sorted(by: { $0.key < $1.key }) { lines.append("  \(k.padding(20)) \(v)") }
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        struct Out: Encodable {
            let file: String
            let manifest: PackageManifest
            let checksumsHold: Bool
            let checksumProblems: [String]
            let privacyMarkers: [String: Int]?
            let maskedInputs: Int?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(Out(file: package.path, manifest: package.manifest,
                                          checksumsHold: problems.isEmpty, checksumProblems: problems.map(\.description),
                                          privacyMarkers: profile?.privacyMarkers, maskedInputs: profile?.maskedInputs))
        return String(decoding: data, as: UTF8.self)
    }
}
