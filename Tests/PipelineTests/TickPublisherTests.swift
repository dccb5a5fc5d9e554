import CryptoVizCore
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Pipeline

/// A real in-process bus behind a switch that makes it refuse publishes, as a broker outage does.
final class SwitchableBus: Bus {
    let inner: InProcessBus
    let down = Mutex(false)
    init(inner: InProcessBus) { self.inner = inner }
    func setDown(_ value: Bool) { down.withLock { $0 = value } }
    func ensureTopics(_ topics: [String], partitions: Int) async throws { try await inner.ensureTopics(topics, partitions: partitions) }
    func publish(_ messages: consuming [OutgoingMessage]) async throws {
        if down.withLock({ $0 }) { throw PipelineError("broker unreachable (switched off)") }
        try await inner.publish(messages)
    }
    func consumer(group: String, topics: [String], listener: RebalanceListener) async throws -> any BusConsumer {
        try await inner.consumer(group: group, topics: topics, listener: listener)
    }
}

/// A broker that stops answering: publishes hang and ignore cancellation (seen with a real
/// producer stuck in a storm of OUT_OF_ORDER_SEQUENCE_NUMBER after a broker restart).
final class HangingBus: Bus {
    let inner: InProcessBus
    let hanging = Mutex(false)
    let refusing = Mutex(false)
    init(inner: InProcessBus) { self.inner = inner }
    func ensureTopics(_ topics: [String], partitions: Int) async throws { try await inner.ensureTopics(topics, partitions: partitions) }
    func publish(_ messages: consuming [OutgoingMessage]) async throws {
        if refusing.withLock({ $0 }) { throw PipelineError("broker unreachable (switched off)") }
        if hanging.withLock({ $0 }) { await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in } }
        try await inner.publish(messages)
    }
    func consumer(group: String, topics: [String], listener: RebalanceListener) async throws -> any BusConsumer {
        try await inner.consumer(group: group, topics: topics, listener: listener)
    }
}

@Suite struct TickPublisherTests {
    func ticks(_ range: Range<Int>) -> [Tick] {
        range.map { Tick(source: .coinGecko, asset: "bitcoin", symbol: "BTC", price: Double($0 + 1),
                         sourceTimeMillis: 1_764_000_000_000 + Int64($0), collectedTimeMillis: 0) }
    }

    func readAll(_ bus: InProcessBus, topic: String) async throws -> [Int64] {
        let consumer = try await bus.consumer(group: "reader-\(topic)", topics: [topic], listener: RebalanceListener())
        let codec = TickMessageCodec()
        var out: [Int64] = []
        while true {
            let records = try await consumer.poll(maxRecords: 10_000, maxWait: .milliseconds(50))
            if records.isEmpty { return out }
            out += try records.map { try codec.decode($0.value).tick.sourceTimeMillis - 1_764_000_000_000 }
        }
    }

    @Test func publishesToBothTopics() async throws {
        let inner = InProcessBus()
        try await inner.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let publisher = try TickPublisher(bus: inner, logger: .init(label: "test"))
        let run = Task { await publisher.run() }
        await publisher.enqueue(ticks(0..<50))
        await publisher.drained()
        run.cancel()
        await run.value
        #expect(try await readAll(inner, topic: BusTopics.rawData) == Array(0..<50))
        #expect(try await readAll(inner, topic: BusTopics.streaming) == Array(0..<50))
    }

