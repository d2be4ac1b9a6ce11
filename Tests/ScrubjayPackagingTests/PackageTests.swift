import Foundation
import Testing
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayNative
@testable import ScrubjayPackage
import ScrubjayTestSupport

let fixtures: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path
let validator: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Support/validate_manifest.py").path

let recordings: [String] = {
    let e = FileManager.default.enumerator(atPath: fixtures)!
    var out: [String] = []
    while let n = e.nextObject() as? String {
        if (n.hasSuffix(".json") || n.hasSuffix(".jsonl")) && !n.hasPrefix("accuracy/") { out.append(n) }
    }
    return out.sorted()
}()

func temporaryPath(_ name: String) -> String {
    scratchPath("scrubjay-pkg") + "-\(name)"
}

/// Every manifest a test writes is checked against the schema (Tests/Support/validate_manifest.py).
func validateAgainstSchema(_ manifest: [UInt8]) throws {
    let path = temporaryPath("manifest.json")
    try Data(manifest).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", validator, path]
    let err = Pipe()
    p.standardError = err
    try p.run()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "manifest does not match the schema: \(message)")
}

func decodedEvents(_ path: String) throws -> [String: [[UInt8]]] {
    var out: [String: [[UInt8]]] = [:]
    try RecordingDecoder(bytes: JSONBytes(contentsOfFile: path)).forEachEvent { out[$0.windowId ?? "", default: []].append($0.json) }
    return out
}

func object(_ json: [UInt8]) throws -> NSDictionary {
    try JSONSerialization.jsonObject(with: Data(json)) as! NSDictionary
}

@Suite("Packing, inspecting and exporting every real recording")
struct PackageTests {
    @Test("pack then export returns the same events", arguments: recordings)
    func roundTrip(_ file: String) throws {
        let input = fixtures + "/" + file
        let out = temporaryPath("p.zip")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = PackOptions()
        options.toolVersion = "test"
        let manifest = try PackageWriter(options: options).write(inputs: [input], to: out)
        let pkg = try ReplayPackage.open(out)
        #expect(pkg.manifest == manifest)
        #expect(pkg.verifyChecksums().isEmpty)
        try validateAgainstSchema(pkg.files["manifest.json"]!)

        let expected = try decodedEvents(input)
        #expect(manifest.recording.eventCount == expected.values.reduce(0) { $0 + $1.count })
        #expect(Set(manifest.recording.windows.map(\.id)) == Set(expected.keys))
        for w in manifest.recording.windows {
            // export one window as an rrweb JSON array and compare event by event
            let exported = try Exporter.export(pkg, format: .rrwebJSON, window: w.id)
            let list = try JSONSerialization.jsonObject(with: Data(exported)) as! [NSDictionary]
            let mine = try expected[w.id]!.map(object)
            #expect(list.count == mine.count, "\(file) window \(w.id)")
            #expect(list == mine, "\(file) window \(w.id): exported events differ")
            #expect(w.eventCount == mine.count)
        }
    }

    @Test func assetsMoveOutAndComeBack() throws {
        let input = fixtures + "/posthog/docs.json"
        let out = temporaryPath("docs.zip")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let manifest = try PackageWriter(options: PackOptions()).write(inputs: [input], to: out)
        let asset = try #require(manifest.assets.first)
        #expect(asset.mediaType == "image/svg+xml")
        #expect(asset.path == "assets/\(asset.sha256).svg")
        let pkg = try ReplayPackage.open(out)
        #expect(Hex.encode(Digest.sha256(try #require(pkg.files[asset.path!]))) == asset.sha256)
        let events = try #require(pkg.files[manifest.recording.windows[0].file])
        #expect(String(decoding: events, as: UTF8.self).contains(AssetStore.referencePrefix + asset.sha256))
        let exported = try Exporter.export(pkg, format: .rrwebJSON)
        #expect(!String(decoding: exported, as: UTF8.self).contains(AssetStore.referencePrefix))
    }

