import Foundation
import ScrubjayFormats

/// What the HTML and Markdown templates see (docs/REPORTS.md, "Template variables"): the
/// report document (`document`, the JSON report's fields as they are) and the same facts
/// formatted for people, with the charts drawn and the previews rebuilt. Every field is a
/// String, a Bool, an array or a nested view, so a template needs no logic beyond sections.
public struct ReportView {
    /// The JSON report, field for field (`{{document.package.recordingId}}`).
    public let document: ReportDocument
    public let title: String
    /// "scrubjay 0.1.0".
    public let generator: String
    public let generatedAt: String
    /// The package's facts: label and value rows (file, digests, recording, times, tool).
    public let package: [Row]
    public let inputs: [FileRow]
    public let redacted: Bool
    public let notRedacted: Bool
    /// Findings, events and strings changed, pseudonym key.
    public let summary: [Row]
    public let hasFindings: Bool
    public let byCategory: [CountRow]
    public let byRule: [RuleRow]
    public let byChannel: [CountRow]
    public let byAction: [CountRow]
    public let bySeverity: [CountRow]
    public let charts: ChartsView
    public let timeline: TimelineView?
    public let pages: [PageRow]
    public let hasPages: Bool
    public let notScanned: [NotScannedRow]
    public let hasNotScanned: Bool
    public let rulePacks: [PackRow]
    public let signed: Bool
    public let unsigned: Bool
    public let signers: [SignerRow]
    public let verified: Bool
    public let verdict: Status?
    public let checks: [CheckRow]
    public let residency: ResidencyView
    public let policies: [PolicyView]
    public let hasPolicies: Bool
    public let hipaa: [CoverageRow]
    public let pci: [CoverageRow]
    public let previews: [PreviewView]
    public let hasPreviews: Bool

    public struct Row { public let label: String; public let value: String; public let code: Bool }
    public struct FileRow { public let name: String; public let sha256: String; public let size: String }
    public struct CountRow { public let name: String; public let count: Int; public let percent: String; public let color: String }
    public struct RuleRow {
        public let rule: String, category: String, severity: String, action: String, count: Int, percent: String
    }
    public struct ChartsView {
        /// Inline SVG (render unescaped: `{{{charts.categories}}}`).
        public let categories: String
        public let channels: String
        public let timeline: String?
    }
    public struct TimelineView {
        /// The bucket width ("5 s", "1 min").
        public let bucket: String
        public let start: String
        public let rows: [TimelineRow]
        public let untimed: Int
        public let hasUntimed: Bool
    }
    public struct TimelineRow { public let from: String; public let to: String; public let findings: Int; public let categories: String }
    public struct PageRow { public let url: String; public let window: String; public let findings: Int; public let categories: String }
    public struct NotScannedRow { public let kind: String; public let values: Int; public let bytes: String; public let reason: String }
    public struct PackRow { public let name: String; public let file: String; public let sha256: String; public let rules: Int }
    public struct SignerRow { public let keyid: String; public let status: String }
    /// A verdict or status: `pass`, `warn`, `fail`, `skip`, `notJudged` (`value`), in words (`label`).
    public struct Status { public let value: String; public let label: String }
    public struct CheckRow { public let id: String; public let title: String; public let status: Status; public let detail: String; public let findings: [FindingRow] }
    public struct FindingRow { public let severity: String; public let code: String; public let message: String }
    public struct ResidencyView {
        public let verdict: Status
        public let facts: [Row]
        public let findings: [FindingRow]
        public let hasFindings: Bool
    }
    public struct PolicyView {
        public let name: String, description: String, file: String, sha256: String
        public let verdict: Status
        public let findings: [FindingRow]
        public let hasFindings: Bool
        public let exceptions: [ExceptionRow]
        public let hasExceptions: Bool
    }
    public struct ExceptionRow {
        public let requirement: String, match: String, reason: String, expires: String, state: String, applied: Int
    }
    public struct CoverageRow {
        public let id: String, name: String, rules: String, applied: String
        public let status: Status
        public let note: String
    }
    public struct PreviewView {
        public let window: String
        public let available: Bool
        public let reason: String
        /// The rebuilt page, for an iframe's `srcdoc` (render escaped: `{{srcdoc}}`).
        public let srcdoc: String
        public let caption: String
        public let removed: String
    }

