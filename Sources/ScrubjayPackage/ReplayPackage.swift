import Foundation
import ScrubjayIO
import ScrubjayJSON
import ScrubjayNative
import ScrubjayIO

/// Why a package cannot be opened.
public struct PackageError: Error, CustomStringConvertible, Sendable {
    public let path: String
    /// The archive entry concerned, when there is one.
    public let entry: String?
    public let detail: String
    /// A stable dotted code for what is wrong (`archive.unsafePath`, `manifest.invalid`, ...),
    /// as `verify` reports it.
    public var code: String = "package.invalid"
    /// The file is no archive at all (a recording where a package was expected): a usage
    /// problem for the commands that take a package only (exit 2), as `verify` says it.
    public var notAPackage = false
    public var description: String {
        "\(path): " + (entry.map { "\($0): " } ?? "") + detail
    }
}

/// A file of the package whose digest or size does not match the manifest.
public struct ChecksumProblem: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let detail: String
    /// `archive.missingFile`, `size.mismatch`, `digest.mismatch` or `archive.extraFile`.
    public var code: String = "digest.mismatch"
    public var description: String { "\(path): \(detail)" }
}

/// An opened package (ZIP or tar.gz): its manifest and files, read into memory.
public struct ReplayPackage {
    public let path: String
    public let manifest: PackageManifest
    /// Every regular file, by archive path.
    public let files: [String: [UInt8]]
    /// The stored assets events refer to, by SHA-256: (media type, bytes). Made once, not per
    /// window read (a package may hold thousands of windows and of assets).
    private let storedAssets: [String: (String, [UInt8])]

    public init(path: String, manifest: PackageManifest, files: [String: [UInt8]]) {
        self.path = path
        self.manifest = manifest
        self.files = files
        var assets: [String: (String, [UInt8])] = [:]
        for a in manifest.assets {
            if let p = a.path, let bytes = files[p] { assets[a.sha256] = (a.mediaType, bytes) }
        }
        storedAssets = assets
    }

