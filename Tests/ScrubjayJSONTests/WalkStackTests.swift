import Testing
import ScrubjayJSON

@Suite("Walk stacks")
struct WalkStackTests {
    @Test func reverseTailReversesOnlyFromItsStart() {
        for count in 0..<7 {
            for start in 0...count {
                var a = Array(0..<count)
                a.reverseTail(from: start)
                #expect(a == Array(0..<start) + Array((start..<count).reversed()), "count \(count), start \(start)")
            }
        }
    }
}
