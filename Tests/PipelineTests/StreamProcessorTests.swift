import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Pipeline

/// The processor against a real in-process bus and a real Delta table on disk, checked by
/// delta-rs and DuckDB.
@Suite struct StreamProcessorTests {
    static let base: Int64 = currentUnixMillis() - 3_600_000

    func ticks(_ range: Range<Int>, assets: Int = 7) -> [Tick] {
        range.map { i in
            Tick(source: i % 2 == 0 ? .coinGecko : .binance, asset: AssetID("asset-\(i % assets)"), symbol: "A\(i % assets)",
                 price: 100 + Double(i), sourceTimeMillis: Self.base + Int64(i) * 1_000, collectedTimeMillis: Self.base + Int64(i) * 1_000 + 50)
        }
    }

    func publish(_ ticks: [Tick], to bus: InProcessBus) async throws {
        let codec = TickMessageCodec()
        try await bus.publish(try ticks.map { try codec.encode($0, topic: BusTopics.rawData, producedAtMillis: currentUnixMillis()) })
    }

    func lakeCounts(_ path: String) throws -> (rows: Int, events: Int, duckRows: Int, duckEvents: Int) {
        let output = try ProcessRunner.oracle("pipeline/lake_events.py", [path]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        return (json["deltalake"]?["rows"] as? Int ?? -1, json["deltalake"]?["events"] as? Int ?? -1,
                json["duckdb"]?["rows"] as? Int ?? -1, json["duckdb"]?["events"] as? Int ?? -1)
    }

    /// A processor over a lake whose commits the test holds (`GatedLake`) and a three-partition
    /// in-process bus already holding 300 ticks of 30 assets.
    private func gatedProcessor(_ label: String, _ configuration: StreamProcessor.Configuration) async throws
        -> (dir: URL, lake: GatedLake, bus: InProcessBus, processor: StreamProcessor) {
        let dir = try TestEnvironment.temporaryDirectory(label)
        let lake = GatedLake(table: try await TickTable.open(store: try LocalFileStore(root: dir.path)))
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        try await publish(ticks(0..<300, assets: 30), to: bus)
        let processor = StreamProcessor(bus: bus, lake: lake, configuration: configuration,
                                        deadLetters: DeadLetterQueue(fileURL: nil, logger: .init(label: "test")), logger: .init(label: "test"))
        return (dir, lake, bus, processor)
    }

    /// delta-rs and DuckDB both find `count` rows and as many distinct events in the lake at `dir`.
    func expectEachOnce(_ count: Int, in dir: URL) throws {
        let counts = try lakeCounts(dir.path)
        #expect(counts.rows == count && counts.events == count, "delta-rs: \(counts)")
        #expect(counts.duckRows == count && counts.duckEvents == count, "DuckDB: \(counts)")
    }

    func configuration(batch: Int = 100) -> StreamProcessor.Configuration {
        var c = StreamProcessor.Configuration()
        c.maxBatchRecords = batch
        c.trigger = .milliseconds(100)
        return c
    }

    @Test func commitsEachEventOnceAndDeadLettersGarbage() async throws {
        let dir = try TestEnvironment.temporaryDirectory("processor")
        let table = try await TickTable.open(store: try LocalFileStore(root: dir.path))
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        let all = ticks(0..<500)
        try await publish(all, to: bus)
        try await publish(Array(all[100..<150]), to: bus)  // re-published: same events
        try await bus.publish([
            OutgoingMessage(topic: BusTopics.rawData, key: [1], value: Array("{\"schema_version\":9,\"type\":\"tick\"}".utf8), timestampMillis: 0),
            OutgoingMessage(topic: BusTopics.rawData, key: [2], value: [0xFF, 0x00], timestampMillis: 0),
        ])
        var invalid = all[0]
        invalid.price = -1
        invalid.sourceTimeMillis += 999_999
        try await publish([invalid], to: bus)

        let deadLetters = DeadLetterQueue(fileURL: dir.appendingPathComponent("dead.jsonl"), logger: .init(label: "test"))
        let processor = StreamProcessor(bus: bus, lake: table, configuration: configuration(), deadLetters: deadLetters, logger: .init(label: "test"))
        let run = Task { try await processor.run() }
        for _ in 0..<200 where await processor.currentStats().consumed < 553 { try await Task.sleep(for: .milliseconds(50)) }
        run.cancel()
        try await run.value

        let stats = await processor.currentStats()
        #expect(stats.committedRecords == 500)
        #expect(stats.duplicates == 50)
        #expect(stats.deadLettered == 2)
        #expect(stats.rejected["non_positive_price"] == 1)
        #expect(deadLetters.counts == ["unknown_schema_version": 1, "malformed": 1, "invalid_tick": 1])
        #expect(try String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8).split(separator: "\n").count == 3)

        let counts = try lakeCounts(dir.path)
        #expect(counts.rows == 500 && counts.events == 500, "delta-rs: \(counts)")
        #expect(counts.duckRows == 500 && counts.duckEvents == 500, "DuckDB: \(counts)")
        let rows = try await table.ticks()
        #expect(Set(rows.map(\.busTopic)) == [BusTopics.rawData])
        #expect(rows.allSatisfy { $0.busOffset >= 0 && $0.processedTimeMillis >= $0.ingestedTimeMillis - 1_000 })
    }

    @Test func crashBeforeCommitThenRestartLosesAndDuplicatesNothing() async throws {
        let dir = try TestEnvironment.temporaryDirectory("processor-crash")
        let store = try LocalFileStore(root: dir.path)
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        try await publish(ticks(0..<300), to: bus)
        let logger = Logger(label: "test")
        let deadLetters = DeadLetterQueue(fileURL: nil, logger: logger)

        // First member: commits what it polled, then reads more and "crashes" with that batch pending.
        let group = "g-\(UUID().uuidString.prefix(6))"
        var c = configuration(batch: 120)
        c.group = group
        let crashing = StreamProcessor(bus: bus, lake: try await TickTable.open(store: store), configuration: c,
                                       deadLetters: deadLetters, logger: logger)
        let consumer = try await bus.consumer(group: group, topics: [BusTopics.rawData], listener: RebalanceListener())
        try await crashing.step(consumer: consumer, maxWait: .milliseconds(50))  // 300 read, ≥120 pending → committed
        let afterCrash = try await TickTable.open(store: store).ticks().count
        #expect(afterCrash == 300, "the first step commits everything it polled")
        try await publish(ticks(300..<450), to: bus)
        // Read the next records but die before committing them (no flush: batch not due).
        var slow = c
        slow.maxBatchRecords = 10_000
        slow.trigger = .seconds(3600)
        let dying = StreamProcessor(bus: bus, lake: try await TickTable.open(store: store), configuration: slow,
                                    deadLetters: deadLetters, logger: logger)
        try await dying.step(consumer: consumer, maxWait: .milliseconds(50))
        #expect(await dying.currentStats().committedRecords == 0)
        await consumer.close()  // the process is gone; the group's bus offsets were never committed past 300

        // Restart: a new member resumes from the lake's txn versions.
        let restarted = StreamProcessor(bus: bus, lake: try await TickTable.open(store: store), configuration: c,
                                        deadLetters: deadLetters, logger: logger)
        let run = Task { try await restarted.run() }
        for _ in 0..<200 where await restarted.currentStats().committedRecords < 150 { try await Task.sleep(for: .milliseconds(50)) }
        run.cancel()
        try await run.value
        let counts = try lakeCounts(dir.path)
        #expect(counts.rows == 450 && counts.events == 450, "\(counts)")
    }

    /// The poll loop and a revocation callback can both flush; their flushes must take turns,
    /// or the same pending rows are appended twice (into a fallback table, say).
    @Test func concurrentFlushesTakeTurnsAndAppendEachRowOnce() async throws {
        let dir = try TestEnvironment.temporaryDirectory("processor-flush")
        let lake = OverlapRecordingLake(table: try await TickTable.open(store: try LocalFileStore(root: dir.path)))
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.rawData], partitions: 3)
        try await publish(ticks(0..<300), to: bus)
        var c = configuration(batch: 10_000)
        c.trigger = .seconds(3600)
        let deadLetters = DeadLetterQueue(fileURL: dir.appendingPathComponent("dead.jsonl"), logger: .init(label: "test"))
        let processor = StreamProcessor(bus: bus, lake: lake, configuration: c, deadLetters: deadLetters, logger: .init(label: "test"))
        let consumer = try await bus.consumer(group: "g", topics: [BusTopics.rawData], listener: RebalanceListener())
        try await processor.step(consumer: consumer, maxWait: .milliseconds(50))  // 300 pending, none due
        let partitions = (0..<3).map { BusPartition(topic: BusTopics.rawData, partition: Int32($0)) }
        async let first: Void = processor.revoke(partitions)
        async let second: Void = processor.revoke(partitions)
        _ = try await (first, second)
        let figures = await lake.figures
        #expect(figures.maximumConcurrent == 1, "appends overlapped")
        #expect(figures.rows == 300, "rows appended: \(figures.rows)")
        #expect(try lakeCounts(dir.path).rows == 300)
        await consumer.close()
    }

    /// The run loop reads on while its own commit is written, and what it read meanwhile goes in
    /// the next commit: every record once.
    @Test func theRunLoopReadsOnWhileACommitIsWritten() async throws {
        let (dir, lake, bus, processor) = try await gatedProcessor("processor-overlap", configuration(batch: 100))
        let run = Task { try await processor.run() }
        for _ in 0..<200 where await lake.started == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await lake.started == 1, "a commit is in flight")
        try await publish(ticks(300..<450, assets: 30), to: bus)
        for _ in 0..<200 where await processor.currentStats().consumed < 450 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await processor.currentStats().consumed == 450, "read on while the commit was held")
        #expect(await lake.started == 1, "one commit at a time")
        await lake.release()
        for _ in 0..<200 where await processor.currentStats().committedRecords < 450 { try await Task.sleep(for: .milliseconds(20)) }
        run.cancel()
        try await run.value
        try expectEachOnce(450, in: dir)
    }

    /// Records read while a commit is written wait for their own trigger, not the one the commit
    /// answered: else every time-triggered commit is followed at once by a tiny one.
    @Test func recordsReadDuringACommitWaitTheirOwnTrigger() async throws {
        var c = configuration(batch: 10_000)
        c.trigger = .seconds(3)
        let (dir, lake, bus, processor) = try await gatedProcessor("processor-trigger", c)
        let run = Task { try await processor.run() }
        for _ in 0..<600 where await lake.started == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try #require(await lake.started == 1, "the time trigger started a commit")
        try await publish(ticks(300..<450, assets: 30), to: bus)
        // Held past another whole trigger, so the first records' instant is long gone.
        try await Task.sleep(for: .seconds(3.5))
        await lake.release()
        for _ in 0..<200 where await processor.currentStats().commits < 1 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(500))
        let stats = await processor.currentStats()
        #expect(stats.commits == 1 && stats.committedRecords == 300, "one commit, then the next waits: \(stats.commits) commits")
        run.cancel()
        try await run.value
        #expect(try lakeCounts(dir.path).rows == 450)
    }

    /// The poll loop reads on while a revocation's flush commits. What it read then must not be
    /// wiped by that commit: records of the partitions kept stay pending, and those of the
    /// revoked partition are read again, and committed, when the partition comes back. (A
    /// cluster test once lost a whole poll this way: the revoked partition returned to the
    /// same member, whose dedupe then took the re-read records for duplicates.)
    @Test func recordsReadWhileARevocationCommitsAreNeitherLostNorDoubled() async throws {
        var c = configuration(batch: 10_000)
        c.trigger = .seconds(3600)
        let (dir, lake, bus, processor) = try await gatedProcessor("processor-revoke-read", c)
        let consumer = try await bus.consumer(group: c.group, topics: [BusTopics.rawData], listener: RebalanceListener())
        try await processor.step(consumer: consumer, maxWait: .milliseconds(50))  // 300 pending, none due
        try await publish(ticks(300..<450, assets: 30), to: bus)

        let revokedPartition = BusPartition(topic: BusTopics.rawData, partition: 2)
        let revocation = Task { try await processor.revoke([revokedPartition]) }
        for _ in 0..<200 where await lake.started == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await lake.started == 1, "the revocation's commit is in flight")
        try await processor.step(consumer: consumer, maxWait: .milliseconds(50))  // 150 more, read meanwhile
        await lake.release()
        try await revocation.value
        #expect(try await lake.table.ticks().count == 300, "the revocation committed what was pending when it began")
        await consumer.close()

        // All three partitions come back to this member (a rebalance of one member, as in a group
        // whose other member died); it resumes each at the lake's position.
        let run = Task { try await processor.run() }
        // 300 + 150 read before; the 150 above the lake's positions read again. The stop commits them.
        for _ in 0..<200 where await processor.currentStats().consumed < 600 { try await Task.sleep(for: .milliseconds(50)) }
        run.cancel()
        try await run.value
        try expectEachOnce(450, in: dir)
    }
}

