import ArgumentParser
import AsyncHTTPClient
import Collectors
import CryptoVizCore
import Foundation
import Lakehouse
import Logging
import ObjectStore
import Pipeline

/// `cryptoviz backfill`: pages providers' history into the lake's candles table, resumable and
/// exactly once per series (Delta `txn` `backfill/<source>/<asset>/<interval>`).
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Write providers' candle history into the lake's candles table (resumable, exactly once).",
        discussion: """
            Pages Binance klines and CoinGecko market_chart/range within their limits. A run killed or
            interrupted continues where it stopped when started again with the same arguments.
            CoinGecko decides its own spacing (5-minute within a day of now, hourly up to 90 days,
            daily beyond); the command says which it writes. Holes the provider has (before a
            listing, an exchange outage) are written to the gap report, never filled.
            Progress goes to stdout (a status line on a terminal, log lines otherwise).
            """)

    @Option(help: "The lake root (file:///path or s3://bucket/prefix; default: the lake `up` uses).")
    var lake: String?

    @Option(help: "Local data directory (the default lake is <data>/lake).")
    var data: String?

    // `.unconditional`: `--from -30d` is a value, not an unknown option.
    @Option(parsing: .unconditional, help: "Start: ISO date or time (2024-01-31, 2024-01-31T12:00:00Z), or -30d / -12h / -90m.")
    var from: String

    @Option(parsing: .unconditional, help: "End (exclusive): ISO date or time, now, or an offset. Capped at the current bar.")
    var to = "now"

    @Option(help: "Bar width: 1m, 5m, 1h or 1d (CoinGecko takes what its granularity gives).")
    var interval = "1m"

    @Option(help: "Top N assets by market cap that the provider carries, or comma-separated CoinGecko ids.")
    var assets = "100"

    @Option(help: "Comma-separated providers: binance, coingecko.")
    var providers = "binance"

    @Option(name: .customLong("binance-url"), help: "Binance base URL.")
    var binanceURL: String?

    @Option(name: .customLong("coingecko-url"), help: "CoinGecko base URL (including /api/v3).")
    var coinGeckoURL: String?

    @Option(name: .customLong("binance-weight-limit"), help: "Binance request weight per minute to stay under (documented: 6000).")
    var binanceWeightLimit = 6000

    @Option(name: .customLong("binance-weight-window"), help: "Seconds of that weight window (60 on the real API).")
    var binanceWeightWindow = 60.0

    @Option(name: .customLong("coingecko-limit"), help: "CoinGecko calls per minute (keyless 10, Demo 30; default from the key).")
    var coinGeckoLimit: Int?

    @Option(help: "Series paged at once per provider (Binance).")
    var concurrency = 8

    @Option(name: .customLong("commit-rows"), help: "Candles per lake commit.")
    var commitRows = 500_000

    @Option(name: .customLong("gap-report"), help: "Where to write the JSON report of the providers' own holes (default: <data>/backfill-gaps.json).")
    var gapReport: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        CommandLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "cryptoviz.backfill")
        let environment = ProcessInfo.processInfo.environment
        guard let width = CandleInterval(rawValue: interval) else {
            throw ValidationError("--interval must be one of \(CandleInterval.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let range = try BackfillRange(from: from, to: to, interval: width, nowMillis: currentUnixMillis())
        var options = BackfillPlan.Options(range: range)
        options.interval = width
        options.assets = try BackfillSelection.Assets(parsing: assets)
        options.providers = providers.split(separator: ",").map { ProviderID(String($0).trimmingCharacters(in: .whitespaces)) }
        let collectors = CollectorConfiguration.fromEnvironment(environment)
        options.coinGeckoKey = collectors.coinGeckoKey
        options.coinGeckoURL = coinGeckoURL ?? collectors.settings(for: .coinGecko).baseURL
        options.binanceURL = binanceURL ?? collectors.settings(for: .binance).baseURL
        options.binanceLimit = RateLimit(capacity: binanceWeightLimit, per: .milliseconds(Int64(binanceWeightWindow * 1000)))
        options.coinGeckoLimit = coinGeckoLimit.map { RateLimit(capacity: $0, per: .seconds(60)) } ?? collectors.settings(for: .coinGecko).rateLimit

        var settings = RuntimeSettings()
        try settings.apply(environment: environment)
        if let data { settings.dataDirectory = data }
        if let lake { settings.lake = lake }
        try settings.validate()
        let table = try await Self.openCandles(settings.effectiveLake, logger: logger)

        let plan = try await BackfillPlan.make(options, client: .shared, logger: logger)
        for note in plan.notes { logger.notice("\(note)") }
        for (provider, ids) in plan.missing {
            logger.warning("assets the provider does not carry", metadata: ["provider": "\(provider)", "assets": "\(ids.map(\.rawValue).joined(separator: ","))"])
        }
        logger.info("backfill starting", metadata: [
            "lake": "\(settings.effectiveLake)", "series": "\(plan.jobs.count)", "interval": "\(width.rawValue)",
            "from_ms": "\(range.fromMillis)", "until_ms": "\(range.untilMillis)",
        ])
        var configuration = BackfillDriver.Configuration()
        configuration.concurrency[.binance] = concurrency
        configuration.commitRows = commitRows
        let progress = BackfillProgress()
        let display = Task { await ProgressDisplay(progress: progress).run() }
        let started = ContinuousClock.now
        let summary: BackfillDriver.Summary
        do {
            summary = try await BackfillDriver(sink: table, configuration: configuration, progress: progress, logger: logger).run(plan.jobs)
        } catch {
            display.cancel()
            await display.value
            throw error
        }
        display.cancel()
        await display.value
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Beside the lake's data rather than wherever the command was started.
        let gapReport = gapReport ?? URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("backfill-gaps.json").path
        try BackfillGapReport(gaps: summary.gaps, range: range).write(to: URL(fileURLWithPath: gapReport))
        logger.info("backfill finished", metadata: [
            "candles": "\(summary.candlesWritten)", "commits": "\(summary.commits)", "resumed_series": "\(summary.resumedSeries)",
            "skipped_overlap": "\(summary.skippedOverlap)", "gaps": "\(summary.gaps.count)",
            "missing_bars": "\(summary.gaps.reduce(0) { $0 + $1.missingBars })", "failed_series": "\(summary.failures.count)",
            "seconds": "\((seconds * 10).rounded() / 10)", "gap_report": "\(gapReport)",
        ])
        if !summary.failures.isEmpty {
            for failure in summary.failures { logger.error("series failed", metadata: ["series": "\(failure.appId)", "error": "\(failure.error)"]) }
            throw ExitCode(2)
        }
    }

    /// The lake root's candles table (`<lake>/candles`), created if the lake has none.
    static func openCandles(_ url: String, logger: Logger) async throws -> CandleTable {
        let location = try ObjectStoreLocation(parsing: url)
        if case .local(let path) = location {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let store = try location.makeStore(environment: ProcessInfo.processInfo.environment, logger: logger)
        return try await Lake.open(store: store, logger: logger).candles()
    }
}
