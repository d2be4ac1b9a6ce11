/// A set of node ids that mostly holds a handful: a list searched in order while it is short
/// (no hashing, no allocation for none), a `Set` once it is not, so a mutation that names
/// thousands of nodes costs no more per id than a hashed set.
struct SmallIntSet {
    private var list: [Int] = []
    private var hashed: Set<Int>?
    private static let listLimit = 16

    mutating func insert(_ x: Int) {
        if hashed != nil { hashed!.insert(x); return }
        if list.contains(x) { return }
        list.append(x)
        if list.count > SmallIntSet.listLimit {
            hashed = Set(list)
            list = []
        }
    }

    func contains(_ x: Int) -> Bool {
        if let hashed { return hashed.contains(x) }
        return list.contains(x)
    }
}
