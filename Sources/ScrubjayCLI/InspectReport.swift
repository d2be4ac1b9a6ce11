import ScrubjayFormats
import ScrubjayRedaction
import ScrubjayJSON

/// What `inspect` found in one file, with its text and JSON renderings.
struct InspectReport {
    var path: String
    var bytes: Int
    var profile: RecordingProfile
    var census: EventCensus { profile.census }

    static func make(path: String) throws -> InspectReport {
        let bytes = try JSONBytes(contentsOfFile: path)
        let profile = try RecordingProfile.of(RecordingDecoder(bytes: bytes))
        return InspectReport(path: path, bytes: bytes.count, profile: profile)
    }

    private var windowRows: [(String, Int)] {
        profile.windows.map { ($0.id.isEmpty ? "(no window id)" : $0.id, $0.events) }
    }

    private var typeRows: [(String, Int)] {
        census.byType.sorted { $0.key < $1.key }.map { (RRWebEventType(rawValue: $0.key)?.name ?? "type \($0.key)", $0.value) }
    }

    private var sourceRows: [(String, Int)] {
        census.bySource.sorted { $0.key < $1.key }.map { (RRWebIncrementalSource(rawValue: $0.key)?.name ?? "source \($0.key)", $0.value) }
    }

    var text: String {
        var lines = [
            "file:      \(path)",
            "format:    \(profile.shape.rawValue) (\(profile.shape.summary))",
            "bytes:     \(bytes)",
            "events:    \(census.total)",
            "full snapshots: \(census.byType[RRWebEventType.fullSnapshot.rawValue, default: 0])",
        ]
        if let d = census.durationMilliseconds {
            lines.append("duration:  \(formatDuration(d))")
        }
        lines.append("windows:   \(windowRows.count)")
        for (id, n) in windowRows { lines.append("  \(id)  \(n) events") }
        if !profile.pageURLs.isEmpty {
            lines.append("page URLs:")
            for u in maskedPageURLs(profile.pageURLs) { lines.append("  \(u)") }
        }
        lines.append("channels:  " + (profile.channels.isEmpty ? "DOM only" : "DOM, " + profile.channels.sorted().joined(separator: ", ")))
        if !profile.networkHosts.isEmpty {
            lines.append("network hosts:")
            for (h, n) in profile.networkHosts.sorted(by: { $0.key < $1.key }) { lines.append("  \(h.padding(30)) \(plural(n, "request"))") }
        }
        if !profile.consoleLevels.isEmpty {
            lines.append("console levels:")
            for (l, n) in profile.consoleLevels.sorted(by: { $0.key < $1.key }) { lines.append("  \(l.padding(20)) \(n)") }
        }
        if profile.privacyMarkers.isEmpty && profile.maskedInputs == 0 {
            lines.append("record-time privacy markers: none found")
        } else {
            lines.append("record-time privacy markers:")
            for (m, n) in profile.privacyMarkers.sorted(by: { $0.key < $1.key }) { lines.append("  \(m.padding(20)) \(n)") }
            if profile.maskedInputs > 0 { lines.append("  \("masked inputs".padding(20)) \(profile.maskedInputs)") }
        }
        if !typeRows.isEmpty {
            lines.append("events by type:")
            for (name, n) in typeRows { lines.append("  \(name.padding(20)) \(n)") }
        }
        if !sourceRows.isEmpty {
            lines.append("incremental snapshots by source:")
            for (name, n) in sourceRows { lines.append("  \(name.padding(20)) \(n)") }
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var out: [UInt8] = []
        func key(_ k: String) { JSONString.encode(utf8: k.utf8, into: &out); out.append(UInt8(ascii: ":")) }
        func str(_ s: String) { JSONString.encode(utf8: s.utf8, into: &out) }
        func raw(_ s: String) { out.append(contentsOf: s.utf8) }
        func object(_ rows: [(String, Int)]) {
            raw("{")
            for (i, (name, n)) in rows.enumerated() { if i > 0 { raw(",") }; key(name); raw(String(n)) }
            raw("}")
        }
        func strings(_ xs: [String]) {
            raw("[")
            for (i, x) in xs.enumerated() { if i > 0 { raw(",") }; str(x) }
            raw("]")
        }
        raw("{"); key("file"); str(path)
        raw(","); key("format"); str(profile.shape.rawValue)
        raw(","); key("bytes"); raw(String(bytes))
        raw(","); key("events"); raw(String(census.total))
        raw(","); key("fullSnapshots"); raw(String(census.byType[RRWebEventType.fullSnapshot.rawValue, default: 0]))
        raw(","); key("windows"); object(profile.windows.map { ($0.id, $0.events) })
        raw(","); key("pageURLs"); strings(maskedPageURLs(profile.pageURLs))
        raw(","); key("channels"); strings(profile.channels.sorted())
        raw(","); key("privacyMarkers"); object(profile.privacyMarkers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        raw(","); key("networkHosts"); object(profile.networkHosts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        raw(","); key("consoleLevels"); object(profile.consoleLevels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        raw(","); key("maskedInputs"); raw(String(profile.maskedInputs))
        raw(","); key("firstTimestamp"); raw(census.firstTimestamp.map { formatNumber($0) } ?? "null")
        raw(","); key("lastTimestamp"); raw(census.lastTimestamp.map { formatNumber($0) } ?? "null")
        raw(","); key("durationMs"); raw(census.durationMilliseconds.map { formatNumber($0) } ?? "null")
        raw(","); key("eventsByType"); object(typeRows)
        raw(","); key("incrementalBySource"); object(sourceRows)
        raw("}")
        return String(decoding: out, as: UTF8.self)
    }
}

/// Page URLs as reports show them (`PageURL.masked`: query and fragment values `***`, user
/// information dropped), each once: a token or an email in a query never reaches a terminal or a
/// CI log through `inspect`, as none reaches a report.
func maskedPageURLs(_ urls: [String]) -> [String] {
    var seen: Set<String> = []
    return urls.map(PageURL.masked).filter { seen.insert($0).inserted }
}

func formatNumber(_ d: Double) -> String {
    // JSON has no infinity (a timestamp too large for a Double): null, as for no value.
    guard d.isFinite else { return "null" }
    return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
}

func formatDuration(_ ms: Double) -> String {
    // A recording's timestamps are its own: a malformed one can make any span, even an infinite one.
    guard ms.isFinite, abs(ms) < 1e15 else { return ms.isFinite ? "\(String(format: "%.3g", ms / 1000)) s" : "out of range" }
    let totalSeconds = ms / 1000
    let minutes = Int(totalSeconds) / 60
    let seconds = totalSeconds - Double(minutes * 60)
    let s = (seconds * 10).rounded() / 10
    return minutes > 0 ? "\(minutes) min \(s) s" : "\(s) s"
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
