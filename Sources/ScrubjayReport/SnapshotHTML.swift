import Foundation
import ScrubjayJSON
import ScrubjayNative
import ScrubjayRedaction

/// Rebuilds an rrweb full snapshot (its serialized node tree) as a static HTML page for a
/// report's preview: the page as the package shares it, which a browser shows in a sandboxed
/// iframe without running anything or fetching anything (docs/REPORTS.md, "Page previews").
///
/// Left out: scripts, `noscript`, `base`, `meta`, plugins (`object`, `embed`, `applet`),
/// comments, event handler attributes (`on*`), `javascript:` links, and every reference to
/// an external resource (`src`, `srcset`, `poster`, stylesheet links without captured CSS,
/// CSS `url()` and `@import`); `data:` images and captured CSS stay. Link targets keep their
/// path with query values masked (`PageURL`). Nodes redaction rewrote are outlined.
public enum SnapshotHTML {
    /// The attribute that marks an element whose text or attributes redaction changed; the
    /// preview's stylesheet outlines it.
    public static let redactedAttribute = "data-scrubjay-redacted"

    /// The page's head additions: a policy that blocks every load but inline styles and
    /// `data:` images and fonts, and the outline of redacted elements.
    static let prelude = """
    <meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
    img-src data:; font-src data:"><style>[\(redactedAttribute)]{outline:3px dashed #c2185b !important;outline-offset:1px !important;}</style>
    """

    public struct Page: Sendable {
        public var html: String
        public var elements = 0
        public var outlined = 0
        /// What was left out, by kind.
        public var removed: [String: Int] = [:]
    }

    /// The static page of a full snapshot event (rrweb JSON), outlining the nodes in
    /// `redactedNodes` (an element, or the element holding a text node). Nil when the event
    /// is not a full snapshot of a DOM (a mobile wireframe snapshot has no `node`).
    public static func page(event json: [UInt8], redactedNodes: Set<Int>) throws -> Page? {
        var reader = try EventReader(bytes: JSONBytes(json), layout: .single)
        guard let scanned = try reader.next(), case .object(let event) = JSONNode(scanned, scanned.root),
              event["type"]?.int == 2, case .object(let data)? = event["data"],
              case .object(let node)? = data["node"] else { return nil }
        var builder = Builder(redacted: redactedNodes)
        return builder.document(node)
    }

    struct Builder {
        let redacted: Set<Int>
        var page = Page(html: "")
        var injected = false
        /// How deep elements nest before the rest is left out (a guard against crafted input).
        static let maximumDepth = 400

        init(redacted: Set<Int>) { self.redacted = redacted }

        mutating func document(_ root: [String: JSONNode]) -> Page {
            var body = ""
            render(root, parent: "", depth: 0, into: &body)
            page.html = "<!DOCTYPE html>" + (injected ? "" : SnapshotHTML.prelude) + body
            return page
        }

        mutating func removed(_ what: String) { page.removed[what, default: 0] += 1 }

        mutating func render(_ node: [String: JSONNode], parent: String, depth: Int, into out: inout String) {
            guard depth < Builder.maximumDepth else { removed("nodes nested too deeply"); return }
            switch node["type"]?.int {
            case 0: // Document
                for child in children(node) { render(child, parent: parent, depth: depth + 1, into: &out) }
            case 2:
                element(node, depth: depth, into: &out)
            case 3: // Text
                let text = node["textContent"]?.string ?? ""
                if parent == "style" || node["isStyle"] == .bool(true) {
                    out += SnapshotHTML.rawText(CSSSanitizer.sanitize(text, removed: { removed($0) }), closing: "style")
                } else {
                    out += SnapshotHTML.escapeText(text)
                }
            case 5: removed("comments")
            default: return // DocumentType (the page always gets <!DOCTYPE html>), CDATA
            }
        }

        func children(_ node: [String: JSONNode]) -> [[String: JSONNode]] {
            guard case .array(let list)? = node["childNodes"] else { return [] }
            return list.compactMap { if case .object(let o) = $0 { return o } else { return nil } }
        }

