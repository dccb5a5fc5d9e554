import Alerts
import ArgumentParser
import CryptoVizCore
import Foundation
import Logging

/// `cryptoviz bench alerts`: the alert engine's CPU cost on a live-like feed — `--rules` rules
/// over `--assets` assets, ticks paced at `--rate` per second for `--seconds`, through the real
/// `AlertMonitor` (state and history on disk, as in `up`).
///
/// The figure is CPU seconds per wall second of the monitor, as a percentage of one core: the
/// process CPU of a run with the rules minus that of the same feed with no rule (the pacing
/// and the feed itself), so neighbours on a shared machine change it little; the load average
/// is printed beside it. For an exact, load-independent count run it under
/// `valgrind --tool=callgrind`.
struct BenchAlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Measure the alert engine's CPU per wall second on a paced tick feed.")

    @Option(help: "Rules, spread over the assets and rule types.")
    var rules = 1000

    @Option(help: "Assets the ticks and rules cover.")
    var assets = 100

    @Option(help: "Ticks per second. The default is up --demo's: 5 polled sources every 2 s plus the Binance and Kraken tickers every second, per asset (100 assets: 450/s).")
    var rate: Int?

    @Option(help: "Wall seconds per run.")
    var seconds = 20.0

    func run() async throws {
        let rate = self.rate ?? assets * 9 / 2
        guard rules >= 0, assets > 0, rate > 0, seconds > 0 else { throw ValidationError("rules >= 0; assets, rate and seconds > 0") }
        print("bench alerts: \(rules) rules, \(assets) assets, \(rate) ticks/s, \(seconds) s per run; load average \(BenchTiming.loadAverage())")
        let baseline = try await Self.measure(rules: [], assets: assets, rate: rate, seconds: seconds)
        let loaded = try await Self.measure(rules: Self.rules(rules, assets: assets), assets: assets, rate: rate, seconds: seconds)
        let engine = max(0, loaded.cpu - baseline.cpu)
        print(String(format: "feed alone:       %.3f CPU s over %.1f s wall (%d ticks)", baseline.cpu, baseline.wall, baseline.ticks))
        print(String(format: "feed + %d rules: %.3f CPU s over %.1f s wall (%d ticks, %d alert events)",
                     rules, loaded.cpu, loaded.wall, loaded.ticks, loaded.events))
        print(String(format: "engine: %.2f %% of one core (%.4f CPU s per wall s)", engine / loaded.wall * 100, engine / loaded.wall))
        print("load average after: \(BenchTiming.loadAverage())")
    }

    struct Run {
        var cpu: Double
        var wall: Double
        var ticks: Int
        var events: Int
    }

    /// One paced run: ticks in batches every 10 ms (as the tail hands them over), prices on a
    /// random walk from 100 (steps of at most 0.2 %), so level rules 5-11 % away cross rarely,
    /// as in a demo: the figure is the evaluation, not a storm of alerts.
    static func measure(rules: [AlertRule], assets: Int, rate: Int, seconds: Double) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-alerts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "cryptoviz.bench")
        logger.logLevel = .error
        let monitor = try AlertMonitor(store: AlertStore(directory: directory), rulesFile: AlertRuleSet(rules: rules), logger: logger)
        let (ticks, feed) = AsyncStream<Tick>.makeStream(bufferingPolicy: .unbounded)
        let sources: [ProviderID] = [.coinGecko, .coinMarketCap, .binance, .coinbase, .kraken]
        let running = Task { await monitor.run(ticks: ticks) }
        var rng = SplitMix64(seed: 7)
        var prices = [Double](repeating: 100, count: assets)
        let cpu = CPUClock.seconds()
        let start = ContinuousClock.now
        let startMillis = currentUnixMillis()
        var sent = 0
        var next = start
        while ContinuousClock.now - start < .milliseconds(Int64(seconds * 1000)) {
            // Source times run 60× faster than the wall clock, so the change (5 min) and anomaly
            // (10 min) windows fill within the first seconds and are evaluated in full after.
            let now = startMillis + Int64((ContinuousClock.now - start).benchSeconds * 60_000)
            let due = Int((ContinuousClock.now - start).benchSeconds * Double(rate))
            for _ in 0..<max(0, due - sent) {
                let asset = sent % assets
                prices[asset] *= 1 + (Double(rng.next() % 2001) - 1000) / 1000 * 0.002
                feed.yield(Tick(source: sources[(sent / assets) % sources.count], asset: AssetID("asset-\(asset)"), symbol: "A\(asset)",
                                price: prices[asset], sourceTimeMillis: now, collectedTimeMillis: now))
                sent += 1
            }
            next = next + .milliseconds(10)
            try await Task.sleep(until: next, clock: .continuous)
        }
        feed.finish()
        await running.value
        let wall = (ContinuousClock.now - start).benchSeconds
        let used = CPUClock.seconds() - cpu
        return Run(cpu: used, wall: wall, ticks: sent, events: await monitor.historyEnd)
    }

    /// `count` rules, each on one asset, cycling through the rule types (stale and lake
    /// freshness watch a source, not a tick's asset).
    static func rules(_ count: Int, assets: Int) -> [AlertRule] {
        (0..<count).map { i in
            let asset = AssetID("asset-\(i % assets)")
            let condition: AlertCondition = switch i % 8 {
            case 0, 1: .priceAbove(level: 105 + Double(i % 7))
            case 2, 3: .priceBelow(level: 95 - Double(i % 7))
            case 4: .change(percent: 2, minutes: 5, direction: .either)
            case 5: .anomaly(z: 4, windowMinutes: 10)
            case 6: .spread(percent: 1, maxQuoteAgeSeconds: 10)
            default: i % 16 == 7 ? .staleSource(seconds: 30) : .lakeFreshness(seconds: 60)
            }
            return AlertRule(id: "r\(i)", condition: condition, scope: AlertScope(assets: [asset]), cooldownSeconds: 60, hysteresis: 0.5)
        }
    }
}
