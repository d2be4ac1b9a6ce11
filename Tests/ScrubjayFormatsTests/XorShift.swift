/// A deterministic pseudo-random generator (xorshift64) for this target's randomized tests,
/// so that a failure reproduces.
struct XorShift {
    var state: UInt64

    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }

    /// A number in 0..<n.
    mutating func next(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
