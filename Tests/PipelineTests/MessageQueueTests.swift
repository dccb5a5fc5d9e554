import CryptoVizCore
import Testing
import TestSupport
@testable import Pipeline

/// The publisher's queue keeps FIFO order through batches taken, batches put back and the
/// compaction of its storage, against a plain array doing the same operations.
@Suite struct MessageQueueTests {
    private func message(_ i: Int) -> TickMessage {
        TickMessage(tick: Tick(source: .binance, asset: AssetID("a\(i % 7)"), symbol: "A", price: Double(i),
                               sourceTimeMillis: Int64(i), collectedTimeMillis: Int64(i)), producedAtMillis: Int64(i))
    }

    @Test func matchesAnArrayThroughRandomOperations() {
        var generator = SeededGenerator(seed: 3)
        var queue = MessageQueue()
        var model: [TickMessage] = []
        var next = 0
        for _ in 0..<3_000 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0, 1:
                let n = Int.random(in: 0..<3_000, using: &generator)
                let batch = (next..<(next + n)).map(message)
                next += n
                queue.append(contentsOf: batch)
                model += batch
            case 2:
                let n = Int.random(in: 0..<2_500, using: &generator)
                let taken = queue.takeFront(n)
                #expect(taken == Array(model.prefix(n)))
                model.removeFirst(taken.count)
                // Half the time the send "fails" and the batch goes back in front.
                if Bool.random(using: &generator) {
                    queue.putBack(taken)
                    model.insert(contentsOf: taken, at: 0)
                }
            default:
                if Int.random(in: 0..<50, using: &generator) == 0 {
                    queue.removeAll()
                    model.removeAll()
                }
            }
            #expect(queue.count == model.count)
        }
        #expect(Array(queue.all) == model)
    }
}
