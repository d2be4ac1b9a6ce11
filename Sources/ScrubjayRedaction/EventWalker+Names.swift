import ScrubjayJSON

/// The names the walker tells apart (attribute names, element names; serialized-node members
/// are `SerializedNodeMember`, shared with the DOM mirror), classified from a key's raw bytes
/// in one comparison or two: a walk meets hundreds of thousands of keys, and comparing each
/// with every name in turn cost more than the rules.
extension EventWalker {
    /// Whether `text` is `name` (exact bytes).
    @inline(__always)
    static func text(_ text: UnsafeRawBufferPointer, is name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        guard text.count == n else { return false }
        let p = name.utf8Start
        for k in 0..<n where text[k] != p[k] { return false }
        return true
    }

    /// Whether `text` is `name` (lower case) ignoring ASCII case.
    @inline(__always)
    static func text(_ text: UnsafeRawBufferPointer, isFolded name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        guard text.count == n else { return false }
        let p = name.utf8Start
        for k in 0..<n {
            let b = text[k]
            if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != p[k] { return false }
        }
        return true
    }

    /// What an attribute's name says about its value.
    enum AttributeName {
        /// `style` or rrweb's `_cssText`: CSS.
        case css
        /// rrweb's `rr_dataURL`: a canvas or image as a data URL.
        case dataURL
        /// `value`: typed text in a text-like field, markup elsewhere.
        case value
        /// `type` (of an `<input>`).
        case type
        /// An attribute whose value is a URL.
        case url
        case other

        /// Attribute names are ASCII case-insensitive.
        init(_ t: UnsafeRawBufferPointer) {
            switch t.count {
            case 3: self = text(t, isFolded: "src") ? .url : .other
            case 4:
                if text(t, isFolded: "href") || text(t, isFolded: "data") || text(t, isFolded: "ping") || text(t, isFolded: "cite") { self = .url }
                else if text(t, isFolded: "type") { self = .type }
                else { self = .other }
            case 5:
                self = text(t, isFolded: "style") ? .css : text(t, isFolded: "value") ? .value : .other
            case 6:
                self = text(t, isFolded: "action") || text(t, isFolded: "poster") || text(t, isFolded: "srcset") || text(t, isFolded: "rr_src") ? .url : .other
            case 8:
                if text(t, isFolded: "_csstext") { self = .css }
                else if text(t, isFolded: "manifest") || text(t, isFolded: "codebase") || text(t, isFolded: "longdesc") { self = .url }
                else { self = .other }
            case 10:
                if text(t, isFolded: "rr_dataurl") { self = .dataURL }
                else if text(t, isFolded: "formaction") || text(t, isFolded: "background") || text(t, isFolded: "xlink:href") { self = .url }
                else { self = .other }
            case 11: self = text(t, isFolded: "content-url") ? .url : .other
            default: self = .other
            }
        }
    }

    /// `<input>` types whose `value` the user does not type.
    static func isNonTypedInputType(_ t: UnsafeRawBufferPointer) -> Bool {
        switch t.count {
        case 4: return text(t, isFolded: "file")
        case 5: return text(t, isFolded: "reset") || text(t, isFolded: "image") || text(t, isFolded: "radio")
        case 6: return text(t, isFolded: "submit") || text(t, isFolded: "button") || text(t, isFolded: "hidden")
        case 8: return text(t, isFolded: "checkbox")
        default: return false
        }
    }
}

extension EventWalker.Tag {
    /// Element names are ASCII case-insensitive.
    init(_ t: UnsafeRawBufferPointer) {
        switch t.count {
        case 5: self = EventWalker.text(t, isFolded: "style") ? .style : EventWalker.text(t, isFolded: "input") ? .input : .other
        case 6: self = EventWalker.text(t, isFolded: "select") ? .select : EventWalker.text(t, isFolded: "canvas") ? .canvas
            : EventWalker.text(t, isFolded: "button") ? .button : .other
        case 8: self = EventWalker.text(t, isFolded: "textarea") ? .textarea : .other
        default: self = .other
        }
    }
}