    /// Whether `bytes` start like a ZIP or gzip archive (a package rather than JSON).
    public static func looksLikeArchive(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) || bytes.starts(with: [0x1F, 0x8B])
    }

    /// Reads a package. Unsafe entry names (absolute, `..`, backslashes, duplicates), links and
    /// a missing or unreadable manifest are errors; nothing is extracted to disk.
    ///
    /// - Parameter maxTotalSize: the most bytes the entries may expand to (a zip-bomb guard,
    ///   also enforced while reading, since entry headers can lie); by default `expansionLimit`.
    public static func open(_ path: String, maxTotalSize: Int? = nil) throws -> ReplayPackage {
        // A missing file (or a directory) is a `FileError` that names it, as for any input,
        // not a damaged archive.
        _ = try InputFile.readPrefix(path, count: 0)
        let files = try readFiles(path, maxTotalSize: maxTotalSize)
        return ReplayPackage(path: path, manifest: try manifest(in: files, path: path), files: files)
    }

    /// The most bytes a package of `size` bytes may expand to: `ratio` times its size, at least
    /// 256 MiB and never more than 4 GiB (docs/VERIFY.md, "archive"). Every reader of packages
    /// holds to it, not only `verify`: a 4 MB bomb would otherwise fill 4 GiB of memory.
    public static func expansionLimit(forArchiveOfSize size: Int, ratio: Int = 100) -> Int {
        min(Archive.defaultMaxTotalSize, max(256 << 20, size.multipliedReportingOverflow(by: ratio).partialValue))
    }

    /// The regular files of the archive at `path`, by name, after the archive-safety checks
    /// `open` makes (nothing about the manifest yet).
    public static func readFiles(_ path: String, maxTotalSize: Int? = nil) throws -> [String: [UInt8]] {
        let entries: [ArchiveEntry]
        do {
            var attributes = stat()
            let limit = maxTotalSize ?? expansionLimit(forArchiveOfSize: stat(path, &attributes) == 0 ? Int(attributes.st_size) : 0)
            entries = try Archive.read(contentsOf: path, maxTotalSize: limit)
        } catch {
            // A recording (JSON) where a package was expected: said so, not in libarchive's words.
            if let head = try? InputFile.readPrefix(path, count: 4), !looksLikeArchive(head) {
                throw PackageError(path: path, entry: nil, detail: "not a package (neither a ZIP nor a tar.gz archive); `scrubjay pack` or `redact` makes one of a recording",
                                   code: code(for: error), notAPackage: true)
            }
            // (The archive's own message without its name: the error names the file already.)
            throw PackageError(path: path, entry: nil, detail: "not a readable package archive: \(error.detail)",
                               code: code(for: error))
        }
        // libarchive reads a backslash in a ZIP entry name as `/`: the names as stored are
        // checked too, so that `events\\main.jsonl` is refused as it is everywhere else.
        let isZip = (try? InputFile.readPrefix(path, count: 4))?.starts(with: [0x50, 0x4B]) == true
        var raw: [[UInt8]] = []
        if isZip {
            do {
                raw = try ZipDirectory.rawNames(ofFileAt: path)
            } catch {
                var entry: String?, detail = error.detail
                if case let .entryUnreadable(_, name, message) = error { entry = name; detail = message }
                throw PackageError(path: path, entry: entry, detail: "not a readable package archive: \(detail)", code: "archive.unreadable")
            }
            for name in raw where !isSafeEntryName(name) {
                throw PackageError(path: path, entry: String(decoding: name, as: UTF8.self), detail: "unsafe entry name", code: "archive.unsafePath")
            }
        }
        var files: [String: [UInt8]] = [:]
        var seen: Set<String> = []
        for e in entries {
            let name = e.path
            if !isSafeEntryName(Array(name.utf8)) {
                throw PackageError(path: path, entry: name, detail: "unsafe entry name", code: "archive.unsafePath")
            }
            guard seen.insert(name.lowercased()).inserted else {
                throw PackageError(path: path, entry: name, detail: "duplicate entry name", code: "archive.duplicateName")
            }
            switch e.kind {
            case .regularFile: files[name] = e.data
            case .directory:
                // A ZIP names a directory with a trailing `/`. One marked a directory only by its
                // attributes (libarchive then adds the `/`) is a file to unzip and Python's zipfile,
                // which would extract its bytes, unlisted and unsigned, where this reader skipped it.
                guard !isZip || raw.contains(Array(name.utf8)) else {
                    throw PackageError(path: path, entry: name.hasSuffix("/") ? String(name.dropLast()) : name,
                                       detail: "marked as a directory but named as a file (no trailing /): other readers extract it as a file",
                                       code: "archive.unsafePath")
                }
                continue
            default: throw PackageError(path: path, entry: name, detail: "links and special files are not allowed in a package", code: "archive.link")
            }
        }
        return files
    }

    /// Whether an archive entry name is safe to read into a package: not absolute, no `..`
    /// segment, no backslash (a separator on Windows, and a literal character elsewhere), no NUL.
    /// Every reader of packages checks names here (`readFiles`).
    public static func isSafeEntryName(_ name: [UInt8]) -> Bool {
        name.first != 0x2F && !name.contains(0x5C) && !name.contains(0)
            && !name.split(separator: 0x2F, omittingEmptySubsequences: true).contains { $0.elementsEqual([0x2E, 0x2E]) }
    }

    /// The manifest among `files`: present, parsable, of this format and a major version this tool reads.
    public static func manifest(in files: [String: [UInt8]], path: String) throws -> PackageManifest {
        guard let m = files["manifest.json"] else {
            throw PackageError(path: path, entry: "manifest.json", detail: "missing: this is not a Scrubjay package", code: "manifest.missing")
        }
        // The byte-level reader first: malformed JSON is reported with its byte, line and column.
        do {
            var reader = try EventReader(bytes: JSONBytes(m, origin: "manifest.json"), layout: .single)
            while try reader.next() != nil {}
        } catch {
            throw PackageError(path: path, entry: "manifest.json",
                               detail: "not valid JSON: \(error.detail) at byte \(error.offset) (line \(error.line), column \(error.column))",
                               code: "manifest.invalid")
        }
        let manifest: PackageManifest
        do {
            manifest = try JSONDecoder().decode(PackageManifest.self, from: Data(m))
        } catch let error as DecodingError {
            throw PackageError(path: path, entry: "manifest.json", detail: explain(error), code: "manifest.invalid")
        } catch {
            throw PackageError(path: path, entry: "manifest.json", detail: "unreadable: \(error)", code: "manifest.invalid")
        }
        guard manifest.format == PackageManifest.formatName else {
            throw PackageError(path: path, entry: "manifest.json", detail: "format is \"\(manifest.format)\", expected \"\(PackageManifest.formatName)\"", code: "manifest.invalid")
        }
        let major = manifest.formatVersion.split(separator: ".").first.flatMap { Int($0) } ?? -1
        let ourMajor = Int(PackageManifest.currentVersion.split(separator: ".")[0])!
        guard major == ourMajor else {
            throw PackageError(path: path, entry: "manifest.json",
                               detail: "format version \(manifest.formatVersion) has another major version than this tool reads (\(PackageManifest.currentVersion)); use a newer Scrubjay",
                               code: "manifest.unsupportedVersion")
        }
        return manifest
    }

    /// A decoding error of a package's JSON, in words: the JSON pointer of the member and what
    /// was wrong, never a value from the file (nor Foundation's debug text).
    public static func explain(_ error: DecodingError) -> String {
        func pointer(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level"
                : path.map { "/" + ($0.intValue.map(String.init) ?? JSONPointer.escape($0.stringValue)) }.joined()
        }
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is String.Type: return "a string"
            case is Bool.Type: return "true or false"
            case is Int.Type, is Int64.Type, is UInt64.Type, is Double.Type: return "a number"
            default:
                let name = String(describing: type)
                return name.hasPrefix("Array") ? "an array" : name.hasPrefix("Dictionary") ? "an object" : "a value of another type"
            }
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing member \"\(key.stringValue)\" in \(pointer(context.codingPath))"
        case let .typeMismatch(type, context):
            return "\(pointer(context.codingPath)): expected \(kind(type))"
        case let .valueNotFound(type, context):
            return "\(pointer(context.codingPath)): null where \(kind(type)) was expected"
        case let .dataCorrupted(context):
            return "\(pointer(context.codingPath)): an invalid value"
        @unknown default:
            return "does not have the manifest's shape"
        }
    }

    /// The dotted code of an archive that cannot be read.
    private static func code(for error: ArchiveError) -> String {
        switch error {
        case .tooLarge: return "archive.bomb"
        case .encrypted: return "archive.encrypted"
        default: return "archive.unreadable"
        }
    }

    /// The SHA-256 (lower-case hex) of every file of the package, by path.
    public func digests() -> [String: String] {
        files.mapValues { Hex.encode(Digest.sha256($0)) }
    }

    /// The files a package holds that its manifest does not list: the manifest itself, and
    /// the signed statement, which covers the manifest (docs/FORMAT.md). Any other file,
    /// under `redaction/` too, must be listed: an unsigned package has only the manifest to
    /// say what it holds.
    public static let unlistedFiles: Set<String> = ["manifest.json", "redaction/statement.dsse.json"]

    /// Every file whose SHA-256 or size differs from the manifest, is missing, or is not listed.
    /// `digests`: the files' SHA-256 when already computed (`digests()`).
    public func verifyChecksums(digests known: [String: String]? = nil) -> [ChecksumProblem] {
        var problems: [ChecksumProblem] = []
        var listed = ReplayPackage.unlistedFiles
        for f in manifest.files {
            listed.insert(f.path)
            guard let data = files[f.path] else {
                problems.append(.init(path: f.path, detail: "listed in the manifest but missing from the package", code: "archive.missingFile"))
                continue
            }
            if data.count != f.size {
                problems.append(.init(path: f.path, detail: "size is \(data.count) bytes, the manifest says \(f.size)", code: "size.mismatch"))
            }
            let digest = known?[f.path] ?? Hex.encode(Digest.sha256(data))
            if digest != f.sha256 {
                problems.append(.init(path: f.path, detail: "SHA-256 is \(digest), the manifest says \(f.sha256)"))
            }
        }
        for name in files.keys.sorted() where !listed.contains(name) {
            problems.append(.init(path: name, detail: "in the package but not listed in the manifest", code: "archive.extraFile"))
        }
        return problems
    }

    /// The events of one window, in order, with assets put back (those a summary package
    /// dropped keep their reference).
    public func events(window: PackageManifest.Window) throws -> [[UInt8]] {
        guard let data = files[window.file] else {
            throw PackageError(path: path, entry: window.file, detail: "missing")
        }
        let assets = storedAssets
        var out: [[UInt8]] = []
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            do {
                let event = try AssetStore.restore(Array(line)) { assets[$0] }
                // Each line must be one JSON value: a damaged events file is reported here,
                // naming the package and the entry, and never passed on (an export would
                // write it out as it is).
                var reader = try EventReader(bytes: JSONBytes(event), layout: .single)
                guard try reader.next() != nil else {
                    throw PackageError(path: path, entry: window.file, detail: "line \(out.count + 1): no event, only white space")
                }
                out.append(event)
            } catch let e as JSONError {
                throw PackageError(path: path, entry: window.file, detail: "line \(out.count + 1): \(e.detail) at byte \(e.offset)")
            }
        }
        return out
    }
}
