extension JSONEvent {
    /// The keys of the members that a later member of the same object repeats, in tape
    /// order, with their objects: `JSON.parse`, and so a replay player, keeps only the last
    /// member of a key, so the earlier ones never replay. Keys are compared as they decode
    /// (`"te\u0078t"` repeats `"text"`). One pass over the whole event with a set of keys per
    /// object: asked only of an event that `sawRepeatedKey`.
    public func shadowedKeys() -> [(key: JSONValueRef, object: JSONValueRef)] {
        let n = tokenCount
        var found: [(key: JSONValueRef, object: JSONValueRef)] = []
        var last: [[UInt8]: Int] = [:]
        var keys: [(Int, [UInt8])] = []
        for i in 0..<n {
            // An object with two members or more: its token, then key, value, key, value.
            let t = token(i)
            guard t.kind == .object, Int(t.next) - i >= 5 else { continue }
            last.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
            for (key, _) in membersInPlace(of: JSONValueRef(index: i)) {
                let text = stringBytes(key)
                keys.append((key.index, text))
                last[text] = key.index
            }
            for (k, text) in keys where last[text] != k { found.append((JSONValueRef(index: k), JSONValueRef(index: i))) }
        }
        return found
    }
}
