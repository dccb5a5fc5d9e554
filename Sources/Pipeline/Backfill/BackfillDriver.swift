import Collectors
import CryptoVizCore
import Lakehouse
import Logging

/// Pages every job's history from where the table says it stopped and commits it in large,
/// exactly-once commits.
///
/// Per series: the start is `max(from, txn version + interval)` (a restarted run continues
/// after the last committed bar, and bars at or before it are never written twice); pages
/// arrive in order and go to one `CommitQueue`, whose commits carry each series' last open
/// time as its Delta `txn` version. Holes inside the range that the provider itself has are
/// reported as `BackfillGap`s, not filled. Several series run at once per provider; the pace
/// is the provider's shared rate limiter's business, not the driver's.
public struct BackfillDriver: Sendable {
    /// How a run is shaped.
    public struct Configuration: Sendable {
        /// Series in flight at once, per provider.
        public var concurrency: [ProviderID: Int] = [.binance: 8, .coinGecko: 2]
        /// Rows per commit (large commits: few files, few log entries).
        public var commitRows: Int = 500_000
        public init() {}
    }

    /// What a run did.
    public struct Summary: Sendable {
        public var candlesWritten: Int64 = 0
        public var commits = 0
        /// Series that resumed from a committed version.
        public var resumedSeries = 0
        /// Bars at or before a series' committed version that a provider sent again (dropped).
        public var skippedOverlap: Int64 = 0
        public var gaps: [BackfillGap] = []
        /// Series that failed, with the error text.
        public var failures: [(appId: String, error: String)] = []
    }

    public let sink: any CandleSink
    public let configuration: Configuration
    public let progress: BackfillProgress
    public let logger: Logger

    public init(sink: any CandleSink, configuration: Configuration = .init(), progress: BackfillProgress = .init(), logger: Logger) {
        self.sink = sink
        self.configuration = configuration
        self.progress = progress
        self.logger = logger
    }

    /// Runs every job; a failing series is reported and the others go on, but a failed commit
    /// stops the run (the table decides where a restart resumes).
    public func run(_ jobs: [BackfillJob]) async throws -> Summary {
        let queue = CommitQueue(sink: sink, commitRows: configuration.commitRows)
        var byProvider: [ProviderID: [BackfillJob]] = [:]
        for job in jobs {
            byProvider[job.source.provider, default: []].append(job)
            let expected = (job.untilMillis - job.fromMillis) / job.interval.millis
            await progress.register(provider: job.source.provider.rawValue, series: 1, expected: max(0, expected))
        }
        let outcomes = try await withThrowingTaskGroup(of: [SeriesOutcome].self) { group in
            for (provider, providerJobs) in byProvider {
                let workers = max(1, min(configuration.concurrency[provider] ?? 4, providerJobs.count))
                let cursor = JobCursor(jobs: providerJobs)
                for _ in 0..<workers {
                    group.addTask {
                        var outcomes: [SeriesOutcome] = []
                        while let job = await cursor.next() {
                            outcomes.append(try await backfill(job, queue: queue))
                        }
                        return outcomes
                    }
                }
            }
            var all: [SeriesOutcome] = []
            for try await outcomes in group { all += outcomes }
            return all
        }
        try await queue.flush()
        var summary = Summary()
        for outcome in outcomes {
            summary.resumedSeries += outcome.resumed ? 1 : 0
            summary.skippedOverlap += outcome.skippedOverlap
            summary.gaps += outcome.gaps
            if let error = outcome.error { summary.failures.append((outcome.appId, error)) }
        }
        summary.gaps.sort { ($0.source, $0.asset, $0.fromMillis) < ($1.source, $1.asset, $1.fromMillis) }
        summary.candlesWritten = Int64(await queue.committedRows)
        summary.commits = await queue.commits
        return summary
    }

    struct SeriesOutcome: Sendable {
        var appId: String
        var resumed = false
        var skippedOverlap: Int64 = 0
        var gaps: [BackfillGap] = []
        var error: String?
    }

    /// One series, page by page. Provider errors end this series only; commit errors end the run.
    func backfill(_ job: BackfillJob, queue: CommitQueue) async throws -> SeriesOutcome {
        let appId = job.appId
        let provider = job.source.provider.rawValue
        let width = job.interval.millis
        var outcome = SeriesOutcome(appId: appId)
        let committed = try await sink.transactionVersion(appId: appId)
        var cursor = job.fromMillis
        if let committed {
            outcome.resumed = true
            cursor = max(cursor, committed + width)
        }
        var expected = cursor
        var delivered: Int64 = 0
        let now = currentUnixMillis()
        func gap(_ from: Int64, _ until: Int64) {
            let missing = (until - from) / width
            guard missing > 0 else { return }
            outcome.gaps.append(BackfillGap(source: provider, asset: job.series.asset.rawValue, interval: job.interval.rawValue,
                                            fromMillis: from, untilMillis: until, missingBars: missing))
            logger.info("provider has no bars here: recorded as a gap", metadata: [
                "provider": "\(provider)", "asset": "\(job.series.asset)", "from_ms": "\(from)", "until_ms": "\(until)",
                "missing_bars": "\(missing)",
            ])
        }
        do {
            while cursor < job.untilMillis {
                let page = try await job.source.page(job.series, fromMillis: cursor, untilMillis: job.untilMillis)
                var records: [CandleRecord] = []
                records.reserveCapacity(page.bars.count)
                for bar in page.bars {
                    if let committed, bar.openTimeMillis <= committed {
                        outcome.skippedOverlap += 1
                        continue
                    }
                    guard bar.openTimeMillis >= expected, bar.openTimeMillis % width == 0 else {
                        throw CollectorError(provider: job.source.provider, code: .malformedBody,
                                             "bar at \(bar.openTimeMillis) out of order or off the \(job.interval.rawValue) grid (expected ≥ \(expected))")
                    }
                    if bar.openTimeMillis > expected { gap(expected, bar.openTimeMillis) }
                    expected = bar.openTimeMillis + width
                    records.append(CandleRecord(
                        bar, source: job.source.provider, asset: job.series.asset, symbol: job.series.symbol,
                        quoteCurrency: job.series.quoteCurrency, interval: job.interval,
                        isFinal: bar.closeTimeMillis < now, origin: .backfill, ingestTimeMillis: now))
                }
                if let last = records.last {
                    try await queue.add(records, appId: appId, version: last.openTimeMillis)
                    delivered += Int64(records.count)
                    await progress.record(provider: provider, candles: records.count)
                }
                guard let next = page.next, next > cursor else { break }
                cursor = next
            }
            if expected < job.untilMillis { gap(expected, job.untilMillis) }
        } catch let error as CollectorError {
            outcome.error = error.description
            logger.error("series failed; the others go on", metadata: ["series": "\(appId)", "error": "\(error)"])
        }
        let full = max(0, (job.untilMillis - job.fromMillis) / width)
        await progress.finish(provider: provider, failed: outcome.error != nil, shortfall: full - delivered)
        return outcome
    }
}

/// Hands out a provider's jobs one at a time to its workers.
actor JobCursor {
    private var jobs: [BackfillJob]
    private var index = 0
    init(jobs: [BackfillJob]) { self.jobs = jobs }
    func next() -> BackfillJob? {
        guard index < jobs.count else { return nil }
        defer { index += 1 }
        return jobs[index]
    }
}
