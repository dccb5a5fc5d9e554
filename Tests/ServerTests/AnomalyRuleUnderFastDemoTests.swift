import Foundation
import Testing
import TestSupport

/// The `anomaly` rule against the real `cryptoviz up --demo`, with a scripted 3 % jump of
/// ethereum at 40 s. The demo runs 60× fast (`--demo-speed 60`) and is polled every second:
/// its normal path is a minute-by-minute line, whose 1-second returns are constant within a
/// minute and so no fair background for a z-score; at 60× every second is a random-walk step.
/// The rule scores 1-second returns over a 1-minute window, from its 20th return: the jump
/// fires it exactly once, within 2 s of the tick that carried it, and the calm seconds after
/// it resolve it (re-armed). No other second of the run may fire it. About 55 s.
@Suite(.serialized) struct AnomalyRuleUnderFastDemoTests {
    static let jumpAtSeconds = 40.0
    static let events = """
        {"version": 1, "events": [{"at_seconds": \(jumpAtSeconds), "type": "jump", "asset": "ethereum", "percent": 3}]}
        """
    static let rule = #"{"id": "eth-anomaly", "type": "anomaly", "z": 8, "window_minutes": 1, "return_seconds": 1, "hysteresis": 5, "cooldown_seconds": 60, "scope": {"assets": ["ethereum"], "sources": ["binance"]}}"#

    @Test func aJumpFiresTheAnomalyRuleOnceAndItReArms() async throws {
        let demo = try ScriptedDemo(label: "alerts-anomaly", events: Self.events,
                                    extraArguments: ["--demo-speed", "60", "--interval", "1"])
        defer { demo.stop() }
        // A rule scoped to ethereum is refused until the first polls made it known (CI saw
        // `unknown asset 'ethereum'` when the demo started slowly).
        _ = try #require(try await demo.latestPrices(["ethereum"])["ethereum"], "ethereum's first quote")
        let created = try await HTTPTestClient.post(port: demo.port, "/api/v1/alerts/rules", json: Self.rule)
        #expect(created.status == 201, "\(created.text)")
        // 20 returns before the jump: the rule must be in place 20 s ahead of it (and more).
        #expect(demo.secondsSinceLaunch < Self.jumpAtSeconds - 25, "the rule must warm up before the jump")

        let recorded = try await demo.record(untilSecond: Self.jumpAtSeconds + 14, assets: ["ethereum"])
        let series = recorded.ticks("ethereum", "binance")
        let fired = recorded.fired("eth-anomaly")
        #expect(series.count >= 30, "binance's ethereum ticks recorded: \(series.count)")
        #expect(fired.count == 1, "one firing for the one jump: \(fired)")
        guard let alert = fired.first else { return }

        // It fired on the jump: the first tick more than 2 % off the tick before it (the demo's
        // 1-second steps at 60× are about 0.1-0.2 %), and on no tick before it.
        let price = { (t: [String: Any]) in RecordedFeed.double(t, "price") }
        let jump = series.indices.dropFirst().first { abs(price(series[$0]) / price(series[$0 - 1]) - 1) > 0.02 }
        let jumpTick = try #require(jump.map { series[$0] }, "a 3 % step in binance's ethereum quotes")
        let ms = RecordedFeed.ms
        let latency = ms(alert, "recv_ms") - ms(jumpTick, "recv_ms")
        #expect(latency >= 0 && latency <= 2_000, "fired \(latency) ms after the jump's tick")
        #expect(RecordedFeed.double(alert, "value") >= 8, "z = \(alert["value"] ?? "nil")")
        #expect(recorded.resolved("eth-anomaly").count == 1, "the calm seconds after the jump re-arm the rule")
        print("anomaly under up --demo --demo-speed 60: fired \(latency) ms after the jump's tick, z = \(alert["value"] ?? "nil")")
    }
}
