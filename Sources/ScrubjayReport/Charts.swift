import Foundation
import ScrubjayRules

/// The HTML report's charts: inline SVG drawn from the report document, readable without
/// script and in print (each bar also has a `<title>`, and the same numbers are in tables).
public enum Charts {
    /// One colour per rule category (legible on white and in greyscale print by their order).
    public static let categoryColors: [String: String] = [
        "contact": "#1f77b4", "financial": "#d62728", "government_id": "#9467bd", "credential": "#ff7f0e",
        "network": "#17becf", "location": "#2ca02c", "identifier": "#8c564b", "free_text": "#e377c2",
    ]
    static let otherColor = "#7f7f7f"

    public static func color(ofCategory name: String) -> String { categoryColors[name] ?? otherColor }

    /// Horizontal bars, one per entry, scaled to the largest.
    public static func bars(_ counts: [ReportDocument.Count], label: String, colors: (String) -> String = color(ofCategory:)) -> String {
        let rowHeight = 24, labelWidth = 150, barWidth = 420, width = labelWidth + barWidth + 70
        let height = max(1, counts.count) * rowHeight + 8
        let largest = max(1, counts.map(\.count).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart bars\" role=\"img\" aria-label=\"\(esc(label))\" "
            + "viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\"><title>\(esc(label))</title>"
        for (i, c) in counts.enumerated() {
            let y = 4 + i * rowHeight
            let w = max(1, Int((Double(c.count) / Double(largest) * Double(barWidth)).rounded()))
            svg += "<g><title>\(esc(c.name)): \(c.count) (\(format(c.percent))%)</title>"
                + "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(esc(c.name))</text>"
                + "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"\(rowHeight - 6)\" fill=\"\(colors(c.name))\"/>"
                + "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\">\(c.count)</text></g>"
        }
        if counts.isEmpty { svg += "<text x=\"\(labelWidth)\" y=\"20\">none</text>" }
        return svg + "</svg>"
    }

    /// Findings per time bucket, stacked by category, with the time since the recording's start below.
    public static func timeline(_ t: ReportDocument.Timeline, label: String) -> String {
        let width = 720, height = 230, left = 44, right = 28, top = 12, plotHeight = 160
        let plotWidth = width - left - right
        let n = max(1, t.buckets.count)
        let slot = Double(plotWidth) / Double(n)
        let largest = max(1, t.buckets.map(\.findings).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart timeline\" role=\"img\" aria-label=\"\(esc(label))\" "
            + "viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\"><title>\(esc(label))</title>"
        let base = top + plotHeight
        svg += "<line x1=\"\(left)\" y1=\"\(base)\" x2=\"\(width - right)\" y2=\"\(base)\" stroke=\"#444\"/>"
            + "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(base)\" stroke=\"#444\"/>"
            + "<text x=\"\(left - 6)\" y=\"\(top + 10)\" text-anchor=\"end\">\(largest)</text>"
            + "<text x=\"\(left - 6)\" y=\"\(base)\" text-anchor=\"end\">0</text>"
        let order = RuleCategory.allCases.map(\.rawValue)
        for (i, b) in t.buckets.enumerated() where b.findings > 0 {
            let x = Double(left) + Double(i) * slot + min(1, slot * 0.1)
            let w = max(1, slot - 2 * min(1, slot * 0.1))
            var y = Double(base)
            let parts = b.byCategory.sorted { (order.firstIndex(of: $0.name) ?? 99, $0.name) < (order.firstIndex(of: $1.name) ?? 99, $1.name) }
            let range = "\(clock(b.offsetMs))–\(clock(b.offsetMs + t.bucketMs))"
            svg += "<g><title>\(range): \(b.findings) finding\(b.findings == 1 ? "" : "s") ("
                + parts.map { "\(esc($0.name)) \($0.count)" }.joined(separator: ", ") + ")</title>"
            for p in parts {
                let h = Double(p.count) / Double(largest) * Double(plotHeight)
                y -= h
                svg += "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(w))\" height=\"\(format(h))\" fill=\"\(color(ofCategory: p.name))\"/>"
            }
            svg += "</g>"
        }
        let labels = min(n, 6)
        for k in 0...labels {
            let i = labels == 0 ? 0 : Int((Double(k) * Double(n) / Double(labels)).rounded())
            let x = Double(left) + Double(i) * slot
            svg += "<line x1=\"\(format(x))\" y1=\"\(base)\" x2=\"\(format(x))\" y2=\"\(base + 4)\" stroke=\"#444\"/>"
                + "<text x=\"\(format(x))\" y=\"\(base + 18)\" text-anchor=\"middle\">\(clock(Double(i) * t.bucketMs))</text>"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(base + 40)\" text-anchor=\"middle\">time since the recording started</text>"
        return svg + "</svg>"
    }

    /// A duration as `m:ss`, or `h:mm:ss` from an hour, or `Nd h:mm:ss` from a day.
    public static func clock(_ ms: Double) -> String {
        // Spans come from the recording's timestamps, which a malformed recording makes anything.
        guard ms.isFinite, abs(ms) < 1e15 else { return "out of range" }
        let total = Int((ms / 1000).rounded(.down))
        let d = total / 86400, h = (total % 86400) / 3600, m = (total % 3600) / 60, s = total % 60
        let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        if d > 0 { return "\(d)d \(h):\(two(m)):\(two(s))" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    static func format(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.1f", v)
    }

    static func esc(_ s: String) -> String { SnapshotHTML.escapeAttribute(s) }
}
