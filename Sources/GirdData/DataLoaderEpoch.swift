import Foundation
import GirdTensor

extension DataLoader {
    /// One pass over the data, from a given batch on. A background thread
    /// loads batches into a queue at most `prefetch` long while the consumer
    /// works; `next()` takes them in order. Dropping the epoch (breaking out
    /// of the loop) or calling `stop()` ends the worker and waits for it.
    public final class Epoch {
        public let epoch: Int
        /// The next batch `next()` will return; a checkpoint saves this.
        public private(set) var position: Position
        private let queue: BatchQueue
        private let batchCount: Int

        init(loader: DataLoader, epoch: Int, firstBatch: Int) {
            self.epoch = epoch
            self.position = Position(epoch: epoch, batch: firstBatch)
            self.batchCount = loader.batchCount
            let queue = BatchQueue(capacity: loader.prefetch)
            self.queue = queue
            // The worker holds the loader and the queue, never the epoch, so
            // that the epoch's deinit runs when the consumer lets go of it.
            let batches = firstBatch..<Swift.max(firstBatch, loader.batchCount)
            let thread = Thread {
                defer { queue.finish() }
                let order = loader.order(epoch: epoch)
                for batch in batches {
                    let result = Result { try loader.loadBatch(batch, epoch: epoch, order: order) }
                    guard queue.push(result) else { return }
                    if case .failure = result { return }
                }
            }
            thread.name = "gird-data-loader"
            queue.workerStarted()
            thread.start()
        }

        deinit { stop() }

        /// The next batch, waiting for the worker if it has not finished it;
        /// nil at the end of the epoch (or after `stop()`). Rethrows the
        /// worker's error, after which the epoch is over.
        public func next() throws -> (images: Tensor, labels: Tensor)? {
            guard position.batch < batchCount, let result = queue.pop() else { return nil }
            switch result {
            case let .success(batch):
                position.batch += 1
                return batch
            case let .failure(error):
                position.batch = batchCount
                stop()
                throw error
            }
        }

        /// Ends the worker and waits until its thread has left its loop (at
        /// most the batch it is loading).
        public func stop() {
            queue.cancel()
            queue.waitForWorker()
        }

        /// How long `next()` has spent waiting for the worker, in seconds.
        public var waitSeconds: Double { queue.waitSeconds }
    }

    /// A bounded FIFO between one producer thread and one consumer, on one NSCondition.
    final class BatchQueue: @unchecked Sendable {
        typealias Item = Result<(images: Tensor, labels: Tensor), Error>
        private let condition = NSCondition()
        private let capacity: Int
        private var items: [Item] = []
        private var cancelled = false
        private var finished = false
        private var workerRunning = false
        private(set) var waitSeconds = 0.0

        /// Worker threads that have not yet returned, in all queues (for tests).
        nonisolated(unsafe) static var liveWorkers = 0
        private static let liveWorkersLock = NSLock()

        init(capacity: Int) { self.capacity = capacity }

        func workerStarted() {
            condition.lock(); workerRunning = true; condition.unlock()
            Self.liveWorkersLock.lock(); Self.liveWorkers += 1; Self.liveWorkersLock.unlock()
        }

        /// Waits for room; false if the consumer has gone.
        func push(_ item: Item) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while items.count >= capacity && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            items.append(item)
            condition.broadcast()
            return true
        }

        /// The oldest item, waiting for one; nil once the worker is done and the queue empty.
        func pop() -> Item? {
            condition.lock()
            defer { condition.unlock() }
            let start = DispatchTime.now().uptimeNanoseconds
            while items.isEmpty && !finished && !cancelled { condition.wait() }
            waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            guard !items.isEmpty, !cancelled else { return nil }
            condition.broadcast()
            return items.removeFirst()
        }

        /// Called by the worker as it returns.
        func finish() {
            Self.liveWorkersLock.lock(); Self.liveWorkers -= 1; Self.liveWorkersLock.unlock()
            condition.lock()
            finished = true
            workerRunning = false
            condition.broadcast()
            condition.unlock()
        }

        func cancel() {
            condition.lock()
            cancelled = true
            items.removeAll()
            condition.broadcast()
            condition.unlock()
        }

        func waitForWorker() {
            condition.lock()
            while workerRunning { condition.wait() }
            condition.unlock()
        }
    }
}
