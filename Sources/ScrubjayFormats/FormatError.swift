import ScrubjayJSON

/// A recording that is valid JSON but not a shape Scrubjay reads, or whose compressed
/// fields are corrupt. The message names the file, and the line and event index when known.
public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong.
    public enum Kind: String, Sendable {
        case unknownShape, corruptCompressedField, notAnEvent
    }
    public let kind: Kind
    /// The input file.
    public let file: String
    /// 0-based index of the value in the file (the event, or the line's container).
    public let eventIndex: Int?
    /// 1-based line, for JSON Lines input.
    public let line: Int?
    /// JSON pointer of the offending value inside that event, when there is one.
    public let pointer: String?
    /// Explanation.
    public let detail: String

    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let eventIndex { place.append("event \(eventIndex)") }
        if let pointer, !pointer.isEmpty { place.append("at \(pointer)") }
        return "\(file): " + (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + detail
    }
}
