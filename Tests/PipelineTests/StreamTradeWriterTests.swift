import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Pipeline

/// The trades writer over a real trades table on disk: repeats dropped by identity and by
/// position, a failed commit kept and committed once later, positions committed alone only
/// when idle long enough, and revoked partitions forgotten.
@Suite struct StreamTradeWriterTests {
    static let logger: Logger = {
        var logger = Logger(label: "cryptoviz.test.trades")
        logger.logLevel = .critical
        return logger
    }()
    static let base: Int64 = currentUnixMillis() - 600_000
    static let p0 = BusPartition(topic: BusTopics.rawData, partition: 0)
    static let p1 = BusPartition(topic: BusTopics.rawData, partition: 1)

    static func record(_ id: Int64, offset: Int64, partition: BusPartition = p0, pair: String = "BTCUSDT") -> TradeRecord {
        TradeRecord(trade: Trade(source: .binance, asset: "bitcoin", pair: pair, base: "BTC", quoteCurrency: "USDT", tradeID: id,
                                 price: 100 + Double(id), quantity: 1, buyerIsMaker: false, tradeTimeMillis: base + id,
                                 eventTimeMillis: base + id),
                    ingestedTimeMillis: base, processedTimeMillis: base, busTopic: partition.topic, busPartition: partition.partition,
                    busOffset: offset)
    }

    static func writer(_ table: TradeTable, idle: Duration = .seconds(60)) -> StreamTradeWriter {
        var configuration = StreamTradeWriter.Configuration()
        configuration.group = "g"
        configuration.idleCommitInterval = idle
        configuration.commits.retryDelay = .milliseconds(10)
        return StreamTradeWriter(table: table, configuration: configuration, logger: logger)
    }

    static func ids(_ table: TradeTable) async throws -> [Int64] {
        try await table.trades().map(\.trade.tradeID)
    }

    @Test func repeatsAreDroppedByIdentityAndByPosition() async throws {
        let store = try SwitchableStore(root: try TestEnvironment.temporaryDirectory("trade-writer-repeats"))
        let table = try await TradeTable.open(store: store)
        let writer = Self.writer(table)
        // Trade 1 again at offset 3: a reconnect's overlap published twice.
        await writer.add([Self.record(1, offset: 1), Self.record(2, offset: 2), Self.record(1, offset: 3), Self.record(3, offset: 4)])
        #expect(await writer.flush(through: [Self.p0: 4]))
        #expect(try await Self.ids(table) == [1, 2, 3])
        #expect(try await table.transactionVersion(appId: StreamTradeWriter.appID(group: "g", partition: Self.p0)) == 4)
        var stats = await writer.currentStats()
        #expect(stats.duplicates == 1 && stats.rows == 3 && stats.commits == 1 && stats.pending == 0, "\(stats)")

        // A restarted processor that reads the same offsets again (no identities remembered):
        // the table's position leaves them out.
        let replay = Self.writer(table)
        await replay.add([Self.record(1, offset: 1), Self.record(2, offset: 2), Self.record(3, offset: 4)])
        #expect(await replay.flush(through: [Self.p0: 4]))
        stats = await replay.currentStats()
        #expect(stats.rows == 0 && stats.alreadyCommitted == 3, "\(stats)")
        #expect(try await Self.ids(table) == [1, 2, 3])

        // The same trades at new offsets (a second collector): the identities seeded from the
        // table drop them.
        let seeded = Self.writer(table)
        #expect(await seeded.seedIdentities(fromMillis: Self.base - 1) == 3)
        await seeded.add([Self.record(2, offset: 10), Self.record(4, offset: 11)])
        #expect(await seeded.flush(through: [Self.p0: 11]))
        #expect(await seeded.currentStats().duplicates == 1)
        #expect(try await Self.ids(table) == [1, 2, 3, 4])
    }

    @Test func aFailedCommitKeepsItsRowsAndItsRetryCommitsThemOnce() async throws {
        let store = try SwitchableStore(root: try TestEnvironment.temporaryDirectory("trade-writer-failure"))
        let table = try await TradeTable.open(store: store)
        let writer = Self.writer(table)
        await writer.add([Self.record(1, offset: 1), Self.record(2, offset: 2)])
        store.set(.down)
        #expect(await writer.flush(through: [Self.p0: 2]) == false)
        await writer.add([Self.record(3, offset: 3)])
        #expect(await writer.flush(through: [Self.p0: 3], force: true) == false)
        var stats = await writer.currentStats()
        #expect(stats.failedCommits == 2 && stats.pending == 3, "\(stats)")
        store.set(.up)
        // Between batches the processor asks for a retry, which waits out the backoff (10 ms here).
        try await Task.sleep(for: .milliseconds(50))
        await writer.retryFailed()
        #expect(try await Self.ids(table) == [1, 2, 3])
        #expect(try await table.transactionVersion(appId: StreamTradeWriter.appID(group: "g", partition: Self.p0)) == 3)
        stats = await writer.currentStats()
        #expect(stats.rows == 3 && stats.pending == 0 && stats.commits == 1, "\(stats)")
        // A healthy writer's retry commits nothing: rows go with the processor's batches.
        await writer.add([Self.record(4, offset: 4)])
        await writer.retryFailed()
        #expect(await writer.currentStats().pending == 1)
    }

    @Test func positionsAloneWaitForTheIdleInterval() async throws {
        let store = try SwitchableStore(root: try TestEnvironment.temporaryDirectory("trade-writer-idle"))
        let table = try await TradeTable.open(store: store)
        let writer = Self.writer(table, idle: .milliseconds(300))
        let created = try await table.delta.latestSnapshot().version
        #expect(await writer.flush(through: [Self.p1: 10]))
        #expect(try await table.delta.latestSnapshot().version == created, "no commit for positions alone yet")
        try await Task.sleep(for: .milliseconds(350))
        #expect(await writer.flush(through: [Self.p1: 12]))
        #expect(try await table.transactionVersion(appId: StreamTradeWriter.appID(group: "g", partition: Self.p1)) == 12)
        #expect(try await Self.ids(table).isEmpty)
    }

    @Test func revokedPartitionsForgetTheirPendingTrades() async throws {
        let store = try SwitchableStore(root: try TestEnvironment.temporaryDirectory("trade-writer-revoked"))
        let table = try await TradeTable.open(store: store)
        let writer = Self.writer(table)
        store.set(.down)
        await writer.add([Self.record(1, offset: 1), Self.record(7, offset: 1, partition: Self.p1, pair: "ETHUSDT")])
        #expect(await writer.flush(through: [Self.p0: 1, Self.p1: 1]) == false)
        await writer.revoked([Self.p0])
        #expect(await writer.currentStats().pending == 1)
        store.set(.up)
        // Its new owner, or this member after a reassignment, reads trade 1 again: not a repeat.
        await writer.add([Self.record(1, offset: 1)])
        #expect(await writer.flush(through: [Self.p0: 1], force: true))
        #expect(await writer.currentStats().duplicates == 0)
        #expect(try await table.trades().map(\.trade.identity.description) == ["binance|BTCUSDT|1", "binance|ETHUSDT|7"])
    }
}
