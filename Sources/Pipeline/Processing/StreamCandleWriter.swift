import Collectors
import CryptoVizCore
import Lakehouse
import Logging
import Metrics

/// Commits the venues' closed stream candles (`CandleMessage`, origin `stream`) to the
/// candles table, exactly once per bar.
///
/// Each series (source, asset, interval) commits with its own Delta `txn`,
/// `appId = "stream/<source>/<asset>/<interval>"`, version = the newest open time written, as
/// backfill does per series: a bar redelivered (a bus replay after a crash, a second collector)
/// whose open time is not past the version is skipped. The stream processor flushes the writer
/// before each tick commit, so the bus offsets a tick commit records never cover a bar that is
/// not yet in the table. A failing candles commit is logged and counted, never fails the tick
/// path (as the live rollup): the bars stay pending and are retried at the next flush; if the
/// process dies meanwhile they are lost from the stream (a backfill fetches them again).
public actor StreamCandleWriter {
    public struct Stats: Sendable, Codable, Equatable {
        public var commits = 0
        public var rows = 0
        /// Bars not written because their series' txn already covered them.
        public var alreadyCommitted = 0
        public var failedCommits = 0
        public var pending = 0

        enum CodingKeys: String, CodingKey {
            case commits, rows, pending
            case alreadyCommitted = "already_committed"
            case failedCommits = "failed_commits"
        }
    }

    private let sink: any CandleSink
    private let logger: Logger
    private var pending: [String: [Int64: CandleRecord]] = [:]
    private var versions: [String: Int64] = [:]
    private var stats = Stats()
    private let rowCounter = Counter(label: "cryptoviz_stream_candles_rows_total")

    public init(sink: any CandleSink, logger: Logger) {
        self.sink = sink
        self.logger = logger
    }

    public static func appID(source: ProviderID, asset: AssetID, interval: CandleInterval) -> String {
        "stream/\(source.rawValue)/\(asset.rawValue)/\(interval.rawValue)"
    }

    public func currentStats() -> Stats {
        var s = stats
        s.pending = pending.values.reduce(0) { $0 + $1.count }
        return s
    }

    /// Queues one closed bar; a bar of an interval the table does not hold is refused (false).
    @discardableResult
    public func add(_ message: CandleMessage, ingestTimeMillis: Int64) -> Bool {
        let bar = message.candle
        guard let interval = CandleInterval(rawValue: bar.interval) else { return false }
        let record = CandleRecord(
            HistoryBar(openTimeMillis: bar.openTimeMillis, closeTimeMillis: bar.closeTimeMillis, open: bar.open, high: bar.high,
                       low: bar.low, close: bar.close, baseVolume: bar.baseVolume, quoteVolume: bar.quoteVolume,
                       tradeCount: bar.tradeCount),
            source: bar.source, asset: bar.asset, symbol: bar.pair, quoteCurrency: bar.quoteCurrency, interval: interval,
            isFinal: true, origin: .stream, ingestTimeMillis: ingestTimeMillis)
        pending[Self.appID(source: bar.source, asset: bar.asset, interval: interval), default: [:]][bar.openTimeMillis] = record
        return true
    }

    /// Commits what is pending in one commit (every series' txn with it). Never throws.
    public func flush() async {
        guard !pending.isEmpty else { return }
        do {
            var records: [CandleRecord] = []
            var transactions: [String: Int64] = [:]
            for (appID, bars) in pending {
                let committed: Int64?
                if let known = versions[appID] {
                    committed = known
                } else {
                    committed = try await sink.transactionVersion(appId: appID)
                    if let committed { versions[appID] = committed }
                }
                let fresh = bars.values.filter { committed == nil || $0.openTimeMillis > committed! }
                stats.alreadyCommitted += bars.count - fresh.count
                guard let newest = fresh.map(\.openTimeMillis).max() else { continue }
                records += fresh.sorted { $0.openTimeMillis < $1.openTimeMillis }
                transactions[appID] = newest
            }
            if !records.isEmpty { try await sink.append(records, transactions: transactions) }
            for (appID, version) in transactions { versions[appID] = version }
            pending.removeAll()
            stats.commits += records.isEmpty ? 0 : 1
            stats.rows += records.count
            rowCounter.increment(by: records.count)
        } catch {
            stats.failedCommits += 1
            // A conflicting writer may have moved a txn: read the versions again next time.
            versions.removeAll()
            logger.warning("stream candles commit failed; retried at the next flush", metadata: ["error": "\(error)"])
        }
    }
}