/// The real tick table behind a `LakeWriter` whose appends wait until the test releases them,
/// so that the test can act while a commit is in flight.
private actor GatedLake: LakeWriter {
    let table: TickTable
    private(set) var started = 0
    private var held: [CheckedContinuation<Void, Never>] = []
    private var open = false

    init(table: TickTable) { self.table = table }

    func release() {
        open = true
        for waiter in held { waiter.resume() }
        held.removeAll()
    }

    func append(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64 {
        started += 1
        if !open { await withCheckedContinuation { held.append($0) } }
        return try await table.append(records, transactions: transactions)
    }

    func transactionVersion(appId: String) async throws -> Int64? { try await table.transactionVersion(appId: appId) }
    func setOwned(_ partitions: Set<BusPartition>) async {}
    func maintain() async {}
    func fallbackStats() async -> FailoverLake.Stats? { nil }
}

/// The real tick table behind a `LakeWriter` that notes how many appends ran at once and how
/// many rows they carried; each append is held 200 ms so that overlapping calls would overlap.
private actor OverlapRecordingLake: LakeWriter {
    let table: TickTable
    private var running = 0
    private(set) var figures = (maximumConcurrent: 0, rows: 0)

    init(table: TickTable) { self.table = table }

    func append(_ records: [LakeRecord], transactions: [String: Int64]) async throws -> Int64 {
        running += 1
        figures.maximumConcurrent = max(figures.maximumConcurrent, running)
        figures.rows += records.count
        defer { running -= 1 }
        try await Task.sleep(for: .milliseconds(200))
        return try await table.append(records, transactions: transactions)
    }

    func transactionVersion(appId: String) async throws -> Int64? { try await table.transactionVersion(appId: appId) }
    func setOwned(_ partitions: Set<BusPartition>) async {}
    func maintain() async {}
    func fallbackStats() async -> FailoverLake.Stats? { nil }
}