        static let droppedElements: Set<String> = [
            "script", "noscript", "base", "meta", "object", "embed", "applet", "frame", "frameset", "portal", "param",
        ]
        static let voidElements: Set<String> = [
            "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        ]
        /// Attributes whose value is a URL the browser would fetch (or, for `a` and `area`,
        /// follow: those are kept, masked).
        static let urlAttributes: Set<String> = [
            "src", "srcset", "href", "xlink:href", "poster", "background", "data", "action", "formaction", "ping", "manifest",
            "codebase", "longdesc", "cite", "lowsrc", "dynsrc", "usemap", "profile", "icon", "archive", "classid", "imagesrcset",
        ]

        mutating func element(_ node: [String: JSONNode], depth: Int, into out: inout String) {
            let rawTag = node["tagName"]?.string ?? ""
            guard SnapshotHTML.isName(rawTag) else { removed("elements with an invalid name"); return }
            var tag = rawTag.lowercased()
            let isSVG = node["isSVG"] == .bool(true)
            var attributes: [String: JSONNode] = [:]
            if case .object(let a)? = node["attributes"] { attributes = a }
            let kids = children(node)
            if Builder.droppedElements.contains(tag) { removed("\(tag) elements"); return }
            var content: String?
            var extra: [(String, String)] = []
            if tag == "link" {
                guard let css = attributes["_cssText"]?.string else { removed("link elements (external resources)"); return }
                tag = "style"
                content = SnapshotHTML.rawText(CSSSanitizer.sanitize(css, removed: { removed($0) }), closing: "style")
            } else if tag == "style", let css = attributes["_cssText"]?.string {
                content = SnapshotHTML.rawText(CSSSanitizer.sanitize(css, removed: { removed($0) }), closing: "style")
            } else if tag == "canvas", let image = attributes["rr_dataURL"]?.string, image.hasPrefix("data:image/") {
                tag = "img"
                extra.append(("src", image))
            } else if tag == "iframe", kids.contains(where: { $0["type"]?.int == 0 }) {
                // A same-origin frame's document: a nested static page, sandboxed like this one.
                var nested = Builder(redacted: redacted)
                let inner = nested.document(["type": .number(0), "childNodes": .array(kids.map { .object($0) })])
                page.elements += inner.elements
                page.outlined += inner.outlined
                page.removed.merge(inner.removed, uniquingKeysWith: +)
                extra.append(("srcdoc", inner.html))
                extra.append(("sandbox", ""))
            }
            page.elements += 1
            let id = node["id"]?.int
            let textChildIds = kids.filter { $0["type"]?.int == 3 }.compactMap { $0["id"]?.int }
            let isRedacted = (id.map(redacted.contains) ?? false) || textChildIds.contains(where: redacted.contains)
            if isRedacted && tag != "style" && tag != "title" { page.outlined += 1; extra.append((SnapshotHTML.redactedAttribute, "")) }

            out += "<" + (isSVG ? rawTag : tag)
            var style = ""
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                let lower = name.lowercased()
                guard let text = value.attributeText else { continue }
                if lower == "_csstext" || lower == "rr_dataurl" || lower == "rr_scrollleft" || lower == "rr_scrolltop"
                    || lower == "rr_mediastate" || lower == "rr_mediacurrenttime" || lower == "rr_mediaplaybackrate"
                    || lower == "rr_mediamuted" || lower == "rr_medialoop" || lower == "rr_mediavolume" { continue }
                if lower == "rr_width" { style += "width:\(CSSSanitizer.sanitize(text, removed: { removed($0) }));"; continue }
                if lower == "rr_height" { style += "height:\(CSSSanitizer.sanitize(text, removed: { removed($0) }));"; continue }
                guard SnapshotHTML.isName(name), !lower.hasPrefix("rr_") else { removed("attributes with an invalid name"); continue }
                if lower.hasPrefix("on") { removed("event handler attributes"); continue }
                if tag == "iframe" && (lower == "srcdoc" || lower == "sandbox") { continue }
                if lower == "style" {
                    style += CSSSanitizer.sanitize(text, removed: { removed($0) })
                    continue
                }
                if Builder.urlAttributes.contains(lower) {
                    guard let kept = keptURL(text, attribute: lower, tag: tag) else { removed("external resources"); continue }
                    out += " \(name)=\"\(SnapshotHTML.escapeAttribute(kept))\""
                    continue
                }
                if lower == "value" && tag == "textarea" && kids.isEmpty {
                    content = SnapshotHTML.escapeText(text)
                    continue
                }
                out += " \(name)=\"\(SnapshotHTML.escapeAttribute(text))\""
            }
            if !style.isEmpty { out += " style=\"\(SnapshotHTML.escapeAttribute(style))\"" }
            for (name, value) in extra { out += " \(name)=\"\(SnapshotHTML.escapeAttribute(value))\"" }
            out += ">"
            if tag == "head" && !injected { out += SnapshotHTML.prelude; injected = true }
            if Builder.voidElements.contains(tag) && !isSVG { return }
            if let content {
                out += content
            } else if tag != "iframe" {
                for child in kids { render(child, parent: tag, depth: depth + 1, into: &out) }
            }
            out += "</" + (isSVG ? rawTag : tag) + ">"
        }

        /// The URL an attribute may keep in the preview, or nil: `data:` images for `src`,
        /// fragment references for SVG, masked links for `a` and `area`.
        func keptURL(_ url: String, attribute: String, tag: String) -> String? {
            let trimmed = url.trimmingCharacters(in: .whitespacesAndNewlines)
            let lower = trimmed.lowercased()
            if attribute == "href" && (tag == "a" || tag == "area") {
                if lower.hasPrefix("javascript:") || lower.hasPrefix("vbscript:") || lower.hasPrefix("data:") { return nil }
                return PageURL.masked(trimmed)
            }
            if (attribute == "href" || attribute == "xlink:href") && trimmed.hasPrefix("#") { return trimmed }
            if attribute == "src" && lower.hasPrefix("data:image/") { return trimmed }
            return nil
        }
    }

