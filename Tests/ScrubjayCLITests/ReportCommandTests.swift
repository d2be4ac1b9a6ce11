import Foundation
import Testing
@testable import ScrubjayCLI

@Suite("report, view and redact's reports from the command line")
struct ReportCommandTests {
    let dir = makeTemporaryDirectory("scrubjay-report-cli")

    /// Events a redaction drops (input to a field inside a blocked element) are counted where
    /// the event counts are: the summary line and the report said "2 events" and "changed 1 of 4"
    /// with nothing on where the other two went.
    @Test func droppedEventsAreCounted() throws {
        let input = dir + "/blocked.json"
        try #"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1},{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"html","id":2,"attributes":{},"childNodes":[{"type":2,"tagName":"body","id":3,"attributes":{},"childNodes":[{"type":2,"tagName":"div","id":4,"attributes":{"class":"rr-block"},"childNodes":[{"type":2,"tagName":"input","id":5,"attributes":{"type":"text"},"childNodes":[]}]}]}]}]},"initialOffset":{"left":0,"top":0}},"timestamp":2},{"type":3,"data":{"source":5,"text":"hello","isChecked":false,"id":5},"timestamp":3},{"type":3,"data":{"source":5,"text":"world","isChecked":false,"id":5},"timestamp":4}]"#
            .write(toFile: input, atomically: true, encoding: .utf8)
        let pkg = dir + "/blocked.zip"
        let r = try runScrubjay(["redact", input, "-o", pkg])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("wrote \(pkg) (2 events, 2 of 4 dropped, "), "\(r.stderr)")
        let md = try runScrubjay(["report", pkg, "--format", "md"])
        #expect(md.stdout.contains("| Events changed | 1 of 4 |\n| Events dropped | 2 of 4 (inside blocked elements, "), "\(md.stdout)")
        let unchanged = try runScrubjay(["redact", fixtures + "/posthog/with-pageviews.json", "-o", dir + "/p.zip"])
        #expect(unchanged.stderr.hasPrefix("wrote \(dir)/p.zip (178 events, 37 findings"), "nothing dropped, nothing said: \(unchanged.stderr)")
        let mdUnchanged = try runScrubjay(["report", dir + "/p.zip", "--format", "md"])
        #expect(!mdUnchanged.stdout.contains("Events dropped"))
    }

    /// redact writes redaction/report.md into the package (listed, checksummed) and the HTML
    /// report beside it; report writes every format; view inlines the player.
    @Test func redactReportView() throws {
        let pkg = dir + "/p.zip"
        let r = try runScrubjay(["redact", fixtures + "/posthog/with-pageviews.json", "-o", pkg, "--report-html", dir + "/p.html"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("wrote \(pkg) (") && r.stderr.hasSuffix(") and \(dir)/p.html\n"), "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/p.html", encoding: .utf8)
        #expect(html.contains("<h1>Redaction report: p.zip</h1>") && html.contains("<svg"))
        let inspected = try runScrubjay(["inspect", "--json", pkg])
        #expect(inspected.status == 0, "checksums hold")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        let files = ((manifest["manifest"] as? [String: Any])?["files"] as? [[String: Any]]) ?? []
        #expect(files.contains { $0["path"] as? String == "redaction/report.md" })

        for format in ["html", "md", "json", "sarif", "junit"] {
            let out = dir + "/r.\(format)"
            let rep = try runScrubjay(["report", pkg, "--format", format, "-o", out])
            #expect(rep.status == 0 && FileManager.default.fileExists(atPath: out), "\(format): \(rep.stderr)")
        }
        let md = try runScrubjay(["report", pkg, "--format", "md"])
        #expect(md.status == 0 && md.stdout.hasPrefix("# Redaction report: p.zip\n"))

        let player = dir + "/player"
        try FileManager.default.createDirectory(atPath: player, withIntermediateDirectories: true)
        try "var rrwebPlayer = function () {}; // </script> inside\n".write(toFile: player + "/rrweb-player-0-7-14.js", atomically: true, encoding: .utf8)
        try ".rr-player { color: red }\n".write(toFile: player + "/rrweb-player-0-7-14-style.css", atomically: true, encoding: .utf8)
        let v = try runScrubjay(["view", pkg, "-o", dir + "/v.html", "--player-dir", player])
        #expect(v.status == 0, "\(v.stderr)")
        let page = try String(contentsOfFile: dir + "/v.html", encoding: .utf8)
        #expect(page.contains("var rrwebPlayer = function () {}; // <\\/script> inside") && page.contains(".rr-player { color: red }"))
        #expect(page.contains("<script type=\"application/json\" id=\"events-0\">[") && !page.contains("cdn.jsdelivr.net"))
        let cdn = try runScrubjay(["view", pkg, "-o", dir + "/c.html"])
        let cdnPage = try String(contentsOfFile: dir + "/c.html", encoding: .utf8)
        #expect(cdn.status == 0 && cdnPage.contains("https://cdn.jsdelivr.net/npm/rrweb-player@0.7.14/dist/index.js"))
    }

    /// `report` with no -o wrote the whole HTML page to the terminal. On a terminal it is
    /// refused (exit 2, naming -o, nothing written there); redirected it is written as before,
    /// and other formats still print on a terminal.
    @Test func htmlIsNotWrittenToATerminal() throws {
        let pkg = dir + "/t.zip"
        #expect(try runScrubjay(["pack", fixtures + "/posthog/with-pageviews.json", "-o", pkg]).status == 0)
        for arguments in [["report", pkg], ["report", pkg, "--format", "html"]] {
            let r = try runScrubjay(arguments, stdoutOnTerminal: true)
            #expect(r.status == ExitStatus.usage.rawValue, "\(r.stderr)")
            #expect(r.stdout.isEmpty, "HTML reached the terminal")
            #expect(r.stderr.hasPrefix("scrubjay: error: the HTML report is a page for a browser, not a terminal: write it to a file with -o FILE"), "\(r.stderr)")
        }
        let piped = try runScrubjay(["report", pkg])
        #expect(piped.status == 0 && piped.stdout.hasPrefix("<!DOCTYPE html>"), "\(piped.stderr)")
        let file = dir + "/t.html"
        let written = try runScrubjay(["report", pkg, "-o", file], stdoutOnTerminal: true)
        #expect(written.status == 0 && FileManager.default.fileExists(atPath: file), "\(written.stderr)")
        let md = try runScrubjay(["report", pkg, "--format", "md"], stdoutOnTerminal: true)
        #expect(md.status == 0 && md.stdout.hasPrefix("# Redaction report: t.zip"), "\(md.stderr)")
    }

    @Test func errorsAndExitCodes() throws {
        let missing = try runScrubjay(["report", dir + "/nope.zip"])
        #expect(missing.status == ExitStatus.usage.rawValue && missing.stderr.contains("nope.zip: cannot open"))
        let notPackage = try runScrubjay(["report", fixtures + "/posthog/with-pageviews.json"])
        #expect(notPackage.status == ExitStatus.usage.rawValue && notPackage.stderr.contains("not a package"))
        let pkg = dir + "/p.zip"
        #expect(try runScrubjay(["pack", fixtures + "/posthog/with-pageviews.json", "-o", pkg]).status == 0)
        let templates = dir + "/t"
        try FileManager.default.createDirectory(atPath: templates, withIntermediateDirectories: true)
        try "{{#a}}\n".write(toFile: templates + "/report.html.mustache", atomically: true, encoding: .utf8)
        let broken = try runScrubjay(["report", pkg, "--template-dir", templates, "-o", dir + "/x.html"])
        #expect(broken.status == ExitStatus.malformedInput.rawValue && broken.stderr.contains(templates + "/report.html.mustache:"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.html"))
        let noDir = try runScrubjay(["report", pkg, "--template-dir", dir + "/none"])
        #expect(noDir.status == ExitStatus.usage.rawValue)
        let noPlayer = try runScrubjay(["view", pkg, "-o", dir + "/v.html", "--player-dir", templates])
        #expect(noPlayer.status == ExitStatus.usage.rawValue && noPlayer.stderr.contains("no rrweb-player script"))
        // A player directory that is not there is named as such, as --template-dir's is (it was
        // "no rrweb-player script and stylesheet here", as if the directory had been searched).
        let noPlayerDir = try runScrubjay(["view", pkg, "-o", dir + "/v.html", "--player-dir", dir + "/none"])
        #expect(noPlayerDir.status == ExitStatus.usage.rawValue)
        #expect(noPlayerDir.stderr.hasPrefix("Error: --player-dir \(dir)/none: not a directory\n"), "\(noPlayerDir.stderr)")
        let badFormat = try runScrubjay(["report", pkg, "--format", "pdf"])
        #expect(badFormat.status == ExitStatus.usage.rawValue)
    }
}
