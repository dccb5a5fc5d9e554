import Logging
import ObjectStore

/// A lake: a root (a local folder or an S3 prefix) holding one folder per Delta table,
/// `ticks/`, `candles/`, `trades/` and `alerts/`.
///
/// Tables are siblings, never nested: a table's vacuum deletes every unreferenced file under
/// its root, so a table inside another's folder would lose its files. Each table is a
/// `DeltaTable` at a `root:` prefix of the lake's store, so the paths in its log stay
/// relative to its own folder and delta-rs or DuckDB read `<lake>/ticks` as a plain table.
///
/// Opening a lake written before this layout (the tick table at the root) migrates it first
/// (`LegacyLakeMigration`).
public actor Lake {
    /// The tick table's folder.
    public static let ticksRoot = "ticks/"
    /// The candles table's folder.
    public static let candlesRoot = "candles/"
    /// The streamed trades table's folder.
    public static let tradesRoot = "trades/"
    /// The alert history table's folder.
    public static let alertsRoot = "alerts/"

    /// The lake's store, rooted at the lake.
    public nonisolated let store: any ObjectStore
    let logger: Logger
    private var tickTable: TickTable?
    private var candleTable: CandleTable?
    private var tradeTable: TradeTable?
    private var alertTable: AlertTable?

    private init(store: any ObjectStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Opens the lake in `store`, first migrating a legacy root-level tick table into
    /// `ticks/` (or finishing a migration a crash interrupted). Creates no table.
    public static func open(store: any ObjectStore, logger: Logger = Logger(label: "cryptoviz.lakehouse")) async throws -> Lake {
        try await LegacyLakeMigration(store: store, logger: logger).run()
        return Lake(store: store, logger: logger)
    }

    /// The tick table, created with `layout` if the lake has none.
    public func ticks(layout: TableLayout = .default) async throws -> TickTable {
        if let tickTable { return tickTable }
        let table = try await TickTable.open(store: store, root: Self.ticksRoot, layout: layout, logger: logger)
        tickTable = table
        return table
    }

    /// The tick table; throws `.tableNotFound` when the lake has none (tools never create one).
    public func existingTicks() async throws -> TickTable {
        if let tickTable { return tickTable }
        let table = try await TickTable.openExisting(store: store, root: Self.ticksRoot, logger: logger)
        tickTable = table
        return table
    }

    /// The candles table, created if the lake has none.
    public func candles() async throws -> CandleTable {
        if let candleTable { return candleTable }
        let table = try await CandleTable.open(store: store, root: Self.candlesRoot, logger: logger)
        candleTable = table
        return table
    }

    /// The candles table, or nil when the lake has none yet.
    public func existingCandles() async throws -> CandleTable? {
        if let candleTable { return candleTable }
        guard try await DeltaTable(store: store, root: Self.candlesRoot, logger: logger).exists() else { return nil }
        return try await candles()
    }

    /// The streamed trades table, created if the lake has none.
    public func trades() async throws -> TradeTable {
        if let tradeTable { return tradeTable }
        let table = try await TradeTable.open(store: store, root: Self.tradesRoot, logger: logger)
        tradeTable = table
        return table
    }

    /// The streamed trades table, or nil when the lake has none yet.
    public func existingTrades() async throws -> TradeTable? {
        if let tradeTable { return tradeTable }
        guard try await DeltaTable(store: store, root: Self.tradesRoot, logger: logger).exists() else { return nil }
        return try await trades()
    }

    /// The alert history table, created if the lake has none.
    public func alerts() async throws -> AlertTable {
        if let alertTable { return alertTable }
        let table = try await AlertTable.open(store: store, root: Self.alertsRoot, logger: logger)
        alertTable = table
        return table
    }

    /// The alert history table, or nil when the lake has none yet.
    public func existingAlerts() async throws -> AlertTable? {
        if let alertTable { return alertTable }
        guard try await DeltaTable(store: store, root: Self.alertsRoot, logger: logger).exists() else { return nil }
        return try await alerts()
    }
}
