import Foundation
import Testing
@testable import ScrubjayPackage

/// The two-thread hand-off `pack` and `redact` build packages with: the same outcome as
/// running the two stages one item after the other.
@Suite("Hand-off between two stages")
struct HandOffTests {
    struct Failure: Error, Equatable { let stage: String; let item: Int }

    /// Runs both stages over `count` items, failing where told; what the consumer saw, and
    /// the error thrown.
    func run(_ count: Int, producerFailsAt: Int? = nil, consumerFailsAt: Int? = nil, slowConsumer: Bool = false) -> (seen: [Int], error: Failure?) {
        var seen: [Int] = []
        do {
            try HandOff.run(produce: { keep in
                for i in 0..<count {
                    if i == producerFailsAt { throw Failure(stage: "produce", item: i) }
                    try keep(i)
                }
            }, consume: { (i: Int) in
                if slowConsumer && i % 100 == 0 { usleep(200) }
                if i == consumerFailsAt { throw Failure(stage: "consume", item: i) }
                seen.append(i)
            })
            return (seen, nil)
        } catch let f as Failure {
            return (seen, f)
        } catch {
            Issue.record("unexpected error \(error)")
            return (seen, nil)
        }
    }

    @Test func everyItemArrivesInOrder() {
        for count in [0, 1, HandOff.batchSize - 1, HandOff.batchSize, HandOff.batchSize + 1, HandOff.batchSize * HandOff.capacity * 5 + 7] {
            let (seen, error) = run(count, slowConsumer: count > 1000)
            #expect(error == nil && seen == Array(0..<count), "\(count) items")
        }
    }

    /// The error a sequential run meets first: item by item, the consumer's stage comes right
    /// after the producer's, so a consumer failure at an earlier item wins.
    @Test func theFirstErrorInSequentialOrderIsReported() {
        let n = HandOff.batchSize * 20
        // The consumer fails: the producer stops at its next hand-off; nothing after is seen.
        var (seen, error) = run(n, consumerFailsAt: 1000)
        #expect(error == Failure(stage: "consume", item: 1000) && seen == Array(0..<1000))
        // The producer fails: everything handed on before is consumed first.
        (seen, error) = run(n, producerFailsAt: 3000)
        #expect(error == Failure(stage: "produce", item: 3000) && seen == Array(0..<3000))
        // Both fail, the consumer at an earlier item (though later in time): the consumer's.
        (seen, error) = run(n, producerFailsAt: 3000, consumerFailsAt: 2999)
        #expect(error == Failure(stage: "consume", item: 2999) && seen == Array(0..<2999))
        // Both fail, the producer at an earlier item: the consumer never gets that far.
        (seen, error) = run(n, producerFailsAt: 500, consumerFailsAt: 2999)
        #expect(error == Failure(stage: "produce", item: 500) && seen == Array(0..<500))
    }
}
