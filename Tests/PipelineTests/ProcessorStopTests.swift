import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Pipeline

/// What the processor does with its last batch when the stop arrives: a commit in flight
/// finishes; a commit that cannot be made goes to the spill file, which the publisher replays
/// at the next start, exactly once.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ProcessorStopTests {
    static let base: Int64 = currentUnixMillis() - 600_000

    func ticks(_ range: Range<Int>) -> [Tick] {
        range.map { i in
            Tick(source: .binance, asset: AssetID("asset-\(i % 5)"), symbol: "A\(i % 5)", price: 10 + Double(i),
                 sourceTimeMillis: Self.base + Int64(i) * 1_000, collectedTimeMillis: Self.base + Int64(i) * 1_000 + 20)
        }
    }

    func publish(_ ticks: [Tick], to bus: InProcessBus) async throws {
        let codec = TickMessageCodec()
        try await bus.publish(try ticks.map { try codec.encode($0, topic: BusTopics.rawData, producedAtMillis: currentUnixMillis()) })
    }

    func lakeCounts(_ path: String) throws -> (rows: Int, events: Int) {
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        return (json["deltalake"]?["rows"] as? Int ?? -1, json["deltalake"]?["events"] as? Int ?? -1)
    }

    func configuration(drain: Duration, spill: URL?) -> StreamProcessor.Configuration {
        var c = StreamProcessor.Configuration()
        c.maxBatchRecords = 100
        c.trigger = .milliseconds(50)
        c.retryDelay = .milliseconds(20)
        c.drain = DrainBudget(timeout: drain)
        c.stopSpillFile = spill
        return c
    }

    /// An S3 client gives up on a cancelled task; here the commit waits like a slow upload and
    /// would throw `CancellationError` if the stop's cancellation reached it.
    @Test func aCommitInFlightAtTheStopFinishes() async throws {
        let dir = try TestEnvironment.temporaryDirectory("processor-stop-inflight")
        let lake = SlowLake(table: try await TickTable.open(store: try LocalFileStore(root: dir.path)), delay: .milliseconds(500))
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        try await publish(ticks(0..<250), to: bus)
        let processor = StreamProcessor(bus: bus, lake: lake, configuration: configuration(drain: .seconds(30), spill: nil),
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: .init(label: "test")), logger: .init(label: "test"))
        let run = Task { try await processor.run() }
        for _ in 0..<400 where await lake.started == 0 { try await Task.sleep(for: .milliseconds(5)) }
        run.cancel()  // while the first commit is in flight
        try await run.value
        let stats = await processor.currentStats()
        #expect(stats.committedRecords == 250 && stats.spilledAtStop == 0 && stats.leftOnBusAtStop == 0, "\(stats)")
        #expect(try lakeCounts(dir.path) == (250, 250))
    }

    @Test func aLakeThatCannotCommitAtTheStopSpillsAndTheNextStartCommitsOnce() async throws {
        let dir = try TestEnvironment.temporaryDirectory("processor-stop-spill")
        let spill = dir.appendingPathComponent("spill/ticks.jsonl")
        let deadLetters = DeadLetterQueue(fileURL: nil, logger: .init(label: "test"))
        let table = try await TickTable.open(store: try LocalFileStore(root: dir.appendingPathComponent("lake").path))

        // First run: 120 ticks committed, then the lake fails; 180 more are read but not committed.
        let broken = BreakableLake(table: table)
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        let first = StreamProcessor(bus: bus, lake: broken, configuration: configuration(drain: .milliseconds(300), spill: spill),
                                    deadLetters: deadLetters, logger: .init(label: "test"))
        let run = Task { try await first.run() }
        try await publish(ticks(0..<120), to: bus)
        for _ in 0..<400 where await first.currentStats().committedRecords < 120 { try await Task.sleep(for: .milliseconds(5)) }
        await broken.breakIt()
        try await publish(ticks(120..<300), to: bus)
        try await Task.sleep(for: .milliseconds(200))
        run.cancel()
        try await run.value
        let stats = await first.currentStats()
        #expect(stats.committedRecords == 120 && stats.spilledAtStop == 180 && stats.lostAtStop == 0, "\(stats)")
        #expect(try lakeCounts(dir.appendingPathComponent("lake").path) == (120, 120))

        // Next start: the publisher replays the spill file before anything new; one commit each.
        let nextBus = InProcessBus(configuration: try await .continuing(from: table, group: StreamProcessor.Configuration().group))
        try await nextBus.ensureTopics([BusTopics.rawData, BusTopics.streaming], partitions: 3)
        var publisherConfiguration = TickPublisher.Configuration()
        publisherConfiguration.spillFile = spill
        let publisher = try TickPublisher(bus: nextBus, configuration: publisherConfiguration, logger: .init(label: "test"))
        let publishing = Task { await publisher.run() }
        await publisher.enqueue(ticks(300..<310))
        await publisher.drained()
        let second = StreamProcessor(bus: nextBus, lake: table, configuration: configuration(drain: .seconds(30), spill: spill),
                                     deadLetters: deadLetters, logger: .init(label: "test"))
        let secondRun = Task { try await second.run() }
        for _ in 0..<400 where await second.currentStats().committedRecords < 190 { try await Task.sleep(for: .milliseconds(5)) }
        secondRun.cancel()
        try await secondRun.value
        publishing.cancel()
        await publishing.value
        #expect(!FileManager.default.fileExists(atPath: spill.path), "the spill file was replayed and removed")
        #expect(try lakeCounts(dir.appendingPathComponent("lake").path) == (310, 310))
    }
}

/// The real tick table behind a commit that first waits like a slow upload.
private actor SlowLake: LakeWriter {
    let table: TickTable
    let delay: Duration
    private(set) var started = 0

    init(table: TickTable, delay: Duration) {
        self.table = table
        self.delay = delay
    }

    func append(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64 {
        started += 1
        try await Task.sleep(for: delay)
        return try await table.append(records, transactions: transactions)
    }

    func transactionVersion(appId: String) async throws -> Int64? { try await table.transactionVersion(appId: appId) }
    func setOwned(_ partitions: Set<BusPartition>) async {}
    func maintain() async {}
    func fallbackStats() async -> FailoverLake.Stats? { nil }
}

/// The real tick table, until `breakIt()`: then every commit fails like a full disk.
private actor BreakableLake: LakeWriter {
    let table: TickTable
    private var broken = false

    init(table: TickTable) { self.table = table }

    func breakIt() { broken = true }

    func append(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64 {
        if broken { throw PipelineError("no space left on device") }
        return try await table.append(records, transactions: transactions)
    }

    func transactionVersion(appId: String) async throws -> Int64? { try await table.transactionVersion(appId: appId) }
    func setOwned(_ partitions: Set<BusPartition>) async {}
    func maintain() async {}
    func fallbackStats() async -> FailoverLake.Stats? { nil }
}
