/// The members of an rrweb serialized node (rrweb-snapshot's `serializedNode`) that Scrubjay
/// reads, told apart from a key's text in one comparison or two (by length first): a walk
/// meets hundreds of thousands of keys. The DOM mirror, the redaction walker and the page
/// rules all read nodes through this one classification.
public enum SerializedNodeMember {
    case type, id, tagName, attributes, childNodes, textContent, isStyle, isSVG, isShadow, isShadowHost, other

    /// Classifies a key's text (decoded: `JSONEvent.withText`).
    public init(_ t: UnsafeRawBufferPointer) {
        @inline(__always) func equals(_ name: StaticString) -> Bool {
            let p = name.utf8Start
            for k in 0..<t.count where t[k] != p[k] { return false }
            return true
        }
        switch t.count {
        case 2: self = equals("id") ? .id : .other
        case 4: self = equals("type") ? .type : .other
        case 5: self = equals("isSVG") ? .isSVG : .other
        case 7: self = equals("tagName") ? .tagName : equals("isStyle") ? .isStyle : .other
        case 8: self = equals("isShadow") ? .isShadow : .other
        case 10: self = equals("attributes") ? .attributes : equals("childNodes") ? .childNodes : .other
        case 11: self = equals("textContent") ? .textContent : .other
        case 12: self = equals("isShadowHost") ? .isShadowHost : .other
        default: self = .other
        }
    }
}
