import CryptoVizCore
import Testing
@testable import Alerts

/// One scenario per rule type: each fires exactly once per event, holds while the condition
/// lasts, re-arms only past the hysteresis margin, and stays silent in cooldown and quiet hours.
@Suite struct AlertEngineTests {
    private static let minute: Int64 = 60_000

    /// Feeds `(price, minute offset)` ticks of one series, each received at its own time.
    private func feed(_ engine: inout AlertEngine, _ points: [(Double, Int64)], asset: AssetID = "bitcoin",
                      source: ProviderID = .binance, base: Int64 = t0) -> [AlertEvent] {
        points.flatMap { price, offset in
            engine.ingest(tick(asset, source, price: price, at: base + offset), now: base + offset)
        }
    }

    private func kinds(_ events: [AlertEvent]) -> [String] { events.map { "\($0.kind.rawValue) \($0.alertID)" } }

    @Test func priceAboveFiresOnceAndReArmsPastTheMargin() {
        var engine = AlertEngine(rules: [AlertRule(id: "btc", condition: .priceAbove(level: 100), cooldownSeconds: 0, hysteresis: 2)])
        let s = Self.minute / 60
        var events = feed(&engine, [(99, 0), (101, s), (102, 2 * s), (100.5, 3 * s), (98.5, 4 * s), (101, 5 * s)])
        #expect(kinds(events) == ["fired btc-1"], "dips short of 98 do not re-arm")
        events = feed(&engine, [(97.9, 6 * s), (99, 7 * s), (100.1, 8 * s), (150, 9 * s)])
        #expect(kinds(events) == ["resolved btc-1", "fired btc-2"])
        #expect(events[1].value == 100.1 && events[1].threshold == 100 && events[1].asset == "bitcoin" && events[1].source == .binance)
        #expect(events[0].id == "btc-1:resolved" && events[0].firedAtMillis == t0 + s)
    }

    @Test func priceBelowMirrorsAbove() {
        var engine = AlertEngine(rules: [AlertRule(id: "low", condition: .priceBelow(level: 50), cooldownSeconds: 0, hysteresis: 1)])
        let events = feed(&engine, [(51, 0), (49, 1000), (48, 2000), (50.5, 3000), (49, 4000), (51, 5000), (49.9, 6000)])
        #expect(kinds(events) == ["fired low-1", "resolved low-1", "fired low-2"])
    }

    @Test func cooldownHoldsBackARefireEvenWhenReArmed() {
        var engine = AlertEngine(rules: [AlertRule(id: "cd", condition: .priceAbove(level: 100), cooldownSeconds: 60)])
        let s: Int64 = 1000
        var events = feed(&engine, [(101, 0), (99, 10 * s), (101, 20 * s), (102, 59 * s)])
        #expect(kinds(events) == ["fired cd-1", "resolved cd-1"], "no firing within 60 s of the last")
        events = feed(&engine, [(101, 61 * s)])
        #expect(kinds(events) == ["fired cd-2"], "fires once the cooldown is over and the condition still holds")
    }

    @Test func quietHoursHoldWithoutAnnouncing() {
        // 00:00–01:00 UTC is quiet; t0 is midnight.
        var engine = AlertEngine(rules: [AlertRule(
            id: "q", condition: .priceAbove(level: 100), cooldownSeconds: 0,
            quietHours: QuietHours(startMinute: 0, endMinute: 60))])
        var events = feed(&engine, [(101, 0), (102, Self.minute), (99, 2 * Self.minute)])
        #expect(events.isEmpty)
        // The same crossing held across the end of quiet hours is not announced late...
        events = feed(&engine, [(101, 59 * Self.minute), (101, 61 * Self.minute)])
        #expect(events.isEmpty)
        // ...a new one after it is.
        events = feed(&engine, [(99, 62 * Self.minute), (101, 63 * Self.minute)])
        #expect(kinds(events) == ["fired q-1"])
    }

    @Test func disabledRulesAndOtherAssetsAreNotTouched() {
        var engine = AlertEngine(rules: [
            AlertRule(id: "eth", condition: .priceAbove(level: 1), scope: AlertScope(assets: ["ethereum"])),
            AlertRule(id: "off", condition: .priceAbove(level: 1), enabled: false),
            AlertRule(id: "kraken", condition: .priceAbove(level: 1), scope: AlertScope(sources: [.kraken])),
        ])
        #expect(feed(&engine, [(10, 0)]).isEmpty)
        #expect(kinds(feed(&engine, [(10, 0)], asset: "ethereum")) == ["fired eth-1"])
        #expect(kinds(feed(&engine, [(10, 0)], source: .kraken)) == ["fired kraken-1"])
    }

