import CryptoVizCore
import Foundation
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// The trades table: its schema and layout, a round trip, exactly-once positions against a
/// stale snapshot, compaction, and the same rows through delta-rs and DuckDB.
@Suite struct TradeTableTests {
    /// 2025-11-25 23:59:00 UTC: the trades below cross midnight.
    static let start: Int64 = 1_764_115_140_000

    static func record(_ id: Int64, source: ProviderID = .binance, pair: String = "BTCUSDT", asset: AssetID = "bitcoin",
                       offset: Int64? = nil) -> TradeRecord {
        TradeRecord(
            trade: Trade(source: source, asset: asset, pair: pair, base: String(pair.prefix(3)), quoteCurrency: source == .binance ? "USDT" : "USD",
                         tradeID: id, price: 65_000 + Double(id) / 8, quantity: Double(id) / 4, buyerIsMaker: id % 3 == 0,
                         tradeTimeMillis: start + id * 7_000, eventTimeMillis: start + id * 7_000 + 3),
            ingestedTimeMillis: start + id * 7_000 + 20, processedTimeMillis: start + id * 7_000 + 40,
            busTopic: "crypto-raw-data", busPartition: Int32(id % 3), busOffset: offset ?? id)
    }

    static let sample: [TradeRecord] = (1...12).map { record($0) } + (1...6).map { record($0, pair: "ETHUSDT", asset: "ethereum") }
        + (100...105).map { record($0, source: .coinbase, pair: "BTC-USD") }

