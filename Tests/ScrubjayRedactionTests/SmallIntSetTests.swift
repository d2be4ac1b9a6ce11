import Testing
@testable import ScrubjayRedaction

@Suite("SmallIntSet")
struct SmallIntSetTests {
    /// The same answers as `Set` on both sides of the switch from a list to a hashed set.
    @Test(arguments: [0, 1, 16, 17, 500])
    func answersAsSetDoes(count: Int) {
        var small = SmallIntSet()
        var reference = Set<Int>()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<count {
            let x = Int.random(in: 0..<(count + 5), using: &generator)
            small.insert(x)
            reference.insert(x)
        }
        for x in -1...(count + 6) { #expect(small.contains(x) == reference.contains(x), "\(x)") }
    }
}
