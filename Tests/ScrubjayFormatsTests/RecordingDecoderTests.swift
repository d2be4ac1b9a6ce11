import Foundation
import Testing
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayTestSupport

private let fixtures: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// Every recording in the fixtures (the accuracy cases are not recordings).
private let recordings: [String] = {
    let e = FileManager.default.enumerator(atPath: fixtures)!
    var out: [String] = []
    while let n = e.nextObject() as? String {
        if (n.hasSuffix(".json") || n.hasSuffix(".jsonl")) && !n.hasPrefix("accuracy/") { out.append(n) }
    }
    return out.sorted()
}()

private func decode(_ path: String) throws -> (InputShape, [ReplayEvent]) {
    let d = try RecordingDecoder(bytes: JSONBytes(contentsOfFile: path))
    var events: [ReplayEvent] = []
    try d.forEachEvent { events.append($0) }
    return (d.shape, events)
}

/// An independent reading of the same containers with Foundation, as the oracle.
private func oracle(_ path: String) throws -> [(window: String?, event: [String: Any])] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    func window(_ v: Any?) -> String? {
        if let s = v as? String { return s }
        if let n = v as? NSNumber { return n.stringValue }
        return nil
    }
    if let doc = try? JSONSerialization.jsonObject(with: data) {
        if let list = doc as? [[String: Any]] { return list.map { (window($0["windowId"]), $0) } }
        let obj = doc as! [String: Any]
        if obj["type"] != nil { return [(window(obj["windowId"]), obj)] }
        if let d = obj["data"] as? [String: Any] {
            if let s = d["snapshots"] as? [[String: Any]] { return s.map { (window($0["windowId"]), $0) } }
            if let m = d["snapshotsByWindowId"] as? [String: [[String: Any]]] {
                return m.keys.sorted().flatMap { k in m[k]!.map { (k, $0) } }
            }
        }
        if let list = obj["data"] as? [[String: Any]] { // a one-line window_id blob
            return list.map { (window(obj["window_id"] ?? obj["windowId"]), $0) }
        }
        if let r = obj["result"] as? [[String: Any]] { return r.map { (window($0["windowId"]), $0) } }
        if let m = obj["snapshot_data_by_window_id"] as? [String: [[String: Any]]] {
            return m.keys.sorted().flatMap { k in m[k]!.map { (k, $0) } }
        }
        Issue.record("oracle: unknown shape \(path)")
        return []
    }
    var out: [(String?, [String: Any])] = []
    for line in data.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
        let v = try JSONSerialization.jsonObject(with: Data(line))
        if let pair = v as? [Any] { out.append((window(pair[0]), pair[1] as! [String: Any])) }
        else if let o = v as? [String: Any], let list = o["data"] as? [[String: Any]], o["type"] == nil {
            out += list.map { (window(o["window_id"] ?? o["windowId"]), $0) }
        } else { let o = v as! [String: Any]; out.append((window(o["windowId"]), o)) }
    }
    return out
}

@Suite("Reading every container a recording arrives in")
struct RecordingDecoderTests {
    @Test("every recording decodes to the events an independent reader finds", arguments: recordings)
    func matchesTheOracle(_ file: String) throws {
        let path = fixtures + "/" + file
        let (_, events) = try decode(path)
        let expected = try oracle(path)
        #expect(events.count == expected.count, "\(file)")
        // Same windows, in the same order per window, with the same content.
        func grouped<T>(_ xs: [(String?, T)]) -> [String: [T]] {
            var g: [String: [T]] = [:]
            for (w, x) in xs { g[w ?? "", default: []].append(x) }
            return g
        }
        let ours = grouped(events.map { ($0.windowId, $0.json) })
        let theirs = grouped(expected.map { ($0.window, $0.event) })
        #expect(Set(ours.keys) == Set(theirs.keys), "\(file): windows")
        for (w, list) in theirs {
            let mine = ours[w] ?? []
            guard mine.count == list.count else { Issue.record("\(file) window \(w): \(mine.count) vs \(list.count)"); continue }
            for (a, b) in zip(mine, list) {
                var plain = b
                if plain["cv"] != nil { continue } // compared in the cv test below
                plain.removeValue(forKey: "__unused")
                let decoded = try JSONSerialization.jsonObject(with: Data(a)) as! NSDictionary
                #expect(decoded.isEqual(to: plain), "\(file) window \(w)")
            }
        }
    }

    @Test func shapesAreDetected() throws {
        let cases: [(String, InputShape)] = [
            ("rrweb/record--record-can-add-custom-event-1.json", .rrwebArray),
            ("posthog/docs.json", .posthogResult),
            ("posthog/recording_snapshots.json", .posthogSnapshotsByWindow),
            ("posthog/recording_snapshots.jsonl", .posthogWindowLines),
            ("posthog-shapes/wide-layout.export-v2.ph-recording.json", .posthogExport),
            ("posthog-shapes/wide-layout.blob_v2.jsonl", .posthogBlobV2),
            ("posthog-shapes/wide-layout.blob_v2.cv2024-10.jsonl", .posthogBlobV2),
            ("posthog-shapes/wide-layout.window_id-lines.jsonl", .posthogWindowLines),
            ("posthog-mobile/encoded-snapshot-data.jsonl", .rrwebLines),
            ("posthog-mobile/increment-with-child-duplication.json", .singleEvent),
            ("sentry/multiple-pages__seg-0-snap-full-chromium.json", .rrwebArray),
        ]
        for (file, shape) in cases {
            #expect(try decode(fixtures + "/" + file).0 == shape, "\(file)")
        }
    }

