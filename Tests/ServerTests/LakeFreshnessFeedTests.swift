import Alerts
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Testing
import TestSupport
@testable import Server

/// `LakeFreshnessFeed` over a real tick table: a source whose newest row is ten minutes old
/// fires a `lake_freshness` rule of five minutes; a fresh one does not.
@Suite struct LakeFreshnessFeedTests {
    @Test func aSourceBehindInTheLakeFiresItsRule() async throws {
        let directory = try TestEnvironment.temporaryDirectory("lake-freshness-feed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try await TickTable.open(store: try LocalFileStore(root: directory.appendingPathComponent("lake").path))
        let now = currentUnixMillis()
        func record(_ source: ProviderID, _ at: Int64) -> LakeRecord {
            LakeRecord(tick: Tick(source: source, asset: "bitcoin", symbol: "BTC", price: 1, sourceTimeMillis: at, collectedTimeMillis: at),
                       ingestedTimeMillis: at, processedTimeMillis: at)
        }
        _ = try await table.append([record(.binance, now - 600_000), record(.kraken, now - 5_000)])
        let logger = Logger(label: "cryptoviz.alerts.test")
        let alerts = try AlertMonitor(store: AlertStore(directory: directory.appendingPathComponent("alerts")), logger: logger)
        try await alerts.add(AlertRule(id: "lake-5m", condition: .lakeFreshness(seconds: 300)))
        let feed = LakeFreshnessFeed(table: table, alerts: alerts, interval: .milliseconds(50), logger: logger)
        let running = Task { await feed.run() }
        defer { running.cancel() }
        let deadline = Date().addingTimeInterval(30)
        var events: [AlertEvent] = []
        while Date() < deadline && events.isEmpty {
            events = await alerts.history(limit: 10).events
            if events.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        try await Task.sleep(for: .milliseconds(300))
        events = await alerts.history(limit: 10).events
        #expect(events.map(\.id) == ["lake-5m-1:fired"])
        #expect(events.first?.source == .binance)
        #expect((events.first?.value ?? 0) >= 600)
    }
}
