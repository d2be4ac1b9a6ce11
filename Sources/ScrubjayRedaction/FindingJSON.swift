import ScrubjayJSON
import ScrubjayRules

/// A finding as `JSONEncoder` writes it with `.sortedKeys` and `.withoutEscapingSlashes`,
/// compact (a redaction statement's records) or `.prettyPrinted` (`audit --format json`), written
/// here because `JSONEncoder` spends about ten microseconds a finding and a recording can have
/// tens of thousands. Members in key order, absent optionals left out, strings escaped as
/// `JSONString.encode` does (short escapes, `\u00xx` for other control characters, slashes as
/// they are), a whole double without its `.0`. Tests compare both styles with `JSONEncoder`.
enum FindingJSON {
    /// Appends the object. `memberIndent`: nil for compact, else the spaces before each member
    /// (the closing brace goes two fewer in). The timestamp must be finite.
    static func write(action: RuleAction, category: RuleCategory, channel: Channel, eventIndex: Int, file: String?,
                      input: String?, kind: String, nodeId: Int?, pointer: String, preview: String?, pseudonym: String?, rule: String,
                      severity: Severity, timestamp: Double?, window: String, memberIndent: Int?, into out: inout [UInt8]) {
        let pad = [UInt8](repeating: 0x20, count: memberIndent ?? 0)
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if memberIndent != nil { out.append(UInt8(ascii: "\n")); out += pad }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out += memberIndent == nil ? [UInt8(ascii: "\""), UInt8(ascii: ":")] : [UInt8(ascii: "\""), 0x20, UInt8(ascii: ":"), 0x20]
        }
        func string(_ s: String) {
            var s = s
            s.withUTF8 { JSONString.encode(utf8: UnsafeRawBufferPointer($0), into: &out) }
        }
        out.append(UInt8(ascii: "{"))
        key("action"); string(action.rawValue)
        key("category"); string(category.rawValue)
        key("channel"); string(channel.rawValue)
        key("eventIndex"); out += Array(String(eventIndex).utf8)
        if let file { key("file"); string(file) }
        if let input { key("input"); string(input) }
        key("kind"); string(kind)
        if let nodeId { key("nodeId"); out += Array(String(nodeId).utf8) }
        key("pointer"); string(pointer)
        if let preview { key("preview"); string(preview) }
        if let pseudonym { key("pseudonym"); string(pseudonym) }
        key("rule"); string(rule)
        key("severity"); string(severity.rawValue)
        if let timestamp {
            key("timestamp")
            var text = timestamp.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            out += Array(text.utf8)
        }
        key("window"); string(window)
        if memberIndent != nil {
            out.append(UInt8(ascii: "\n"))
            out += pad.dropLast(2)
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension Finding {
    /// The finding as an element of `audit --format json`'s findings list, whose items start
    /// `indent` spaces in (`FindingJSON`; the timestamp must be finite).
    func prettyJSON(indent: Int, into out: inout [UInt8]) {
        FindingJSON.write(action: action, category: category, channel: channel, eventIndex: eventIndex, file: nil, input: input, kind: kind,
                          nodeId: nodeId, pointer: pointer, preview: preview, pseudonym: pseudonym, rule: rule, severity: severity,
                          timestamp: timestamp, window: window, memberIndent: indent + 2, into: &out)
    }
}