    public init(_ report: Report) {
        let d = report.document
        document = d
        title = "Redaction report: " + (d.package.file ?? d.package.recordingId)
        generator = "\(d.generator.name) \(d.generator.version)"
        generatedAt = d.generatedAt
        let p = d.package
        var rows: [Row] = []
        func add(_ label: String, _ value: String?, code: Bool = false) { if let value { rows.append(Row(label: label, value: value, code: code)) } }
        add("Package file", p.file, code: true)
        add("Package SHA-256", p.sha256, code: true)
        add("Package size", p.size.map(ReportView.bytes))
        add("Manifest SHA-256", p.manifestSHA256, code: true)
        add("Recording id", p.recordingId, code: true)
        add("Source system", p.sourceSystem)
        add("Package format", p.formatVersion)
        add("Fidelity", p.fidelity)
        add("Events", "\(p.eventCount) in \(p.windows.count) window\(p.windows.count == 1 ? "" : "s")")
        add("Recorded", p.firstTimestamp.map { ReportView.time($0) + (p.lastTimestamp.map { " to " + ReportView.time($0) } ?? "") })
        add("Duration", p.durationMs.map(Charts.clock))
        add("Made by", "\(p.tool.name) \(p.tool.version) at \(p.createdAt)")
        package = rows
        inputs = d.inputs.map { FileRow(name: $0.path, sha256: $0.sha256, size: ReportView.bytes($0.size)) }
        redacted = d.redacted
        notRedacted = !d.redacted
        rows = []
        add("Findings rewritten", "\(d.counts.total)" + (d.counts.limits > 0 ? " (\(d.counts.limits) masked whole after a pattern limit)" : ""))
        if let r = d.redaction {
            add("Events changed", "\(r.eventsChanged) of \(r.events)")
            if r.events > p.eventCount {
                // Events the package no longer holds: said, so the two counts of events agree.
                add("Events dropped", "\(r.events - p.eventCount) of \(r.events) (inside blocked elements, input to ignored fields, or pointer movement thinned for summary fidelity)")
            }
            add("Strings changed", "\(r.stringsChanged) of \(r.strings) scanned")
            add("Pseudonym key", r.pseudonymKey == "file" ? "from a key file (pseudonyms link across runs with that key)" : "random, for this run only")
            add("Redacted by", "\(r.tool.name) \(r.tool.version) at \(r.createdAt)")
        }
        summary = rows
        hasFindings = d.counts.total > 0
        let rowsOf = { (list: [ReportDocument.Count]) in list.map { CountRow(name: $0.name, count: $0.count, percent: Charts.format($0.percent), color: Charts.color(ofCategory: $0.name)) } }
        byCategory = rowsOf(d.counts.byCategory)
        byChannel = rowsOf(d.counts.byChannel)
        byAction = rowsOf(d.counts.byAction)
        bySeverity = rowsOf(d.counts.bySeverity)
        byRule = d.counts.byRule.map {
            RuleRow(rule: $0.rule, category: $0.category ?? "", severity: $0.severity ?? "", action: $0.action ?? "", count: $0.count, percent: Charts.format($0.percent))
        }
        charts = ChartsView(
            categories: Charts.bars(d.counts.byCategory, label: "Findings by category"),
            channels: Charts.bars(d.counts.byChannel, label: "Findings by channel", colors: { _ in "#455a64" }),
            timeline: d.timeline.flatMap { $0.bucketMs > 0 ? Charts.timeline($0, label: "Findings over the recording") : nil })
        timeline = d.timeline.flatMap { t in
            guard t.bucketMs > 0 else { return nil }
            return TimelineView(
                bucket: ReportView.width(t.bucketMs), start: ReportView.time(t.startTimestamp),
                rows: t.buckets.filter { $0.findings > 0 }.map {
                    TimelineRow(from: Charts.clock($0.offsetMs), to: Charts.clock($0.offsetMs + t.bucketMs), findings: $0.findings,
                                categories: ReportView.list($0.byCategory))
                },
                untimed: t.untimed, hasUntimed: t.untimed > 0)
        }
        pages = d.pages.map {
            PageRow(url: $0.url ?? "(before the first page URL)", window: $0.window.isEmpty ? "(none)" : $0.window,
                    findings: $0.findings, categories: ReportView.list($0.byCategory))
        }
        hasPages = !pages.isEmpty
        notScanned = d.notScanned.map { NotScannedRow(kind: $0.kind, values: $0.values, bytes: ReportView.bytes($0.bytes), reason: $0.reason) }
        hasNotScanned = !notScanned.isEmpty
        rulePacks = d.rulePacks.map { PackRow(name: $0.name, file: $0.file, sha256: $0.sha256, rules: $0.rules) }
        signed = d.signatures.signed
        unsigned = !d.signatures.signed
        signers = d.signatures.signers.map { s in
            let status: String
            switch (s.valid, s.accepted) {
            case (nil, _): status = "signed at redaction (not verified here)"
            case (_, true?): status = "valid, trusted as \(s.trustedAs ?? "?")"
            case (true?, _): status = "valid, but the key \(s.trustedAs ?? "?") is not trusted for it now"
            default: status = "not verified by a trusted key"
            }
            return SignerRow(keyid: s.keyid, status: status)
        }
        verified = d.verification != nil
        verdict = d.verification.map { ReportView.status($0.verdict) }
        checks = d.verification?.checks.map {
            CheckRow(id: $0.id, title: $0.title, status: ReportView.status($0.status), detail: $0.detail, findings: $0.findings.map(ReportView.finding))
        } ?? []
        let r = d.residency
        rows = []
        add("Ingest host", r.ingestHost ?? "unknown")
        add("Storage endpoint", r.storageEndpoint)
        add("Storage region", r.storageRegion.map { $0 + (r.storageRegionSource.map { " (\($0))" } ?? "") + (r.storageRegionGroups.isEmpty ? "" : ", in " + r.storageRegionGroups.joined(separator: ", ")) } ?? "unknown")
        add("Site hosts", r.siteHosts.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") })
        add("Asset hosts", r.assetHosts.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") })
        add("Network hosts", r.networkHosts.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") })
        residency = ResidencyView(verdict: ReportView.status(r.verdict), facts: rows, findings: r.findings.map(ReportView.finding), hasFindings: !r.findings.isEmpty)
        policies = d.policies.map { p in
            PolicyView(name: p.name, description: p.description, file: p.file, sha256: p.sha256, verdict: ReportView.status(p.verdict),
                       findings: p.findings.map(ReportView.finding), hasFindings: !p.findings.isEmpty,
                       exceptions: p.exceptions.map {
                           ExceptionRow(requirement: $0.requirement, match: $0.match ?? "(all)", reason: $0.reason, expires: $0.expires, state: $0.state, applied: $0.applied)
                       }, hasExceptions: !p.exceptions.isEmpty)
        }
        hasPolicies = !policies.isEmpty
        let coverage = { (items: [ReportDocument.CoverageItem]) in
            items.map { c in
                CoverageRow(id: c.id, name: c.name, rules: c.rules.isEmpty ? "none" : c.rules.joined(separator: ", "),
                            applied: c.applied.isEmpty ? "none" : c.applied.joined(separator: ", "),
                            status: ReportView.status(c.status.rawValue), note: c.note ?? "")
            }
        }
        hipaa = coverage(d.coverage.hipaaSafeHarbor)
        pci = coverage(d.coverage.pciDSS)
        previews = d.previews.map { v in
            let name = v.window.isEmpty ? "the recording" : "window \(v.window)"
            return PreviewView(
                window: v.window.isEmpty ? "(none)" : v.window, available: v.available, reason: v.reason ?? "",
                srcdoc: report.previewPages[v.window] ?? "",
                caption: "The first full snapshot of \(name)" + (v.timestamp.map { " (" + ReportView.time($0) + ")" } ?? "")
                    + " after redaction: \(v.elements) elements, \(v.outlined) outlined where redaction changed text or attributes",
                removed: v.removed.isEmpty ? "nothing" : v.removed.map { "\($0.name) \($0.count)" }.joined(separator: ", "))
        }
        hasPreviews = !previews.isEmpty
    }

    static func finding(_ f: ReportDocument.Finding) -> FindingRow {
        var message = f.message
        if let p = f.path { message = p + (f.line.map { ":\($0)" } ?? "") + ": " + message }
        if let e = f.expected { message += "; expected \(e)" }
        if let a = f.actual { message += "; actual \(a)" }
        return FindingRow(severity: f.severity, code: f.code, message: message)
    }

    static func status(_ value: String) -> Status {
        let labels = ["pass": "pass", "warn": "warnings", "fail": "fail", "skip": "skipped", "notJudged": "not judged (no policy with residency requirements given)",
                      "covered": "covered", "partial": "partly covered", "notCovered": "not covered", "review": "needs review"]
        return Status(value: value, label: labels[value] ?? value)
    }

    static func list(_ counts: [ReportDocument.Count]) -> String {
        counts.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
    }

    /// Milliseconds since the epoch as RFC 3339 UTC with milliseconds.
    static func time(_ ms: Double) -> String { RFC3339Time.milliseconds(ms) }

    static func width(_ ms: Double) -> String {
        guard ms.isFinite, abs(ms) < 1e15 else { return Charts.clock(ms) }
        let s = Int(ms / 1000)
        if s % 86400 == 0 { return "\(s / 86400) d" }
        if s % 3600 == 0 { return "\(s / 3600) h" }
        if s % 60 == 0 { return "\(s / 60) min" }
        return "\(s) s"
    }

    static func bytes(_ n: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB"]
        var v = Double(n), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) bytes" : "\(String(format: "%.1f", v)) \(units[u]) (\(n) bytes)"
    }
}
