import Foundation
import ScrubjayFormats
import ScrubjayJSON
import ScrubjayNative

/// The events of one recording given as one or more files: raw recordings in any shape
/// `RecordingDecoder` reads, or existing packages (whose assets are put back).
///
/// `pack`, `audit` and `redact` all read their inputs through this type, so they see the
/// same events in the same windows and order.
public struct RecordingInputs {
    public let paths: [String]
    /// Each input file's name, SHA-256 and size, in the order read.
    public private(set) var files: [PackageManifest.FileEntry] = []
    /// The input shapes seen (`InputShape` raw values, or `scrubjay-package`).
    public private(set) var shapes: [String] = []
    /// The inputs that were packages, in the order read.
    public private(set) var packages: [InputPackage] = []
    /// The manifests of the inputs that were packages.
    public var packageManifests: [PackageManifest] { packages.map(\.manifest) }

    /// An input that was a package: what a redaction statement records of it.
    public struct InputPackage: Sendable {
        /// The package file's base name (as in `files`).
        public var name: String
        public var manifest: PackageManifest
        /// Every regular file inside it (manifest and statement included), sorted by path.
        public var files: [PackageManifest.FileEntry]
        /// The SHA-256 of its `manifest.json`.
        public var manifestSHA256: String { files.first { $0.path == "manifest.json" }!.sha256 }
        /// The SHA-256 of the file at `path` inside it, when there is one.
        public func sha256(of path: String) -> String? { files.first { $0.path == path }?.sha256 }
    }

    public init(paths: [String]) { self.paths = paths }

    /// Calls `body` with every event of every input, in order. A package's events come window
    /// by window, with their window ids.
    public mutating func forEachEvent(_ body: (ReplayEvent) throws -> Void) throws {
        try forEachEvent { event, _ in try body(event) }
    }

    /// The same, with the event as the decoder read it when that can stand for its JSON
    /// (`RecordingDecoder.forEachEvent(scanned:)`): valid only during the call.
    public mutating func forEachEvent(scanned body: (ReplayEvent, JSONEvent?) throws -> Void) throws {
        files = []; shapes = []; packages = []
        for path in paths {
            let bytes = try JSONBytes(contentsOfFile: path)
            // The file's SHA-256 is worked out on another thread while its events are read.
            let name = (path as NSString).lastPathComponent
            let digest = DigestInBackground(bytes)
            defer { files.append(.init(path: name, sha256: digest.value, size: bytes.count)) }
            if ReplayPackage.looksLikeArchive(bytes.slice(0..<min(4, bytes.count))) {
                let package = try ReplayPackage.open(path)
                packages.append(InputPackage(
                    name: name, manifest: package.manifest,
                    files: package.files.map { .init(path: $0.key, sha256: Hex.encode(Digest.sha256($0.value)), size: $0.value.count) }
                        .sorted { $0.path < $1.path }))
                if !shapes.contains("scrubjay-package") { shapes.append("scrubjay-package") }
                for w in package.manifest.recording.windows {
                    for (i, json) in try package.events(window: w).enumerated() {
                        try body(ReplayEvent(windowId: w.id.isEmpty ? nil : w.id, json: json, sourceIndex: i, line: i + 1), nil)
                    }
                }
            } else {
                let decoder = try RecordingDecoder(bytes: bytes)
                if !shapes.contains(decoder.shape.rawValue) { shapes.append(decoder.shape.rawValue) }
                try decoder.forEachEvent(scanned: body)
            }
        }
    }
}

/// The SHA-256 of some bytes, hex, worked out on another thread (a queue's: it waits on
/// nothing, so it runs even on one core) while the caller reads them; `value` waits for it.
private final class DigestInBackground: @unchecked Sendable {
    private let group = DispatchGroup()
    private var hex = ""

    init(_ bytes: JSONBytes) {
        group.enter()
        DispatchQueue.global().async { [self] in
            hex = bytes.withBytes(0..<bytes.count) { Hex.encode(Digest.sha256($0)) }
            group.leave()
        }
    }

    var value: String {
        group.wait()
        return hex
    }
}
