import CryptoVizCore
import Foundation
import Logging
import Testing
@testable import Alerts

@Suite struct AlertMonitorTests {
    private let logger = Logger(label: "cryptoviz.alerts.test")
    private let rule = AlertRule(id: "btc", condition: .priceAbove(level: 100), cooldownSeconds: 0, hysteresis: 1)

    @Test func restartMidHoldNeitherRefiresNorForgets() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(t0)
        let first = try AlertMonitor(store: AlertStore(directory: directory), logger: logger, clock: { clock.now })
        try await first.add(rule)
        await first.ingest([tick(price: 101, at: t0)])
        #expect(await first.heldAlertIDs == ["btc-1"])

        // A new process over the same directory, the condition still true.
        clock.set(t0 + 10_000)
        let second = try AlertMonitor(store: AlertStore(directory: directory), logger: logger, clock: { clock.now })
        #expect(await second.rules == [rule])
        #expect(await second.heldAlertIDs == ["btc-1"])
        let live = second.subscribe()
        await second.ingest([tick(price: 105, at: t0 + 10_000)])
        #expect(await second.history(limit: 10).events.map(\.id) == ["btc-1:fired"], "no second firing")
        await second.ingest([tick(price: 98, at: t0 + 11_000)])
        await second.ingest([tick(price: 102, at: t0 + 12_000)])
        var iterator = live.makeAsyncIterator()
        #expect(await iterator.next()?.id == "btc-1:resolved", "the held alert is resolved under its own id")
        #expect(await iterator.next()?.id == "btc-2:fired")
        let page = await second.history(limit: 2)
        #expect(page.events.map(\.id) == ["btc-2:fired", "btc-1:resolved"])
        let older = await second.history(limit: 2, before: page.nextCursor)
        #expect(older.events.map(\.id) == ["btc-1:fired"])
        #expect(older.nextCursor == nil)
    }

    @Test func runEvaluatesEveryTickOfTheFeedInOrder() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(t0)
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: logger, clock: { clock.now })
        try await monitor.add(rule)
        let (ticks, feed) = AsyncStream<Tick>.makeStream()
        // 50 crossings up and back, sent faster than they are evaluated: batches, not losses.
        for i in 0..<100 { feed.yield(tick(price: i % 2 == 0 ? 101 : 98, at: t0 + Int64(i))) }
        feed.finish()
        await monitor.run(ticks: ticks, clockInterval: .seconds(3600))
        let events = await monitor.history(limit: 1000).events.reversed().map(\.id)
        #expect(events.count == 100)
        #expect(events.prefix(4) == ["btc-1:fired", "btc-1:resolved", "btc-2:fired", "btc-2:resolved"])
        #expect(events.last == "btc-50:resolved")
    }

    @Test func rulesFileAtStartKeepsHeldStateOfUnchangedRules() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(t0)
        let file = AlertRuleSet(rules: [rule])
        let first = try AlertMonitor(store: AlertStore(directory: directory), rulesFile: file, logger: logger, clock: { clock.now })
        await first.ingest([tick(price: 101, at: t0)])
        let second = try AlertMonitor(store: AlertStore(directory: directory), rulesFile: file, logger: logger, clock: { clock.now })
        #expect(await second.heldAlertIDs == ["btc-1"])
        // A changed rule in the file replaces the saved one and starts afresh.
        var changed = rule
        changed.condition = .priceAbove(level: 200)
        let third = try AlertMonitor(store: AlertStore(directory: directory), rulesFile: AlertRuleSet(rules: [changed]), logger: logger, clock: { clock.now })
        #expect(await third.rules == [changed])
        #expect(await third.heldAlertIDs.isEmpty)
    }

    @Test func ruleChangesAreValidatedAndPersisted() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: logger)
        try await monitor.add(rule)
        await #expect(throws: AlertsError.self) { try await monitor.add(rule) }
        var bad = rule
        bad.cooldownSeconds = -1
        await #expect(throws: AlertsError.self) { try await monitor.replace(id: "btc", with: bad) }
        await #expect(throws: AlertsError.self) { try await monitor.remove(id: "nope") }
        var renamed = rule
        renamed.name = "Bitcoin over 100"
        try await monitor.replace(id: "btc", with: renamed)
        let reopened = try AlertMonitor(store: AlertStore(directory: directory), logger: logger)
        #expect(await reopened.rules == [renamed])
        try await reopened.remove(id: "btc")
        let emptied = try AlertMonitor(store: AlertStore(directory: directory), logger: logger)
        #expect(await emptied.rules.isEmpty)
    }
}
