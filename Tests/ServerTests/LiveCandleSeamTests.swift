import Foundation
import Testing
import TestSupport

/// The seam on a live system: `cryptoviz up --demo` rolls its ticks up into 1-minute candles;
/// the API then serves closed minutes from those rows and the open minute from the tail. For
/// one source, every minute must appear once, with the open, high, low and close its ticks
/// give (a rollup is the aggregate of its source's ticks), whichever side served it.
@Suite(.serialized) struct LiveCandleSeamTests {
    static func json(_ port: Int, _ path: String) async throws -> [String: Any] {
        let response = try await HTTPTestClient.get(port: port, path)
        guard response.status == 200 else { throw TestClientError("\(path): \(response.status) \(response.text.prefix(300))") }
        return try response.json()
    }

    @Test func closedMinutesFromRollupsAndTheOpenMinuteFromTicksMeetWithoutGapOrDouble() async throws {
        let data = try TestEnvironment.temporaryDirectory("live-candle-seam")
        let port = try LoopbackPort.free()
        let up = ManagedProcess(
            executable: try TestEnvironment.cryptovizBinary(),
            // No streams: the demo's Binance kline stream would store the venue's own closed bars,
            // which the read rule serves over rollups (LiveCandleSeam is about rollups and ticks).
            arguments: ["up", "--demo", "--demo-assets", "5", "--data", data.path, "--port", "\(port)", "--interval", "1",
                        "--providers", "binance", "--streams", ""],
            label: "cryptoviz-up-seam")
        try up.start()
        defer { up.stop(signal: SIGTERM) }
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        let started = Int64(Date().timeIntervalSince1970 * 1000)

        // Until one read (a fixed window) serves at least two closed minutes from stored
        // rollups: a bar counts as one in `tick_count`, a minute computed from ticks counts its
        // ticks (one per second here). That same read is then checked against the ticks.
        let from = started - 60_000
        var asset = ""
        var to: Int64 = 0
        var candles: [[String: Any]] = []
        var rolledUp = 0
        for _ in 0..<180 where rolledUp < 2 {
            try await Task.sleep(for: .seconds(1))
            guard let first = (try? await Self.json(port, "/api/v1/assets"))?["assets"] as? [[String: Any]],
                  let name = first.first?["asset"] as? String else { continue }
            asset = name
            to = Int64(Date().timeIntervalSince1970 * 1000)
            candles = try await Self.json(port, "/api/v1/assets/\(asset)/candles?interval=1m&sources=binance&from=\(from)&to=\(to)")["candles"]
                as? [[String: Any]] ?? []
            rolledUp = candles.filter { ($0["tick_count"] as? Int) == 1 }.count
        }
        try #require(rolledUp >= 2, "no rolled-up minutes served: \(up.logTail())")

        // The ticks of the same window are the reference.
        let ticks = try await Self.json(port, "/api/v1/assets/\(asset)/ticks?sources=binance&from=\(from)&to=\(to)&limit=10000")["ticks"]
            as? [[String: Any]] ?? []
        var expected: [Int64: (open: Double, high: Double, low: Double, close: Double)] = [:]
        var order: [Int64] = []
        for tick in ticks {
            guard let time = (tick["source_time_ms"] as? NSNumber)?.int64Value, let price = (tick["price"] as? NSNumber)?.doubleValue else { continue }
            let minute = time / 60_000 * 60_000
            if let bar = expected[minute] {
                expected[minute] = (bar.open, max(bar.high, price), min(bar.low, price), price)
            } else {
                expected[minute] = (price, price, price, price)
                order.append(minute)
            }
        }
        let starts = candles.compactMap { ($0["start_ms"] as? NSNumber)?.int64Value }
        #expect(starts == order, "minutes served \(starts) vs minutes ticked \(order)")
        #expect(Set(starts).count == starts.count)
        for candle in candles {
            guard let start = (candle["start_ms"] as? NSNumber)?.int64Value, let want = expected[start] else { continue }
            let got = ["open", "high", "low", "close"].map { (candle[$0] as? NSNumber)?.doubleValue }
            #expect(got == [want.open, want.high, want.low, want.close], "minute \(start): \(candle) vs \(want)")
        }
        // The newest minute is still open: it comes from the ticks (more than one of them).
        #expect(((candles.last?["tick_count"] as? Int) ?? 0) >= 1)
        #expect(up.isRunning, "\(up.logTail())")
    }
}