    @Test func changeComparesWithTheCloseNMinutesEarlier() {
        var engine = AlertEngine(rules: [AlertRule(
            id: "move", condition: .change(percent: 5, minutes: 10, direction: .either), cooldownSeconds: 0, hysteresis: 1)])
        let m = Self.minute
        var events = feed(&engine, (0...10).map { (100.0, Int64($0) * m) })
        #expect(events.isEmpty)
        events = feed(&engine, [(104, 11 * m), (106, 11 * m + 1000), (107, 11 * m + 2000), (107, 12 * m)])
        #expect(kinds(events) == ["fired move-1"])
        #expect(abs(events[0].value - 6) < 1e-9)
        // Flat at 107: ten minutes later the reference has caught up and the move is over.
        events = feed(&engine, (13...21).map { (107.0, Int64($0) * m) })
        #expect(kinds(events) == ["resolved move-1"])
        #expect(events[0].atMillis == t0 + 21 * m)
        // A fall counts for "either", not for "up"; gaps carry the last close forward.
        var up = AlertEngine(rules: [AlertRule(id: "up", condition: .change(percent: 5, minutes: 10, direction: .up))])
        #expect(feed(&up, [(100, 0), (90, 30 * m), (95, 35 * m)]).isEmpty, "falls against the carried close of 100")
        // Minute 31 had no tick: its close is minute 30's 90, so 99.5 is +10.5 %.
        #expect(kinds(feed(&up, [(99.5, 41 * m)])) == ["fired up-1"])
    }

    @Test func anomalyFiresOnAJumpAgainstQuietReturns() {
        var engine = AlertEngine(rules: [AlertRule(
            id: "z", condition: .anomaly(z: 4, windowMinutes: 10), cooldownSeconds: 0, hysteresis: 1)])
        let m = Self.minute
        // Returns alternate about ±0.1 %: a calm series.
        var events = feed(&engine, (0...20).map { (Double($0 % 2 == 0 ? 100 : 100.1), Int64($0) * m) })
        #expect(events.isEmpty)
        events = feed(&engine, [(102.1, 21 * m), (102.2, 21 * m + 5000)])
        #expect(kinds(events) == ["fired z-1"], "one alert for the jump, however many ticks confirm it")
        #expect(events[0].value > 4)
        // The next minutes are calm again; the jump's return sits in the window now.
        events = feed(&engine, [(102.2, 22 * m), (102.25, 22 * m + 1000)])
        #expect(kinds(events) == ["resolved z-1"])
    }

    @Test func anomalyOverShortReturnsNeedsOnlyItsWarmUp() {
        // 2-second returns over 2 minutes: a window of 60, scored once 20 returns are in.
        let rule = AlertRule(id: "fast", condition: .anomaly(z: 8, windowMinutes: 2, returnSeconds: 2), cooldownSeconds: 0, hysteresis: 4)
        let s: Int64 = 1000
        let calm = { (periods: Int) in (0..<periods).map { (Double($0 % 2 == 0 ? 100 : 100.02), Int64($0) * 2 * s) } }
        // 20 calm periods close 19 returns: a jump in the 21st period is not scored yet.
        var early = AlertEngine(rules: [rule])
        #expect(feed(&early, calm(20) + [(103, 40 * s)]).isEmpty, "19 returns are not a window yet")
        // One calm period more and the same jump fires, within its 2 s period.
        var engine = AlertEngine(rules: [rule])
        var events = feed(&engine, calm(21))
        #expect(events.isEmpty)
        events = feed(&engine, [(103, 42 * s), (103.1, 43 * s)])
        #expect(kinds(events) == ["fired fast-1"], "a 3 % move against ±0.02 % returns")
        events = feed(&engine, [(103.1, 44 * s), (103.12, 46 * s)])
        #expect(kinds(events) == ["resolved fast-1"])
    }

