import Foundation
import Testing
import ScrubjayNative

/// Inputs a fuzzing sweep of the commands found crashing or hanging them, each cut down to a
/// few events: a malformed recording is an error or a result, never a trap, a hang or a file
/// left half written.
@Suite("Damaged inputs: an answer or a clear error, never a crash or a hang")
struct DamagedInputTests {
    let dir = makeTemporaryDirectory("scrubjay-damaged")

    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `recording` audited (findings or none, no error) and redacted into `<dir>/<name>.zip`.
    func auditAndRedact(_ recording: String, to name: String) throws {
        let input = try file(name + ".json", recording)
        let audit = try runScrubjay(["audit", input])
        #expect(audit.status == 0 || audit.status == 1, "\(audit.stderr)")
        let redact = try runScrubjay(["redact", input, "-o", dir + "/" + name + ".zip"])
        #expect(redact.status == 0, "\(redact.stderr)")
    }

    /// A custom event's `tag` and a plugin event's `plugin` that are not strings.
    @Test(arguments: [
        #"[{"type":5,"data":{"tag":1,"payload":{"a":"ana@example.org"}},"timestamp":1}]"#,
        #"[{"type":6,"data":{"plugin":{"x":1},"payload":{"a":"ana@example.org"}},"timestamp":1}]"#,
        #"[{"type":6,"data":{"plugin":7,"payload":[]},"timestamp":1}]"#,
    ])
    func namesThatAreNotStrings(_ recording: String) throws {
        try auditAndRedact(recording, to: "names")
        let verify = try runScrubjay(["verify", dir + "/names.zip", "--rescan"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// Timestamps beyond any clock (1e300, and one that overflows to infinity).
    /// A damaged archive is named once, at the start of the message: it was named twice
    /// ("bad.zip: not a readable package archive: cannot read archive 'bad.zip': ...").
    @Test func aDamagedArchiveIsNamedOnce() throws {
        let bad = try file("bad.zip", "PK\u{3}\u{4}garbage")
        for command in [["inspect", bad], ["export", bad, "-o", dir + "/never.json"]] {
            let r = try runScrubjay(command)
            #expect(r.status == 3, "\(command[0]): \(r.stderr)") // malformed input
            #expect(r.stderr.hasPrefix("scrubjay: error: \(bad): not a readable package archive: "), "\(r.stderr)")
            #expect(r.stderr.components(separatedBy: "bad.zip").count == 2, "\(r.stderr)")
        }
    }

    @Test func timestampsBeyondAnyClock() throws {
        let huge = try file("huge.json", #"[{"type":4,"data":{"href":"https://a.test/"},"timestamp":0},{"type":3,"data":{"source":5,"text":"ana@example.org","id":3},"timestamp":1e300}]"#)
        let inspect = try runScrubjay(["inspect", huge])
        #expect(inspect.status == 0 && inspect.stdout.contains("duration:  1e+297 s"), "\(inspect.stdout)\(inspect.stderr)")
        let infinite = try file("infinite.json", #"[{"type":4,"data":{},"timestamp":0},{"type":4,"data":{},"timestamp":1"# + String(repeating: "9", count: 400) + "}]")
        let inspectInfinite = try runScrubjay(["inspect", infinite])
        #expect(inspectInfinite.status == 0 && inspectInfinite.stdout.contains("duration:  out of range"), "\(inspectInfinite.stdout)\(inspectInfinite.stderr)")
        // A timestamp that overflows to infinity: inspect --json once wrote `"lastTimestamp":inf`
        // (not JSON), and pack and redact exited 1 with "Error: EncodingError.invalidValue: inf"
        // from the manifest. JSON gets null; the manifest leaves the time out.
        let inspectJSON = try runScrubjay(["inspect", "--json", infinite])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(inspectJSON.stdout.utf8)) as? [String: Any], "\(inspectJSON.stdout)")
        #expect(obj["lastTimestamp"] is NSNull && obj["durationMs"] is NSNull && obj["firstTimestamp"] as? Int == 0)
        for command in [["pack", infinite, "-o", dir + "/infinite-pack.zip"], ["redact", infinite, "-o", dir + "/infinite.zip"]] {
            let r = try runScrubjay(command)
            #expect(r.status == 0, "\(command[0]): \(r.stdout)\(r.stderr)")
        }
        // Two finite timestamps whose span overflows: redact crashed on the report's timeline
        // ("Double value cannot be converted to Int because it is either infinite or NaN").
        let apart = try file("apart.json", #"[{"type":4,"data":{"href":"https://a.test/"},"timestamp":-1.7e308},{"type":3,"data":{"source":5,"text":"ana@example.org","id":3},"timestamp":1.7e308}]"#)
        let apartRedact = try runScrubjay(["redact", apart, "-o", dir + "/apart.zip"])
        #expect(apartRedact.status == 0 && apartRedact.stderr.contains("1 finding rewritten"), "\(apartRedact.stdout)\(apartRedact.stderr)")
        let facts = try runScrubjay(["facts", dir + "/infinite.zip"])
        #expect(facts.status == 0, "\(facts.stderr)")
        let recording = try #require((try JSONSerialization.jsonObject(with: Data(facts.stdout.utf8)) as? [String: Any])?["recording"] as? [String: Any])
        #expect(recording["firstTimestamp"] as? Int == 0 && recording["lastTimestamp"] == nil)
        #expect(try runScrubjay(["verify", dir + "/infinite.zip"]).status == 0)
        let redact = try runScrubjay(["redact", huge, "-o", dir + "/huge.zip", "--report-html", dir + "/huge.html"])
        #expect(redact.status == 0, "\(redact.stderr)")
        #expect(redact.stderr.contains("1 finding rewritten"))
        for format in ["md", "html", "json"] {
            let report = try runScrubjay(["report", dir + "/huge.zip", "--format", format, "-o", dir + "/r." + format])
            #expect(report.status == 0, "\(format): \(report.stderr)")
        }
        let view = try runScrubjay(["view", dir + "/huge.zip", "-o", dir + "/v.html"])
        #expect(view.status == 0, "\(view.stderr)")
    }

    /// A node that carries the id of the node it is put under, or of one above it, in a full
    /// snapshot, in a mutation, and as an iframe document attached inside itself. Each once
    /// made the page mirror a cycle, which the next walk over it never left.
    @Test(.timeLimit(.minutes(1)), arguments: [
        #"[{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"div","id":2,"attributes":{"class":"ph-mask"},"childNodes":[{"type":2,"tagName":"p","id":2,"attributes":{"title":"Ana Lima"},"childNodes":[{"type":3,"id":4,"textContent":"ana@example.org"}]}]}]},"initialOffset":{"left":0,"top":0}},"timestamp":1}]"#,
        #"[{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"div","id":2,"attributes":{},"childNodes":[]}]},"initialOffset":{"left":0,"top":0}},"timestamp":1},{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":2,"nextId":null,"node":{"type":2,"tagName":"span","id":2,"attributes":{},"childNodes":[]}}]},"timestamp":2},{"type":3,"data":{"source":5,"text":"ana@example.org","id":2},"timestamp":3}]"#,
        #"[{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"iframe","id":2,"attributes":{},"childNodes":[]}]},"initialOffset":{"left":0,"top":0}},"timestamp":1},{"type":3,"data":{"source":0,"isAttachIframe":true,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":2,"nextId":null,"node":{"type":0,"id":1,"childNodes":[{"type":2,"tagName":"iframe","id":2,"attributes":{},"childNodes":[]}]}}]},"timestamp":2}]"#,
    ])
    func idsThatRepeatAboveThemselves(_ recording: String) throws {
        try auditAndRedact(recording, to: "ids")
        let rescan = try runScrubjay(["audit", dir + "/ids.zip"])
        #expect(rescan.status == 0 && rescan.stdout.contains("findings: none"), "\(rescan.stdout)\(rescan.stderr)")
    }

    /// A package whose events file holds a line that is not JSON: the commands that read
    /// events name the package and the entry, exit 3, and write nothing.
    @Test func aDamagedEventsFileInAPackage() throws {
        let input = try file("ok.json", #"[{"type":4,"data":{"href":"https://a.test/"},"timestamp":1}]"#)
        let pack = try runScrubjay(["pack", input, "-o", dir + "/ok.zip"])
        #expect(pack.status == 0, "\(pack.stderr)")
        var entries = try Archive.read(contentsOf: dir + "/ok.zip")
        let k = try #require(entries.firstIndex { $0.path.hasPrefix("events/") })
        let entry = entries[k].path
        entries[k] = ArchiveEntry(path: entry, data: Array(#"{"type":4,"data":{}"#.utf8) + [0x0A])
        try Archive.write(entries, format: .zip, to: dir + "/bad.zip")
        for command in [["audit"], ["redact", "-o", dir + "/out.zip"], ["export", "-o", dir + "/out.json"], ["view", "-o", dir + "/out.html"]] {
            let r = try runScrubjay([command[0], dir + "/bad.zip"] + command.dropFirst())
            #expect(r.status == 3, "\(command[0]): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(dir + "/bad.zip: " + entry + ": line 1: the input ends in the middle of a value"), "\(command[0]): \(r.stderr)")
        }
        for out in ["out.zip", "out.json", "out.html"] {
            #expect(!FileManager.default.fileExists(atPath: dir + "/" + out), "\(out) was written")
        }
    }

    /// `-o` naming a FIFO: refused (exit 4), the FIFO left as it was.
    @Test func anOutputThatIsNotARegularFile() throws {
        let input = try file("ok.json", #"[{"type":4,"data":{"href":"https://a.test/"},"timestamp":1}]"#)
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try runScrubjay(["redact", input, "-o", fifo])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("\(fifo): cannot write: a FIFO, which an output file would replace"), "\(r.stderr)")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }
}
