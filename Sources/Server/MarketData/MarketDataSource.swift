import CryptoVizCore
import Lakehouse

/// Everything the HTTP API and dashboard read or change, behind one seam.
///
/// The Server never touches the pipeline or the lake directly: `cryptoviz up` passes an
/// implementation over the HotTail (recent ticks, live feed, stats) and the Lakehouse (history,
/// candles, management, time travel, SQL). `InMemoryMarketData` is a complete in-memory one.
/// Implementations throw `MarketDataError` for expected failures (its code picks the HTTP
/// status); any other error becomes a generic 500 without details.
public protocol MarketDataSource: Sendable {
    /// The assets with at least one tick or stored candle, with the sources that report each.
    func assets() async throws -> [AssetDTO]

    /// Whether `asset` has at least one tick or stored candle (every per-asset request asks; it
    /// must be cheap).
    func isKnown(_ asset: AssetID) async throws -> Bool

    /// The sources known to the pipeline, with the assets each reports.
    func sources() async throws -> [SourceDTO]

    /// The most recent tick per (asset, source) pair; `nil` filters mean "all".
    ///
    /// The Server derives consensus quotes and spreads from these (median across sources).
    func latestTicks(assets: Set<AssetID>?, sources: Set<ProviderID>?) async throws -> [Tick]

    /// Ticks of one asset ordered by (`sourceTimeMillis`, `source`) ascending, strictly after
    /// `query.after` when given, at most `query.limit`, within `[fromMillis, toMillis)`.
    ///
    /// `nextCursor` is the key of the last tick returned when more ticks may follow, else nil.
    /// With `asOfVersion` the read uses that lake table version (time travel).
    func ticks(_ query: TickQuery) async throws -> TickPage

    /// OHLCV candles of one asset, one per non-empty bucket, ordered by start time.
    ///
    /// Buckets are `[start, start + interval)` aligned to the Unix epoch (UTC). Open/close are the
    /// prices of the earliest/latest tick by source time, `volume` is absent (ticks report a
    /// rolling 24 h volume, not what traded in the bucket), `tickCount` the ticks used.
    /// A lake with a candles table answers from its stored bars where it holds the asset
    /// (`LakeMarketData.tableCandles`): there open/close come from the bars, `volume` is the
    /// bars' summed base volume, `tickCount` counts bars plus ticks.
    func candles(_ query: CandleQuery) async throws -> [CandleDTO]

    /// Pipeline health: ingest rate, freshness percentiles, lag per bus partition, providers.
    func pipelineStats() async throws -> PipelineStatsDTO

    /// The lake table's current version, partitions and files.
    func lakeInfo() async throws -> LakeInfoDTO

    /// The lake table's commit history, newest first.
    func lakeVersions() async throws -> [LakeVersionDTO]

    /// Rewrites small files of each partition into larger ones; commits a new table version.
    func compact() async throws -> CompactionResultDTO

    /// Deletes data files no longer referenced by any version within the retention window;
    /// with `dryRun` only lists what would be deleted.
    func vacuum(dryRun: Bool) async throws -> VacuumResultDTO

    /// Removes ticks whose source time is older than `days` days; commits a new table version.
    func applyRetention(days: Int) async throws -> RetentionResultDTO

    /// Runs one read-only SQL statement over the lake (table `ticks`), at most `rowLimit` rows.
    ///
    /// The Server has only checked length and emptiness (`SQLGuard`): implementations judge
    /// the statement with their own parser, refuse anything but one query (`rejected`), and
    /// run it read-only with a timeout.
    func executeSQL(_ statement: String, rowLimit: Int) async throws -> SQLResultDTO

    /// A new subscription to ticks as they arrive; ends when the subscriber stops iterating.
    func liveTicks() -> AsyncStream<Tick>
}

/// A tick-page request; see `MarketDataSource.ticks(_:)`.
public struct TickQuery: Sendable, Hashable {
    public var asset: AssetID
    public var sources: Set<ProviderID>?
    public var fromMillis: Int64
    public var toMillis: Int64
    public var limit: Int
    public var after: TickCursor?
    public var asOfVersion: Int64?

    public init(
        asset: AssetID, sources: Set<ProviderID>? = nil, fromMillis: Int64, toMillis: Int64,
        limit: Int, after: TickCursor? = nil, asOfVersion: Int64? = nil
    ) {
        self.asset = asset
        self.sources = sources
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        self.limit = limit
        self.after = after
        self.asOfVersion = asOfVersion
    }
}

/// The key of a tick within one asset: ticks are unique per (source time, source).
public struct TickCursor: Sendable, Hashable, Comparable {
    public var sourceTimeMillis: Int64
    public var source: ProviderID

    public init(sourceTimeMillis: Int64, source: ProviderID) {
        self.sourceTimeMillis = sourceTimeMillis
        self.source = source
    }

    /// The cursor of a tick, for "strictly after this one" paging.
    public init(_ tick: Tick) {
        self.init(sourceTimeMillis: tick.sourceTimeMillis, source: tick.source)
    }

    public static func < (lhs: TickCursor, rhs: TickCursor) -> Bool {
        (lhs.sourceTimeMillis, lhs.source.rawValue) < (rhs.sourceTimeMillis, rhs.source.rawValue)
    }

    /// The opaque text form used in the API (`<ms>~<source>`).
    public var token: String { "\(sourceTimeMillis)~\(source.rawValue)" }

    /// Parses `token`; nil for anything else.
    public init?(token: String) {
        let parts = token.split(separator: "~", maxSplits: 1)
        guard parts.count == 2, let ms = Int64(parts[0]), !parts[1].isEmpty,
            APIValidation.isIdentifier(String(parts[1]))
        else { return nil }
        self.init(sourceTimeMillis: ms, source: ProviderID(String(parts[1])))
    }
}

/// A page of ticks and where the next one starts.
public struct TickPage: Sendable, Codable {
    public var ticks: [Tick]
    public var nextCursor: TickCursor?

    public init(ticks: [Tick], nextCursor: TickCursor?) {
        self.ticks = ticks
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case ticks, nextCursor }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ticks = try c.decode([Tick].self, forKey: .ticks)
        nextCursor = try c.decodeIfPresent(String.self, forKey: .nextCursor).flatMap(TickCursor.init(token:))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ticks, forKey: .ticks)
        try c.encode(nextCursor?.token, forKey: .nextCursor)
    }
}

/// A candles request; see `MarketDataSource.candles(_:)`. `sources == nil` merges all sources.
///
/// `interval` is the Lakehouse's `CandleInterval` (one definition of the bucket widths and
/// their epoch alignment for the lake scans and the API).
public struct CandleQuery: Sendable, Hashable {
    public var asset: AssetID
    public var sources: Set<ProviderID>?
    public var interval: CandleInterval
    public var fromMillis: Int64
    public var toMillis: Int64
    public var asOfVersion: Int64?

    public init(
        asset: AssetID, sources: Set<ProviderID>? = nil, interval: CandleInterval,
        fromMillis: Int64, toMillis: Int64, asOfVersion: Int64? = nil
    ) {
        self.asset = asset
        self.sources = sources
        self.interval = interval
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        self.asOfVersion = asOfVersion
    }
}

extension MarketDataSource {
    public func isKnown(_ asset: AssetID) async throws -> Bool {
        try await assets().contains { $0.asset == asset }
    }
}