    @Test func spreadComparesTheSourcesLatestQuotes() {
        var engine = AlertEngine(rules: [AlertRule(
            id: "sp", condition: .spread(percent: 2, maxQuoteAgeSeconds: 60), cooldownSeconds: 0, hysteresis: 0.5)])
        let s: Int64 = 1000
        var events = engine.ingest(tick("bitcoin", .binance, price: 100, at: t0), now: t0)
        events += engine.ingest(tick("bitcoin", .coinbase, price: 101, at: t0 + s), now: t0 + s)
        #expect(events.isEmpty)
        events = engine.ingest(tick("bitcoin", .coinbase, price: 103, at: t0 + 2 * s), now: t0 + 2 * s)
        events += engine.ingest(tick("bitcoin", .kraken, price: 102, at: t0 + 3 * s), now: t0 + 3 * s)
        #expect(kinds(events) == ["fired sp-1"])
        #expect(events[0].asset == "bitcoin" && events[0].source == nil && abs(events[0].value - 3) < 1e-9)
        events = engine.ingest(tick("bitcoin", .binance, price: 102.5, at: t0 + 4 * s), now: t0 + 4 * s)
        #expect(kinds(events) == ["resolved sp-1"])
        // A quote older than max_quote_age_seconds no longer counts.
        var aged = AlertEngine(rules: [AlertRule(id: "old", condition: .spread(percent: 2, maxQuoteAgeSeconds: 60))])
        _ = aged.ingest(tick("bitcoin", .binance, price: 100, at: t0), now: t0)
        #expect(aged.ingest(tick("bitcoin", .coinbase, price: 110, at: t0 + 61 * s), now: t0 + 61 * s).isEmpty)
    }

    @Test func staleSourceFiresOnSilenceAndResolvesOnTheNextTick() {
        var engine = AlertEngine(rules: [
            AlertRule(id: "st", condition: .staleSource(seconds: 30), scope: AlertScope(sources: [.binance]), cooldownSeconds: 0),
            AlertRule(id: "never", condition: .staleSource(seconds: 30), scope: AlertScope(sources: [.kraken]), cooldownSeconds: 0),
        ])
        let s: Int64 = 1000
        #expect(engine.advanceClock(to: t0).isEmpty)
        _ = engine.ingest(tick("bitcoin", .binance, price: 1, at: t0), now: t0)
        #expect(engine.advanceClock(to: t0 + 20 * s).isEmpty)
        var events = engine.advanceClock(to: t0 + 31 * s)
        #expect(Set(kinds(events)) == ["fired st-1", "fired never-1"])
        #expect(events.first { $0.ruleID == "st" }?.source == .binance)
        #expect(engine.advanceClock(to: t0 + 40 * s).isEmpty)
        events = engine.ingest(tick("bitcoin", .binance, price: 1, at: t0 + 45 * s), now: t0 + 45 * s)
        #expect(kinds(events) == ["resolved st-1"])
        // After a restart the silent source is still silent: its alert stays held.
        var restarted = AlertEngine(rules: engine.rules, state: engine.state)
        #expect(restarted.advanceClock(to: t0 + 50 * s).isEmpty)
        #expect(restarted.advanceClock(to: t0 + 70 * s).isEmpty)
        #expect(restarted.heldAlertIDs == ["never-1"])
        // Binance, silent since the restart's first check, is stale in its own right.
        #expect(kinds(restarted.advanceClock(to: t0 + 90 * s)) == ["fired st-2"])
    }

    @Test func lakeFreshnessFollowsObservations() {
        var engine = AlertEngine(rules: [AlertRule(id: "lake", condition: .lakeFreshness(seconds: 60), cooldownSeconds: 0, hysteresis: 10)])
        #expect(engine.observeLakeFreshness(source: .binance, lagSeconds: 10, now: t0).isEmpty)
        #expect(kinds(engine.observeLakeFreshness(source: .binance, lagSeconds: 120, now: t0 + 1)) == ["fired lake-1"])
        #expect(engine.observeLakeFreshness(source: .binance, lagSeconds: 55, now: t0 + 2).isEmpty, "55 s is not 10 s under the threshold")
        #expect(kinds(engine.observeLakeFreshness(source: .binance, lagSeconds: 50, now: t0 + 3)) == ["resolved lake-1"])
        #expect(kinds(engine.observeLakeFreshness(source: .kraken, lagSeconds: 61, now: t0 + 4)) == ["fired lake-2"])
    }

    @Test func stateRestoresHeldAlertsAndSequences() {
        let rule = AlertRule(id: "btc", condition: .priceAbove(level: 100), cooldownSeconds: 0)
        var engine = AlertEngine(rules: [rule])
        #expect(kinds(feed(&engine, [(101, 0)])) == ["fired btc-1"])
        #expect(engine.stateChanged)
        var restarted = AlertEngine(rules: [rule], state: engine.state)
        #expect(restarted.heldAlertIDs == ["btc-1"])
        #expect(feed(&restarted, [(105, 1000)]).isEmpty, "a held alert does not fire again after a restart")
        #expect(kinds(feed(&restarted, [(99, 2000), (101, 3000)])) == ["resolved btc-1", "fired btc-2"])
        // Deleting and re-adding a rule does not reuse its alert ids.
        restarted.remove(id: "btc")
        restarted.upsert(rule)
        #expect(kinds(feed(&restarted, [(99, 4000), (101, 5000)])) == ["fired btc-3"])
    }
}
