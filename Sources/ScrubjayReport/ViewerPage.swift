import Foundation
import ScrubjayFormats
import ScrubjayIO
import ScrubjayPackage

/// `scrubjay view`: one HTML page that replays a package with rrweb-player (docs/REPORTS.md,
/// "The viewer page"). The events are embedded; the player's script and stylesheet are
/// inlined from a directory (offline) or referenced from `cdnBase`.
public enum ViewerPage {
    /// rrweb-player's version the page is written for, and where it is published.
    public static let playerVersion = "0.7.14"
    public static let cdnBase = "https://cdn.jsdelivr.net/npm/rrweb-player@0.7.14/dist/"

    /// The player's files: found in `directory` (`rrweb-player*.js` or `index.js`, and
    /// `rrweb-player*.css` or `style.css`, as the django-rrweb package and rrweb-player's npm
    /// `dist/` ship them), or nil for the CDN.
    public struct Player: Sendable {
        public var script: String
        public var style: String

        public init(directory: String) throws {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            func pick(_ ext: String, _ fallback: String) throws -> String {
                let candidates = names.filter { $0.hasSuffix(ext) && $0.hasPrefix("rrweb-player") }.sorted()
                guard let name = candidates.first ?? (names.contains(fallback) ? fallback : nil) else {
                    throw ReportError(path: directory, detail: "no rrweb-player script and stylesheet here (rrweb-player*\(ext) or \(fallback)); "
                                      + "the django-rrweb PyPI package ships them in static/django-rrweb/")
                }
                let bytes = try InputFile.read((directory as NSString).appendingPathComponent(name))
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ReportError(path: (directory as NSString).appendingPathComponent(name), detail: "not UTF-8 text")
                }
                return text
            }
            script = try pick(".js", "index.js")
            style = try pick(".css", "style.css")
        }
    }

    /// What the template sees.
    struct View {
        let title: String
        let generator: String
        let summary: String
        let player: PlayerView
        let windows: [WindowView]
        let multiple: Bool
        let skipped: [String]
    }
    struct PlayerView { let script: String; let style: String }
    struct WindowView { let index: Int; let label: String; let events: String }

    /// The page for `package`. Windows rrweb-player cannot start (mobile wireframes, no Meta
    /// and FullSnapshot event) are listed as skipped.
    public static func render(_ package: ReplayPackage, player: Player?, templates: ReportTemplates, toolVersion: String) throws -> [UInt8] {
        let manifest = package.manifest
        let mobile = manifest.recording.channels.contains("mobile")
        var windows: [WindowView] = []
        var skipped: [String] = []
        for w in manifest.recording.windows {
            let name = w.id.isEmpty ? "the recording" : "window \(w.id)"
            let events = try Exporter.export(package, format: .rrwebJSON, windows: [w])
            let types = Set(try package.events(window: w).map { ReportBuilder.typeAndTime($0).type })
            if mobile || !types.contains(RRWebEventType.meta.rawValue) || !types.contains(RRWebEventType.fullSnapshot.rawValue) {
                skipped.append(mobile ? "\(name) (a mobile recording: wireframes, which rrweb-player does not draw)"
                                      : "\(name) (no Meta and FullSnapshot event to start from)")
                continue
            }
            windows.append(WindowView(index: windows.count, label: "\(w.id.isEmpty ? "(no id)" : w.id): \(w.eventCount) events",
                                      events: scriptSafeJSON(events)))
        }
        let playerView = player.map {
            PlayerView(script: "<script>\n" + scriptSafe($0.script) + "\n</script>", style: "<style>\n" + styleSafe($0.style) + "\n</style>")
        } ?? PlayerView(script: "<script src=\"\(cdnBase)index.js\"></script>", style: "<link rel=\"stylesheet\" href=\"\(cdnBase)style.css\">")
        let r = manifest.recording
        let view = View(
            title: "Replay: " + (package.path as NSString).lastPathComponent, generator: "scrubjay \(toolVersion)",
            summary: "Recording \(r.id), \(r.eventCount) events" + (r.durationMs.map { ", \(Charts.clock($0))" } ?? "")
                + (package.files["redaction/report.json"] == nil ? "; not redacted" : "; redacted") + ". Played with rrweb-player \(playerVersion)"
                + (player == nil ? " from \(cdnBase) (needs the network)." : ", inlined: works offline."),
            player: playerView, windows: windows, multiple: windows.count > 1, skipped: skipped)
        return Array(templates.render(view, template: "viewer.html").utf8)
    }

    /// JSON inside `<script type="application/json">`: every `<` written `\u003c` (JSON reads
    /// it the same; `<` only occurs inside strings), so no `</script>` or `<!--` can end or
    /// change the element.
    static func scriptSafeJSON(_ json: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 64)
        for b in json {
            if b == UInt8(ascii: "<") { out += Array("\\u003c".utf8) } else { out.append(b) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Script text inlined in `<script>`: `</script` written `<\/script` (the same in JS strings and regexes).
    static func scriptSafe(_ js: String) -> String {
        js.replacingOccurrences(of: "</script", with: "<\\/script", options: .caseInsensitive)
    }

    /// CSS inlined in `<style>`: `</style` written `<\/style`.
    static func styleSafe(_ css: String) -> String {
        css.replacingOccurrences(of: "</style", with: "<\\/style", options: .caseInsensitive)
    }
}