    @Test func compressedFieldsExpandToThePlainEvents() throws {
        let (_, plain) = try decode(fixtures + "/posthog-shapes/wide-layout.blob_v2.jsonl")
        let (_, compressed) = try decode(fixtures + "/posthog-shapes/wide-layout.blob_v2.cv2024-10.jsonl")
        #expect(plain.count == compressed.count)
        var expandedCount = 0
        for (a, b) in zip(plain, compressed) {
            let x = try JSONSerialization.jsonObject(with: Data(a.json)) as! NSDictionary
            let y = try JSONSerialization.jsonObject(with: Data(b.json)) as! NSDictionary
            #expect(y["cv"] == nil, "the cv marker is removed")
            #expect(x.isEqual(to: y as! [AnyHashable: Any]))
            if a.json != b.json { expandedCount += 1 }
        }
        #expect(expandedCount > 0)
    }

    @Test func olderLegacyExportByWindow() throws {
        // Build a 2022-12-02 export from the with-pageviews recording.
        let src = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/posthog/with-pageviews.json"))) as! [String: Any]
        let events = src["result"] as! [Any]
        let legacy: [String: Any] = ["version": "2022-12-02", "data": ["person": NSNull(), "snapshotsByWindowId": ["w1": events, "w2": Array(events.prefix(3))]]]
        let path = scratchPath("legacy") + ".json"
        try JSONSerialization.data(withJSONObject: legacy).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (shape, decoded) = try decode(path)
        #expect(shape == .posthogExportLegacy)
        #expect(decoded.filter { $0.windowId == "w1" }.count == events.count)
        #expect(decoded.filter { $0.windowId == "w2" }.count == 3)
    }

    @Test func packerStringsUnpack() throws {
        let path = scratchPath("packed") + ".json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = fixtures + "/rrweb/record--record-can-add-custom-event-1.json"
        let script = """
        import json, sys, zlib
        events = json.load(open(sys.argv[1]))
        packed = [zlib.compress(json.dumps(dict(e, v='v1'), separators=(',', ':')).encode()).decode('latin-1') for e in events]
        json.dump(packed, open(sys.argv[2], 'w'))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, source, path]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let (shape, events) = try decode(path)
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source))) as! [[String: Any]]
        #expect(shape == .rrwebArray)
        #expect(events.count == original.count)
        for (e, o) in zip(events, original) {
            var d = try JSONSerialization.jsonObject(with: Data(e.json)) as! [String: Any]
            #expect(d.removeValue(forKey: "v") as? String == "v1")
            #expect(NSDictionary(dictionary: d).isEqual(to: o))
        }
    }

    @Test func oneLineBlobV2() throws {
        let path = scratchPath("oneline") + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"["win-1", {"type":4,"data":{"href":"https://x.test/","width":1,"height":1},"timestamp":5}]"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: path))
        let (shape, events) = try decode(path)
        #expect(shape == .posthogBlobV2)
        #expect(events.count == 1)
        #expect(events.first?.windowId == "win-1")
        #expect(String(decoding: events.first!.json, as: UTF8.self) == #"{"type":4,"data":{"href":"https://x.test/","width":1,"height":1},"timestamp":5}"#)
    }

    @Test func unknownShapeListsTheSupportedOnes() throws {
        do {
            _ = try decode(fixtures + "/accuracy/relay_cases.jsonl")
            Issue.record("expected an error")
        } catch let e as FormatError {
            #expect(e.kind == .unknownShape)
            #expect(e.description.hasPrefix(fixtures + "/accuracy/relay_cases.jsonl: not a recording shape Scrubjay reads. Supported shapes:\n"))
            #expect(e.description.contains("posthog-blob-v2: PostHog blob_v2 JSON Lines ([windowId, event])"))
        }
    }

    @Test func corruptCompressedFieldNamesFileLineAndEvent() throws {
        let path = scratchPath("corrupt") + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let good = #"["w",{"type":4,"data":{"href":"https://x.test","width":1,"height":1},"timestamp":1}]"#
        let bad = #"["w",{"type":2,"data":"\u001f\u008b\u0008not really gzip","timestamp":2,"cv":"2024-10"}]"#
        try Data((good + "\n" + bad + "\n").utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try decode(path)
            Issue.record("expected an error")
        } catch let e as FormatError {
            #expect(e.kind == .corruptCompressedField)
            #expect(e.line == 2)
            #expect(e.eventIndex == 1)
            #expect(e.description.hasPrefix("\(path): line 2, event 1, at /1: /data: corrupt gzip data"))
        }
    }

    @Test("an unsupported \"cv\" value is named in the error only masked, like every parse error's excerpt")
    func unsupportedCompressionVersionIsMasked() throws {
        let path = scratchPath("cv") + ".json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"[{"type":2,"timestamp":1,"cv":"ana.lima@shop.test","data":"x"}]"#.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try decode(path)
            Issue.record("expected an error")
        } catch let e as FormatError {
            #expect(e.description.contains("unsupported compression version"))
            #expect(e.description.contains("supported: 2024-10"))
            #expect(!e.description.contains("ana.lima"), "\(e.description)")
            #expect(!e.description.contains("shop.test"), "\(e.description)")
            #expect(e.description.contains(#"a**.l***@s***.t***"#), "\(e.description)")
        }
    }
}