    @Test func outageSpillsToFileAndReplaysInOrder() async throws {
        let inner = InProcessBus()
        try await inner.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 1)
        let bus = SwitchableBus(inner: inner)
        let dir = try TestEnvironment.temporaryDirectory()
        var configuration = TickPublisher.Configuration()
        configuration.maxBufferedTicks = 100
        configuration.spillFile = dir.appendingPathComponent("spill.jsonl")
        configuration.retryDelay = .milliseconds(10)
        configuration.maxRetryDelay = .milliseconds(50)
        let publisher = try TickPublisher(bus: bus, configuration: configuration, logger: .init(label: "test"))
        let run = Task { await publisher.run() }
        await publisher.enqueue(ticks(0..<10))
        await publisher.drained()
        bus.setDown(true)
        for chunk in stride(from: 10, to: 1_000, by: 30) { await publisher.enqueue(ticks(chunk..<min(chunk + 30, 1_000))) }
        // Until the publisher has tried the bus and seen it down (bounded: on a loaded machine
        // its first attempt may come late; a fixed sleep made this test flaky).
        var during = await publisher.currentStats()
        let deadline = ContinuousClock.now + .seconds(10)
        while during.failures == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            during = await publisher.currentStats()
        }
        #expect(during.spilled > 0, "overflow beyond 100 buffered ticks went to the spill file")
        #expect(!during.busAvailable)
        bus.setDown(false)
        await publisher.drained()
        run.cancel()
        await run.value
        #expect(try await readAll(inner, topic: BusTopics.rawData) == Array(0..<1_000), "nothing lost, order kept")
        #expect(!FileManager.default.fileExists(atPath: configuration.spillFile!.path))
    }

    @Test func spillSurvivesARestartOfThePublisher() async throws {
        let inner = InProcessBus()
        try await inner.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 1)
        let bus = SwitchableBus(inner: inner)
        bus.setDown(true)
        let dir = try TestEnvironment.temporaryDirectory()
        var configuration = TickPublisher.Configuration()
        configuration.maxBufferedTicks = 10
        configuration.spillFile = dir.appendingPathComponent("spill.jsonl")
        configuration.retryDelay = .milliseconds(10)
        let first = try TickPublisher(bus: bus, configuration: configuration, logger: .init(label: "test"))
        let run = Task { await first.run() }
        await first.enqueue(ticks(0..<25))
        run.cancel()
        await run.value  // shutdown while the bus is down: everything lands in the spill file
        bus.setDown(false)
        let second = try TickPublisher(bus: bus, configuration: configuration, logger: .init(label: "test"))
        let run2 = Task { await second.run() }
        await second.drained()
        run2.cancel()
        await run2.value
        #expect(try await readAll(inner, topic: BusTopics.rawData) == Array(0..<25))
    }

    /// A send that never returns is given up at the stop, and what it carried is spilled with
    /// the rest: nothing accepted is lost, whether it was in memory, in flight or in the file.
    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func aSendThatNeverReturnsIsGivenUpAndItsTicksAreSpilled(outageFirst: Bool) async throws {
        let dir = try TestEnvironment.temporaryDirectory("publisher-hang")
        let inner = InProcessBus()
        try await inner.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        let bus = HangingBus(inner: inner)
        var configuration = TickPublisher.Configuration()
        configuration.spillFile = dir.appendingPathComponent("spill.jsonl")
        configuration.maxBufferedTicks = 50
        configuration.batchSize = 40
        configuration.retryDelay = .milliseconds(10)
        configuration.maxRetryDelay = .milliseconds(20)
        configuration.drain = DrainBudget(timeout: .milliseconds(200), grace: .milliseconds(100))
        let publisher = try TickPublisher(bus: bus, configuration: configuration, logger: .init(label: "test"))
        let run = Task { await publisher.run() }
        // With an outage first, some ticks are in the spill file when the broker starts to hang;
        // without, the hanging send holds a batch taken from memory.
        bus.refusing.withLock { $0 = outageFirst }
        bus.hanging.withLock { $0 = !outageFirst }
        await publisher.enqueue(ticks(0..<(outageFirst ? 120 : 30)))
        try await Task.sleep(for: .milliseconds(100))
        bus.hanging.withLock { $0 = true }
        bus.refusing.withLock { $0 = false }
        await publisher.enqueue(ticks(outageFirst ? 120..<150 : 30..<150))
        try await Task.sleep(for: .milliseconds(200))
        await publisher.enqueue(ticks(150..<170))
        run.cancel()
        await run.value
        let stats = await publisher.currentStats()
        #expect(stats.lostAtStop == 0, "\(stats)")
        let kept = try SpillFile(url: configuration.spillFile!).readAll().map { try TickMessageCodec().decode($0).tick.price }
        #expect(Set(kept).count == 170 && kept.count == 170, "\(kept.count) lines in the spill file, \(Set(kept).count) distinct ticks")
    }
}
