import Foundation
import ScrubjayVerify

/// The formats `scrubjay report` writes (docs/REPORTS.md).
public enum ReportFormat: String, Sendable, CaseIterable {
    /// One self-contained page (Reports/report.html.mustache).
    case html
    /// Markdown (Reports/report.md.mustache); `redact` writes it into the package too.
    case md
    /// The report document (`ReportDocument`, docs/schemas/report.schema.json).
    case json
    /// The verifier's SARIF 2.1.0 log of the package (`SARIFReport`).
    case sarif
    /// The verifier's JUnit XML (`JUnitReport`).
    case junit
}

extension Report {
    /// The report in `format`, rendered with `templates` (HTML and Markdown). SARIF and JUnit
    /// are the verifier's own formats of its result, so they need a verified package.
    public func rendered(as format: ReportFormat, templates: ReportTemplates) throws -> [UInt8] {
        switch format {
        case .html: return Array(templates.render(ReportView(self), template: "report.html").utf8)
        case .md: return Array(templates.render(ReportView(self), template: "report.md").utf8)
        case .json: return try document.encoded()
        case .sarif, .junit:
            guard let verification else {
                throw ReportError(path: document.package.file ?? document.package.recordingId, detail: "\(format.rawValue) needs a verified package")
            }
            return format == .sarif ? try SARIFReport.render([verification], toolVersion: document.generator.version)
                : JUnitReport.render([verification], failOnWarn: false)
        }
    }
}
