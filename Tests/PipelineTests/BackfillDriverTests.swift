import AsyncHTTPClient
import Collectors
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import MarketSimulator
import Testing
@testable import Pipeline

/// The driver's paging, commit and resume logic against the real simulator. The table here is
/// `CommitLog`, a record of commits with the candles table's two operations, so a test can stop
/// a run at a chosen commit as a crash would; the end-to-end tests of `cryptoviz backfill`
/// use the real Delta candles table.
@Suite(.serialized) struct BackfillDriverTests {
    static let logger = Logger(label: "cryptoviz.test.backfill")

    /// Commits as the Delta table applies them: all of a commit or nothing, `txn` versions with it.
    actor CommitLog: CandleSink {
        var rows: [CandleRecord] = []
        var versions: [String: Int64] = [:]
        var commits = 0
        /// Commit number (1-based) that fails, as a crash between commits would leave the table.
        var failAt: Int?

        init(failAt: Int? = nil) { self.failAt = failAt }

        func transactionVersion(appId: String) -> Int64? { versions[appId] }

        func append(_ records: [CandleRecord], transactions: [String: Int64]) throws -> Int64 {
            if let failAt, commits + 1 == failAt {
                self.failAt = nil
                throw BackfillError("commit \(failAt) lost (simulated crash)")
            }
            commits += 1
            rows += records
            versions.merge(transactions) { _, new in new }
            return Int64(commits)
        }
    }

    static func jobs(_ simulator: MarketSimulator, pairs: [(String, String)], range: BackfillRange) -> [BackfillJob] {
        let transport = ProviderTransport(
            provider: .binance, client: .shared, limiter: RateLimiter(limit: .binanceSpot),
            retry: .init(maxAttempts: 8, baseDelay: .milliseconds(50), maxDelay: .milliseconds(500)),
            defaultBackoff: .seconds(1), health: ProviderHealthBoard(), logger: logger)
        let client = BinanceKlineClient(baseURL: simulator.endpoints.binance, transport: transport)
        return pairs.map { pair, asset in
            BackfillJob(source: client, series: HistorySeries(asset: AssetID(asset), symbol: pair, quoteCurrency: "USDT", intervalMillis: 60_000),
                        interval: .oneMinute, fromMillis: range.fromMillis, untilMillis: range.untilMillis)
        }
    }

