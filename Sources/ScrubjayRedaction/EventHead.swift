import ScrubjayFormats
import ScrubjayJSON

/// What every stage of the redactor asks of an event first, read once per event: its
/// `type`, its `data` and, in an incremental snapshot, the `source` inside it. Each is a
/// search of an object's members; the pointer-movement test, the page rules, the structured
/// payloads and the walker each made those searches again for every event.
///
/// The event is borrowed, not taken: an initializer's parameters are owned by default,
/// which copied the event (a retain and release of its bytes and its tape) for every event.
struct EventHead {
    /// The root's integer `type` (nil when the root is not an object or has none).
    let type: Int?
    /// The root's `data` member, of any kind (nil when there is none).
    let data: JSONValueRef?
    /// `data.source` of an incremental snapshot whose `data` is an object (nil otherwise).
    let source: Int?

    init(_ e: borrowing JSONEvent) {
        let root = e.root
        guard e.kind(root) == .object else {
            type = nil; data = nil; source = nil
            return
        }
        type = e.int("type", of: root)
        let data = e.member("data", of: root)
        self.data = data
        if type == RRWebEventType.incrementalSnapshot.rawValue, let data {
            source = e.int("source", of: data) // nil unless `data` is an object
        } else {
            source = nil
        }
    }

    /// `data` when it is an object.
    func objectData(in e: JSONEvent) -> JSONValueRef? {
        guard let data, e.kind(data) == .object else { return nil }
        return data
    }
}