    // MARK: escaping

    /// Element and attribute names HTML and SVG use: a letter or `_`, then letters, digits,
    /// `-`, `_`, `.` and `:`.
    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0)) }
    }

    /// Text content: `&`, `<` and `>` as references.
    public static func escapeText(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A double-quoted attribute value.
    public static func escapeAttribute(_ s: String) -> String {
        escapeText(s).replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Raw text for a `<style>` element: nothing in it may close the element (`</style` is
    /// written `<\/style`, which CSS reads the same).
    static func rawText(_ s: String, closing tag: String) -> String {
        guard s.range(of: "</", options: .literal) != nil else { return s }
        return s.replacingOccurrences(of: "</", with: "<\\/")
    }
}

/// A JSON value as the snapshot holds it (JSONDecoder tells booleans from numbers, which
/// attribute values need).
enum JSONNode: Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONNode]), object([String: JSONNode])

    /// How deep values are read: past the depth the preview renders elements to (each level
    /// of elements is two of JSON, a node and its `childNodes`), a value is `null`.
    static let maximumDepth = 2 * SnapshotHTML.Builder.maximumDepth + 8

    /// Value `v` of a scanned event, read with the byte-level engine (Foundation's decoder
    /// built an error, with its coding path, for each kind it tried and a node was not: time
    /// that grew with the page's depth). Of members that repeat a key, the last, as
    /// `JSON.parse` reads them.
    init(_ e: JSONEvent, _ v: JSONValueRef, depth: Int = 0) {
        switch e.kind(v) {
        case .null: self = .null
        case .true: self = .bool(true)
        case .false: self = .bool(false)
        case .number: self = .number(e.double(v) ?? 0)
        case .string: self = .string(e.string(v))
        case .array:
            guard depth < JSONNode.maximumDepth else { self = .null; return }
            self = .array(e.elements(of: v).map { JSONNode(e, $0, depth: depth + 1) })
        case .object:
            guard depth < JSONNode.maximumDepth else { self = .null; return }
            var members: [String: JSONNode] = [:]
            for (key, value) in e.membersInPlace(of: v) { members[e.string(key)] = JSONNode(e, value, depth: depth + 1) }
            self = .object(members)
        }
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var int: Int? { if case .number(let n) = self, n.rounded() == n, abs(n) < 1e15 { return Int(n) } else { return nil } }

    /// An attribute value as rrweb stores it (string, number, boolean), or nil for one that
    /// is absent (`null`, `false`) or not a value.
    var attributeText: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "" : nil
        case .number(let n): return int.map(String.init) ?? String(n)
        default: return nil
        }
    }
}

/// CSS for a preview: `@import` rules dropped and every `url()` not holding a `data:` URL
/// replaced by `none`, so the stylesheet fetches nothing.
enum CSSSanitizer {
    /// What goes: an `@import` rule, a `url()` (its argument quoted or not), an `image-set()`.
    static let fetches = try! PCRE2Regex(#"@import\b[^;]*;?|url\(\s*("[^"]*"|'[^']*'|[^)]*)\s*\)|image-set\([^)]*\)"#,
                                         options: [.caseInsensitive, .utf])

    static func sanitize(_ css: String, removed: (String) -> Void) -> String {
        guard css.range(of: "url(", options: .caseInsensitive) != nil || css.range(of: "@import", options: .caseInsensitive) != nil
                || css.range(of: "image-set(", options: .caseInsensitive) != nil else { return css }
        // One pass of PCRE2 over the UTF-8 (a search per match from the rest of a String
        // copied the rest each time: time quadratic in a stylesheet of many `url()`s).
        let bytes = Array(css.utf8)
        // A stylesheet PCRE2 gives up on (its match limit) is left out whole: nothing unchecked
        // reaches the preview, and the preview says so.
        guard let hits = try? fetches.matches(in: bytes, assumeValidUTF8: true) else {
            removed("stylesheets too large to check")
            return ""
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var cursor = 0
        for hit in hits {
            out += bytes[cursor..<hit.range.lowerBound]
            let token = String(decoding: bytes[hit.range], as: UTF8.self)
            let lower = token.lowercased()
            if lower.hasPrefix("@import") {
                removed("CSS imports")
            } else if lower.hasPrefix("url(") {
                let inner = token.dropFirst(4).dropLast().trimmingCharacters(in: CharacterSet(charactersIn: " \t\n\"'"))
                if inner.lowercased().hasPrefix("data:") { out += bytes[hit.range] } else { out += Array("none".utf8); removed("external resources") }
            } else {
                out += Array("none".utf8)
                removed("external resources")
            }
            cursor = hit.range.upperBound
        }
        out += bytes[cursor...]
        return String(decoding: out, as: UTF8.self)
    }
}
