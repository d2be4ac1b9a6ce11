import Foundation
import ScrubjayFormats
import ScrubjayIO
import ScrubjayPackage
import ScrubjayProvenance

/// What `inspect` says about a package: its manifest's facts and whether its checksums hold.
struct PackageInspection {
    let package: ReplayPackage
    let problems: [ChecksumProblem]
    /// Facts read from the events themselves (privacy markers, masked inputs).
    let profile: RecordingProfile?

    /// The signed statement, summarised: who signed (key ids, unverified) and whether its
    /// subjects match the files. Nil when the package has none.
    let statement: StatementSummary?

    struct StatementSummary: Encodable {
        let signers: [String]
        let coverageProblems: [String]
        let unreadable: String?
    }

    init(package: ReplayPackage, problems: [ChecksumProblem]) {
        self.package = package
        self.problems = problems
        self.statement = PackageInspection.statement(of: package)
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

    static func statement(of package: ReplayPackage) -> StatementSummary? {
        do {
            guard let envelope = try PackageStatement.envelope(in: package) else { return nil }
            guard let payload = envelope.payloadBytes,
                  let header = try? JSONDecoder().decode(PackageStatement.Header.self, from: Data(payload)) else {
                return StatementSummary(signers: envelope.signatures.map(\.keyid), coverageProblems: [], unreadable: "the payload is not an in-toto statement")
            }
            return StatementSummary(signers: envelope.signatures.map(\.keyid),
                                    coverageProblems: PackageStatement.coverageProblems(subjects: header.subject, files: package.files),
                                    unreadable: nil)
        } catch {
            return StatementSummary(signers: [], coverageProblems: [], unreadable: "\(error)")
        }
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
            for u in maskedPageURLs(r.pageURLs) { lines.append("  \(u)") }
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
        if let statement {
            if let why = statement.unreadable {
                lines.append("statement: \(PackageStatement.path) unreadable: \(why)")
            } else {
                lines.append("statement: \(statement.signers.count) signature(s), key ids \(statement.signers.joined(separator: ", ")) (not verified here)")
                lines.append("  covers: " + (statement.coverageProblems.isEmpty ? "every other file, digests match" : "\(statement.coverageProblems.count) problem(s)"))
                for p in statement.coverageProblems { lines.append("    \(p)") }
            }
        } else {
            lines.append("statement: none (unsigned)")
        }
        if !r.eventsByType.isEmpty {
            lines.append("events by type:")
            for (k, v) in r.eventsByType.sorted(by: { $0.key < $1.key }) { lines.append("  \(k.padding(20)) \(v)") }
        }
        // Names and values from the package's manifest: control characters escaped.
        return lines.map(DisplayText.escapingControls).joined(separator: "\n")
    }

    var json: String {
        struct Out: Encodable {
            let file: String
            let manifest: PackageManifest
            let checksumsHold: Bool
            let checksumProblems: [String]
            let privacyMarkers: [String: Int]?
            let maskedInputs: Int?
            let statement: StatementSummary?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(Out(file: package.path, manifest: package.manifest,
                                          checksumsHold: problems.isEmpty, checksumProblems: problems.map(\.description),
                                          privacyMarkers: profile?.privacyMarkers, maskedInputs: profile?.maskedInputs,
                                          statement: statement))
        return String(decoding: data, as: UTF8.self)
    }
}