    @Test func createsTheSchemaAndRefusesAnotherKindOfTable() async throws {
        let (store, _) = try TickFixtures.localStore("trades-schema")
        let table = try await TradeTable.open(store: store)
        let snapshot = try await table.delta.latestSnapshot()
        #expect(snapshot.partitionColumns == ["date", "source"])
        let types = Dictionary(uniqueKeysWithValues: snapshot.schema.fields.map { ($0.name, $0.type) })
        #expect(types == [
            "source": .string, "asset": .string, "symbol": .string, "base": .string, "quote_currency": .string,
            "trade_id": .long, "price": .double, "quantity": .double, "buyer_is_maker": .boolean,
            "trade_time": .timestamp, "event_time": .timestamp, "ingested_time": .timestamp, "processed_time": .timestamp,
            "bus_topic": .string, "bus_partition": .integer, "bus_offset": .long, "date": .date,
        ])
        _ = try await CandleTable.open(store: store, root: "candles")
        await #expect(throws: LakehouseError.self) { _ = try await TradeTable.open(store: store, root: "candles") }
    }

    @Test func roundTripsByDateAndSourceSortedByPairAndID() async throws {
        let (store, _) = try TickFixtures.localStore("trades-roundtrip")
        let table = try await TradeTable.open(store: store)
        try await table.append(Self.sample.shuffled(), transactions: ["trades/g/crypto-raw-data/0": 41])
        let snapshot = try await table.delta.latestSnapshot()
        #expect(snapshot.transactionVersion("trades/g/crypto-raw-data/0") == 41)
        let read = try await table.trades()
        #expect(read == Self.sample.sorted { ($0.trade.source.rawValue, $0.trade.pair, $0.trade.tradeID) < ($1.trade.source.rawValue, $1.trade.pair, $1.trade.tradeID) })
        // Binance's 12 trades, 7 s apart from 23:59:07, cross midnight; Coinbase's are all later.
        #expect(Set(snapshot.files.map { $0.path.split(separator: "/").prefix(2).joined(separator: "/") }) ==
                ["date=2025-11-25/source=binance", "date=2025-11-26/source=binance", "date=2025-11-26/source=coinbase"])
        for file in snapshot.files {
            let records = try await TradeFileCodec.fetch(file, from: store, key: table.delta.dataKey(file.relativeKey), version: snapshot.version)
            let keys = records.map { ($0.trade.asset.rawValue, $0.trade.pair, $0.trade.tradeID) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "sorted in \(file.path)")
            let stats = try #require(file.parsedStatistics())
            #expect(stats.numRecords == Int64(records.count))
            let times = records.map(\.trade.tradeTimeMillis)
            #expect(stats.timestampRange("trade_time") == times.min()!...(times.max()! + 1))
            #expect(stats.minValues["trade_id"] == .int(records.map(\.trade.tradeID).min()!))
        }
        // Midnight is 60 s after the start: BTCUSDT's trades 9 to 12 fall on the second day.
        let midnight = Self.start + 60_000
        #expect(try await table.trades(source: .binance, fromMillis: midnight).map(\.trade.tradeID) == [9, 10, 11, 12])
        #expect(TradeTable.candidateFiles(snapshot, source: .binance, fromMillis: midnight).count == 1)
        #expect(TradeTable.candidateFiles(snapshot, source: .coinbase).count == 1)
    }

    /// A writer that read the positions from a snapshot and commits against it loses to a
    /// concurrent commit of the same position: nothing is written twice.
    @Test func aStaleCommitOfTheSamePositionIsRefused() async throws {
        let (store, _) = try TickFixtures.localStore("trades-race")
        let table = try await TradeTable.open(store: store)
        let stale = try await table.delta.latestSnapshot()
        try await table.append([Self.record(1)], transactions: ["trades/g/crypto-raw-data/1": 1])
        await #expect {
            try await table.append([Self.record(1)], transactions: ["trades/g/crypto-raw-data/1": 1], readVersion: stale.version)
        } throws: { ($0 as? LakehouseError)?.code == .concurrentModification }
        // Another partition's position does not conflict.
        try await table.append([Self.record(2)], transactions: ["trades/g/crypto-raw-data/2": 2], readVersion: stale.version)
        #expect(try await table.trades().map(\.trade.tradeID) == [1, 2])
    }

    @Test func compactionKeepsEveryRowAndDeltaRsAndDuckDBReadTheSame() async throws {
        let (store, dir) = try TickFixtures.localStore("trades-compact")
        let table = try await TradeTable.open(store: store, root: "trades")
        for chunk in stride(from: 0, to: Self.sample.count, by: 4) {
            try await table.append(Array(Self.sample[chunk..<min(chunk + 4, Self.sample.count)]))
        }
        let before = try await table.delta.latestSnapshot()
        let rowsBefore = try await table.trades()
        let result = try await table.compact(minFiles: 2)
        #expect(result.version != nil && result.filesRemoved > result.filesAdded, "\(result)")
        #expect(try await table.delta.latestSnapshot().files.count < before.files.count)
        let ours = try await table.trades()
        #expect(ours == rowsBefore)
        #expect(ours.count == Self.sample.count)

        let output = try ProcessRunner.oracle("pipeline/trades_oracle.py", ["rows", dir.appendingPathComponent("trades").path]).stdout
        let engines = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])
        for (engine, read) in engines {
            let rows = try #require(read["rows"] as? [[String: Any]], "\(engine)")
            #expect(rows.count == ours.count, "\(engine)")
            for (row, record) in zip(rows, ours) {
                let t = record.trade
                #expect(row["source"] as? String == t.source.rawValue && row["asset"] as? String == t.asset.rawValue, "\(engine)")
                #expect(row["symbol"] as? String == t.pair && row["base"] as? String == t.base && row["quote_currency"] as? String == t.quoteCurrency)
                #expect((row["trade_id"] as? NSNumber)?.int64Value == t.tradeID, "\(engine) \(row)")
                #expect((row["price"] as? NSNumber)?.doubleValue == t.price && (row["quantity"] as? NSNumber)?.doubleValue == t.quantity)
                #expect((row["buyer_is_maker"] as? NSNumber)?.boolValue == t.buyerIsMaker)
                #expect((row["trade_time"] as? NSNumber)?.int64Value == t.tradeTimeMillis)
                #expect((row["event_time"] as? NSNumber)?.int64Value == t.eventTimeMillis)
                #expect((row["ingested_time"] as? NSNumber)?.int64Value == record.ingestedTimeMillis)
                #expect((row["bus_offset"] as? NSNumber)?.int64Value == record.busOffset)
                #expect((row["bus_partition"] as? NSNumber)?.int32Value == record.busPartition)
                #expect(row["date"] as? String == CivilDate(unixMillis: t.tradeTimeMillis).description)
            }
            let types = try #require(read["types"] as? [String: String], "\(engine)")
            #expect(types["trade_time"]?.lowercased().contains("timestamp") == true, "\(engine): \(types)")
        }
    }
}