    @Test func aRunStoppedAtACommitResumesWithNoGapAndNoDuplicate() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let pairs = simulator.universe.assets.compactMap { asset in asset.binancePair.map { ($0, asset.id) } }.prefix(5)
        let range = try BackfillRange(from: "-3d", to: "now", interval: .oneMinute, nowMillis: currentUnixMillis())
        let jobs = Self.jobs(simulator, pairs: Array(pairs), range: range)
        var configuration = BackfillDriver.Configuration()
        configuration.commitRows = 3000
        let log = CommitLog(failAt: 4)
        await #expect(throws: BackfillError.self) {
            _ = try await BackfillDriver(sink: log, configuration: configuration, logger: Self.logger).run(jobs)
        }
        let afterCrash = await log.rows.count
        #expect(afterCrash > 0 && afterCrash < 5 * Int(range.barCount(.oneMinute)))
        let summary = try await BackfillDriver(sink: log, configuration: configuration, logger: Self.logger).run(jobs)
        await simulator.stop()

        let rows = await log.rows
        let expected = 5 * Int(range.barCount(.oneMinute))
        #expect(rows.count == expected)
        #expect(Set(rows.map { "\($0.asset)/\($0.openTimeMillis)" }).count == expected, "no duplicate")
        #expect(summary.resumedSeries > 0 && summary.gaps.isEmpty && summary.failures.isEmpty)
        for (_, asset) in pairs {
            let times = rows.filter { $0.asset.rawValue == asset }.map(\.openTimeMillis).sorted()
            #expect(times.first == range.fromMillis && times.last == range.untilMillis - 60_000)
            #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 60_000 }, "no gap in \(asset)")
            #expect(await log.versions[BackfillJob.appId(source: .binance, asset: AssetID(asset), interval: .oneMinute)] == range.untilMillis - 60_000)
        }
        #expect(rows.allSatisfy { $0.origin == .backfill && $0.isFinal && $0.source == .binance && $0.quoteCurrency == "USDT" })
    }

    @Test func holesTheProviderHasAreReportedNotFilled() async throws {
        let now = currentUnixMillis()
        var configuration = SimulatorConfiguration()
        let listing = (now - 86_400_000) / 60_000 * 60_000
        let outageStart = (now - 3 * 3_600_000) / 60_000 * 60_000
        configuration.history.listings["ethereum"] = listing
        configuration.history.outages = [outageStart..<(outageStart + 45 * 60_000)]
        let simulator = try await MarketSimulator.start(configuration: configuration)
        let range = try BackfillRange(from: "-2d", to: "now", interval: .oneMinute, nowMillis: now)
        let log = CommitLog()
        let summary = try await BackfillDriver(sink: log, logger: Self.logger)
            .run(Self.jobs(simulator, pairs: [("BTCUSDT", "bitcoin"), ("ETHUSDT", "ethereum")], range: range))
        await simulator.stop()
        let rows = await log.rows
        let bars = range.barCount(.oneMinute)
        #expect(rows.filter { $0.asset == "bitcoin" }.count == Int(bars) - 45)
        #expect(rows.filter { $0.asset == "ethereum" }.count == Int((range.untilMillis - listing) / 60_000) - 45)
        let eth = summary.gaps.filter { $0.asset == "ethereum" }
        #expect(eth.map(\.fromMillis) == [range.fromMillis, outageStart])
        #expect(eth.first?.untilMillis == listing)
        #expect(summary.gaps.filter { $0.asset == "bitcoin" }.map(\.missingBars) == [45])
        #expect(summary.candlesWritten == Int64(rows.count))
    }

    @Test func anUnknownPairFailsItsSeriesOnly() async throws {
        let simulator = try await MarketSimulator.start(configuration: SimulatorConfiguration())
        let range = try BackfillRange(from: "-1h", to: "now", interval: .oneMinute, nowMillis: currentUnixMillis())
        let log = CommitLog()
        let summary = try await BackfillDriver(sink: log, logger: Self.logger)
            .run(Self.jobs(simulator, pairs: [("BTCUSDT", "bitcoin"), ("NOPEUSDT", "nope")], range: range))
        await simulator.stop()
        #expect(summary.failures.count == 1 && summary.failures.first?.error.contains("-1121") == true)
        #expect(await log.rows.count == Int(range.barCount(.oneMinute)))
    }

    @Test func rangesParseAndAlign() throws {
        let now: Int64 = 1_764_000_030_500
        let month = try BackfillRange(from: "-30d", interval: .oneMinute, nowMillis: now)
        #expect(month.barCount(.oneMinute) == 43_200 && month.untilMillis == 1_764_000_000_000)
        let dates = try BackfillRange(from: "2025-11-01", to: "2025-11-02T00:00:00Z", interval: .oneHour, nowMillis: now)
        #expect(dates.barCount(.oneHour) == 24)
        #expect(throws: BackfillError.self) { try BackfillRange(from: "yesterday", interval: .oneMinute, nowMillis: now) }
        #expect(throws: BackfillError.self) { try BackfillRange(from: "-0m", interval: .oneMinute, nowMillis: now) }
        #expect(try BackfillSelection.Assets(parsing: "100") == .top(100))
        #expect(try BackfillSelection.Assets(parsing: "bitcoin, ethereum") == .ids(["bitcoin", "ethereum"]))
    }

    @Test func progressLineSaysAssetsCandlesRateAndETA() {
        var snapshot = BackfillProgress.Snapshot(provider: "binance")
        snapshot.seriesTotal = 100
        snapshot.seriesDone = 37
        snapshot.candles = 1_520_000
        snapshot.expected = 4_320_000
        snapshot.elapsedSeconds = 15.5
        #expect(snapshot.line == "binance: 37/100 assets, 1.5M candles, 98.1k/s, ETA 29s")
        snapshot.seriesDone = 99
        snapshot.seriesFailed = 1
        #expect(snapshot.line.hasSuffix("1 failed, done"))
    }
}
