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

    @Test func replacingKeepsHeldAlertsUnlessWhatIsWatchedChanges() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock(t0)
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), logger: logger, clock: { clock.now })
        try await monitor.add(rule)
        await monitor.ingest([tick(price: 101, at: t0)])
        var renamed = rule
        renamed.name = "Bitcoin over 100"
        renamed.severity = .critical
        try await monitor.replace(id: "btc", with: renamed)
        #expect(await monitor.heldAlertIDs == ["btc-1"], "a new name or severity keeps the held alert")
        await monitor.ingest([tick(price: 105, at: t0 + 1000)])
        #expect(await monitor.history(limit: 10).events.map(\.id) == ["btc-1:fired"], "and does not fire it again")

        var moved = renamed
        moved.condition = .priceAbove(level: 200)
        clock.set(t0 + 2000)
        try await monitor.replace(id: "btc", with: moved)
        #expect(await monitor.heldAlertIDs.isEmpty)
        let closed = try #require(await monitor.history(limit: 1).events.first)
        #expect(closed.id == "btc-1:resolved" && closed.atMillis == t0 + 2000 && closed.firedAtMillis == t0,
                "a new level resolves the alert of the old one")
        await monitor.ingest([tick(price: 205, at: t0 + 3000)])
        try await monitor.remove(id: "btc")
        #expect(await monitor.history(limit: 2).events.map(\.id) == ["btc-2:resolved", "btc-2:fired"], "removing resolves too")
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

/// The history journal stays bounded, keeps what the lake lacks, and keeps positions (the API's
/// cursors and the lake's `position`) across rewrites and restarts.
@Suite struct AlertHistoryJournalTests {
    private let logger = Logger(label: "cryptoviz.alerts.test")
    private let rule = AlertRule(id: "btc", condition: .priceAbove(level: 100), cooldownSeconds: 0, hysteresis: 1)

    private func journalLines(_ directory: URL) throws -> Int {
        try Data(contentsOf: directory.appendingPathComponent("history.jsonl")).split(separator: 0x0A).count
    }

    /// 50 crossings: 100 events, fired and resolved in turn.
    private func cross(_ monitor: AlertMonitor) async {
        for i in 0..<100 { await monitor.ingest([tick(price: i % 2 == 0 ? 101 : 98, at: t0 + Int64(i))]) }
    }

    @Test func withoutALakeTheJournalKeepsAboutTwiceTheLimit() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), historyLimit: 10, logger: logger, clock: { t0 })
        try await monitor.add(rule)
        await cross(monitor)
        #expect(try journalLines(directory) <= 21, "20 events and a header at most")
        let page = await monitor.history(limit: 3)
        #expect(page.events.map(\.id) == ["btc-50:resolved", "btc-50:fired", "btc-49:resolved"])
        #expect(page.nextCursor == 97)

        let restarted = try AlertMonitor(store: AlertStore(directory: directory), historyLimit: 10, logger: logger, clock: { t0 })
        #expect(await restarted.historyEnd == 100, "positions survive the rewrite and the restart")
        #expect(await restarted.history(limit: 3).events.map(\.id) == page.events.map(\.id))
    }

    @Test func withALakeTheJournalKeepsWhatTheLakeLacks() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), historyLimit: 10, exportsHistory: true,
                                       logger: logger, clock: { t0 })
        try await monitor.add(rule)
        await cross(monitor)
        #expect(try journalLines(directory) == 100, "nothing exported yet: nothing forgotten")
        let pending = try await monitor.historyToExport(from: 0, limit: 1000)
        #expect(pending.map(\.position) == Array(0..<100))
        #expect(pending.first?.event.id == "btc-1:fired" && pending.last?.event.id == "btc-50:resolved")

        try await monitor.historyExported(through: 95)
        #expect(try journalLines(directory) <= 11, "the journal keeps the newest 10 (with a header)")
        #expect(try await monitor.historyToExport(from: 95, limit: 10).map(\.position) == Array(95..<100))

        // A lake that holds more than this directory wrote (the directory was replaced): the
        // journal is renumbered after it, so its events and new ones are exported, not taken as present.
        try await monitor.historyExported(through: 500)
        await monitor.ingest([tick(price: 101, at: t0 + 1000)])
        let renumbered = try await monitor.historyToExport(from: 500, limit: 100)
        #expect(renumbered.map(\.position) == Array(500..<511))
        #expect(renumbered.first?.event.id == "btc-46:fired" && renumbered.last?.event.id == "btc-51:fired")
    }
}
