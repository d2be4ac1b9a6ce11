import ScrubjayFormats
import ScrubjayJSON

/// What `inspect` found in one file, with its text and JSON renderings.
struct InspectReport {
    var path: String
    var bytes: Int
    var layout: EventReader.Layout
    var census: EventCensus

    static func make(path: String) throws -> InspectReport {
        let bytes = try JSONBytes(contentsOfFile: path)
        var reader = try EventReader(bytes: bytes)
        var census = EventCensus()
        while let event = try reader.next() { census.add(event) }
        return InspectReport(path: path, bytes: bytes.count, layout: reader.layout, census: census)
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
            "bytes:     \(bytes)",
            "layout:    \(layout.rawValue)",
            "values:    \(census.total)",
        ]
        if census.unrecognized > 0 {
            lines.append("not rrweb events: \(census.unrecognized) (a container format; `pack` unwraps these)")
        }
        if let d = census.durationMilliseconds {
            lines.append("duration:  \(formatDuration(d))")
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
        raw("{"); key("file"); str(path)
        raw(","); key("bytes"); raw(String(bytes))
        raw(","); key("layout"); str(layout.rawValue)
        raw(","); key("values"); raw(String(census.total))
        raw(","); key("unrecognized"); raw(String(census.unrecognized))
        raw(","); key("firstTimestamp"); raw(census.firstTimestamp.map { formatNumber($0) } ?? "null")
        raw(","); key("lastTimestamp"); raw(census.lastTimestamp.map { formatNumber($0) } ?? "null")
        raw(","); key("durationMs"); raw(census.durationMilliseconds.map { formatNumber($0) } ?? "null")
        raw(","); key("eventsByType"); object(typeRows)
        raw(","); key("incrementalBySource"); object(sourceRows)
        raw("}")
        return String(decoding: out, as: UTF8.self)
    }
}

func formatNumber(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
}

func formatDuration(_ ms: Double) -> String {
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
