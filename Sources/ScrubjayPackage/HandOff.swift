import Foundation

/// Two stages over a stream of items, each on its own thread: `produce` (on the calling
/// thread) hands items to `consume` (on a thread of its own) in order, in batches, with a
/// bounded number of batches waiting (memory stays bounded whatever the input's size).
///
/// The outcome is the one running the stages one item after the other would give: when both
/// fail, the error reported is the one the sequential run would have met first. `consume`
/// has seen every item before the producer's failure, so its error, if any, comes first;
/// when `consume` fails, the producer stops at its next hand-off.
///
/// `consume` runs on a real thread (not a queue's), so the hand-off never waits on a stage
/// that cannot run, even on one core.
enum HandOff {
    /// Items per batch (one lock and one wake-up per batch, not per item).
    static let batchSize = 256
    /// Batches handed off and not yet taken, at most.
    static let capacity = 8

    /// Runs `produce`, whose argument hands one item on, beside `consume` over those items.
    static func run<Item>(produce: ((Item) throws -> Void) throws -> Void, consume: (Item) throws -> Void) throws {
        let channel = Channel<Item>()
        try withoutActuallyEscaping(consume) { consume in
            let job = Transfer(consume)
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                defer { done.signal() }
                do {
                    guard let consume = job.value else { return }
                    while let batch = channel.take() {
                        for item in batch { try consume(item) }
                    }
                } catch {
                    channel.fail(error)
                }
            }
            thread.start()
            var batch: [Item] = []
            batch.reserveCapacity(batchSize)
            var producerError: Error?
            do {
                try produce { item in
                    batch.append(item)
                    if batch.count == batchSize {
                        guard channel.put(batch) else { throw Stopped() }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                producerError = error
            }
            // What was handed on before a failure too: the consumer may fail on an earlier item.
            if !(producerError is Stopped) && !batch.isEmpty { _ = channel.put(batch) }
            channel.close()
            done.wait()
            // The thread object may outlive `run`: it must not keep `consume`.
            job.value = nil
            if let error = channel.consumerError { throw error }
            if let producerError { throw producerError }
        }
    }

    /// The producer stopped because the consumer failed (its error is the one reported).
    private struct Stopped: Error {}

    /// A value handed to the consumer's thread, which alone uses it until `run` takes it back.
    private final class Transfer<T>: @unchecked Sendable {
        var value: T?
        init(_ value: T) { self.value = value }
    }

    /// The batches between the two threads.
    private final class Channel<Item>: @unchecked Sendable {
        private let condition = NSCondition()
        private var batches: [[Item]] = []
        private var closed = false
        private(set) var consumerError: Error?

        /// Hands a batch on, waiting while `capacity` batches wait; false when the consumer failed.
        func put(_ batch: [Item]) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while batches.count >= HandOff.capacity && consumerError == nil { condition.wait() }
            guard consumerError == nil else { return false }
            batches.append(batch)
            condition.broadcast()
            return true
        }

        /// The next batch, waiting for one; nil once the producer closed and all were taken.
        func take() -> [Item]? {
            condition.lock()
            defer { condition.unlock() }
            while batches.isEmpty && !closed { condition.wait() }
            guard !batches.isEmpty else { return nil }
            let batch = batches.removeFirst() // at most `capacity` wait: a short shift
            condition.broadcast()
            return batch
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }

        func fail(_ error: Error) {
            condition.lock()
            consumerError = error
            condition.broadcast()
            condition.unlock()
        }
    }
}