    @Test func duplicateDataIsStoredOnce() throws {
        let png = Data((0..<6000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).base64EncodedString()
        let url = "data:image/png;base64," + png
        let events: [[String: Any]] = (0..<3).map { i in
            ["type": 3, "timestamp": 1000 + i, "data": ["source": 9, "id": 4, "commands": [["property": "drawImage", "args": [url]]]]]
        }
        let input = temporaryPath("dup.json")
        let out = temporaryPath("dup.zip")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out) }
        try JSONSerialization.data(withJSONObject: events).write(to: URL(fileURLWithPath: input))
        let manifest = try PackageWriter(options: PackOptions()).write(inputs: [input], to: out)
        #expect(manifest.assets.count == 1)
        #expect(manifest.assets[0].references == 3)
        #expect(manifest.assets[0].size == 6000)
        let pkg = try ReplayPackage.open(out)
        let back = try JSONSerialization.jsonObject(with: Data(try Exporter.export(pkg, format: .rrwebJSON))) as! [NSDictionary]
        #expect(back == events.map { NSDictionary(dictionary: $0) })
        try validateAgainstSchema(pkg.files["manifest.json"]!)
    }

    @Test func tamperingIsFound() throws {
        let out = temporaryPath("t.zip")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let manifest = try PackageWriter(options: PackOptions()).write(inputs: [fixtures + "/rrweb/record--record-can-add-custom-event-1.json"], to: out)
        var entries = try Archive.read(contentsOf: out)
        let i = try #require(entries.firstIndex { $0.path.hasPrefix("events/") })
        entries[i].data[entries[i].data.count / 2] ^= 0x01
        entries.append(ArchiveEntry(path: "extra.txt", data: Array("x".utf8)))
        try Archive.write(entries, format: .zip, to: out)
        let problems = try ReplayPackage.open(out).verifyChecksums()
        #expect(problems.map(\.path) == [manifest.recording.windows[0].file, "extra.txt"])
        #expect(problems[0].detail.hasPrefix("SHA-256 is "))
    }

    @Test func tarGzPackagesAreRead() throws {
        let zip = temporaryPath("a.zip")
        let tgz = temporaryPath("a.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: zip); try? FileManager.default.removeItem(atPath: tgz) }
        try PackageWriter(options: PackOptions()).write(inputs: [fixtures + "/posthog/recording_snapshots.jsonl"], to: zip)
        try Archive.write(try Archive.read(contentsOf: zip), format: .tarGzip, to: tgz)
        let pkg = try ReplayPackage.open(tgz)
        #expect(pkg.verifyChecksums().isEmpty)
        #expect(pkg.manifest.recording.windows.count == 2)
    }

    @Test func unsafeArchivesAreRefused() throws {
        let out = temporaryPath("evil.zip")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Archive.write([ArchiveEntry(path: "../manifest.json", data: [])], format: .zip, to: out)
        #expect(throws: PackageError.self) { try ReplayPackage.open(out) }
        try Archive.write([ArchiveEntry(path: "events/a.jsonl", data: [])], format: .zip, to: out)
        do { _ = try ReplayPackage.open(out); Issue.record("expected an error") } catch let e as PackageError {
            #expect(e.description == "\(out): manifest.json: missing: this is not a Scrubjay package")
        }
    }

    @Test func summaryThinsPointerMovementAndDropsMedia() throws {
        var events: [[String: Any]] = []
        for i in 0..<100 { // a mouse move every 20 ms for 2 s
            events.append(["type": 3, "timestamp": 1000 + i * 20, "data": ["source": 1, "positions": [["x": i, "y": i, "id": 1, "timeOffset": 0]]]])
        }
        let url = "data:image/png;base64," + Data(repeating: 7, count: 5000).base64EncodedString()
        events.append(["type": 3, "timestamp": 4000, "data": ["source": 0, "texts": [], "removes": [], "adds": [], "attributes": [["id": 3, "attributes": ["src": url]]]]])
        let input = temporaryPath("moves.json")
        let out = temporaryPath("moves.zip")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: out) }
        try JSONSerialization.data(withJSONObject: events).write(to: URL(fileURLWithPath: input))
        var options = PackOptions()
        options.fidelity = .summary
        let manifest = try PackageWriter(options: options).write(inputs: [input], to: out)
        #expect(manifest.fidelity == "summary")
        #expect(manifest.recording.incrementalBySource["MouseMove"] == 20) // one per 100 ms over 2 s
        #expect(manifest.assets.count == 1)
        #expect(manifest.assets[0].path == nil)
        #expect(manifest.assets[0].size == 5000)
        let pkg = try ReplayPackage.open(out)
        #expect(pkg.verifyChecksums().isEmpty)
        #expect(pkg.files.keys.allSatisfy { !$0.hasPrefix("assets/") })
        try validateAgainstSchema(pkg.files["manifest.json"]!)
    }

    @Test func sourceDateEpochMakesPackagesReproducible() throws {
        var options = PackOptions()
        options.createdAt = Date(timeIntervalSince1970: 1_700_000_000)
        let a = try PackageWriter(options: options).build(inputs: [fixtures + "/posthog/with-pageviews.json"])
        let b = try PackageWriter(options: options).build(inputs: [fixtures + "/posthog/with-pageviews.json"])
        #expect(try Archive.write(a.entries, format: .zip) == Archive.write(b.entries, format: .zip))
        #expect(a.manifest.provenance.createdAt == "2023-11-14T22:13:20Z")
    }

    @Test func severalInputsFormOneRecording() throws {
        let out = temporaryPath("multi.zip")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let seg = (0...3).map { fixtures + "/sentry/multiple-pages__seg-\($0)-snap-\($0 % 2 == 0 ? "full" : "incremental")-chromium.json" }
        let manifest = try PackageWriter(options: PackOptions()).write(inputs: seg, to: out)
        let total = try seg.map { try decodedEvents($0).values.reduce(0) { $0 + $1.count } }.reduce(0, +)
        #expect(manifest.recording.eventCount == total)
        #expect(manifest.provenance.inputs.count == 4)
        #expect(manifest.recording.windows.count == 1)
    }

    @Test func aPackageCanBePackedAgain() throws {
        let first = temporaryPath("1.zip")
        let second = temporaryPath("2.zip")
        defer { try? FileManager.default.removeItem(atPath: first); try? FileManager.default.removeItem(atPath: second) }
        var options = PackOptions()
        options.ingestHost = "eu.i.posthog.com"
        options.storageRegion = "eu-central-1"
        let original = try PackageWriter(options: options).write(inputs: [fixtures + "/posthog/docs.json"], to: first)
        let m = try PackageWriter(options: PackOptions()).write(inputs: [first], to: second)
        // The recording's own facts carry over; the input list names the package.
        #expect(m.provenance.sourceShapes == original.provenance.sourceShapes)
        #expect(m.provenance.sourceSystem == "posthog")
        #expect(m.provenance.ingestHost == "eu.i.posthog.com" && m.provenance.storageRegion == "eu-central-1")
        #expect(m.recording.id == original.recording.id)
        #expect(m.provenance.inputs.map(\.path) == [(first as NSString).lastPathComponent])
        let a = try Exporter.export(try ReplayPackage.open(first), format: .rrwebJSONL)
        let b = try Exporter.export(try ReplayPackage.open(second), format: .rrwebJSONL)
        #expect(a == b)
        #expect(m.assets.count == 1)
        try validateAgainstSchema(try ReplayPackage.open(second).files["manifest.json"]!)
    }

    @Test func posthogExportRoundTrips() throws {
        let out = temporaryPath("ph.zip")
        let exported = temporaryPath("ph.json")
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: exported) }
        try PackageWriter(options: PackOptions()).write(inputs: [fixtures + "/posthog/recording_snapshots.jsonl"], to: out)
        let bytes = try Exporter.export(try ReplayPackage.open(out), format: .posthog)
        try Data(bytes).write(to: URL(fileURLWithPath: exported))
        let d = try RecordingDecoder(bytes: JSONBytes(contentsOfFile: exported))
        #expect(d.shape == .posthogExport)
        let again = try decodedEvents(exported)
        let original = try decodedEvents(fixtures + "/posthog/recording_snapshots.jsonl")
        #expect(Set(again.keys) == Set(original.keys))
        for (w, list) in original {
            let back = try again[w]!.map { e -> NSDictionary in
                let m = try object(e).mutableCopy() as! NSMutableDictionary
                m.removeObject(forKey: "windowId")
                return m
            }
            #expect(back == (try list.map(object)))
        }
    }
}

@Suite("Byte search used to skip events without assets")
struct ByteSearchTests {
    @Test func containsFindsEveryPosition() {
        let needle = "scrubjay-asset:sha256:"
        let n = Array(needle.utf8)
        #expect(AssetStore.contains(n, needle))
        #expect(AssetStore.contains(Array("xx\"".utf8) + n, needle))
        #expect(AssetStore.contains(n + Array("tail".utf8), needle))
        #expect(!AssetStore.contains(Array(n.dropLast()), needle))
        #expect(!AssetStore.contains(Array("sss scrubjay-asset:sha25".utf8), needle))
        #expect(!AssetStore.contains([], needle))
        #expect(AssetStore.contains(Array("ssscrubjay-asset:sha256:".utf8), needle))
    }
}
