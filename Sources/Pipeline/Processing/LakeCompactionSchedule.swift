import CryptoVizCore
import Lakehouse
import Logging

/// Compacts the lake's tables on a schedule, so a running pipeline does not pile up the small
/// files its frequent commits write (the processor commits ticks, and rollup candles, every few
/// seconds: about thirty files a minute in `up --demo`); and, less often, vacuums them, so the
/// files compaction replaced are deleted once no version within the retention refers to them.
///
/// Each round compacts the partitions holding at least `minFiles` small files of the tick
/// table, then of the candles and trades tables (`TickTable.compact`, `CandleTable.compact`,
/// `TradeTable.compact`): the rewrites commit with `dataChange = false` beside the processor's
/// appends, and a conflict with another compactor is retried there. A table's failure is
/// logged and the next round tries again; nothing here stops the pipeline or the other tables.
public struct LakeCompactionSchedule: Sendable {
    public var every: Duration
    public var minFiles: Int
    /// Nil: no vacuum.
    public var vacuumEvery: Duration?
    public var retentionHours: Double
    /// Where the schedule and each run are recorded (the Management view reads it).
    public let log: LakeMaintenanceLog

    public init(every: Duration, minFiles: Int = 10, vacuumEvery: Duration? = nil, retentionHours: Double = 168) {
        self.every = every
        self.minFiles = minFiles
        self.vacuumEvery = vacuumEvery
        self.retentionHours = retentionHours
        log = LakeMaintenanceLog(compactEvery: every, minFiles: minFiles, vacuumEvery: vacuumEvery, retentionHours: retentionHours)
    }

    /// Runs rounds until cancelled (the first one `every` after the start); a vacuum follows the
    /// round once `vacuumEvery` has passed since the start or the last vacuum.
    public func run(ticks: TickTable, candles: CandleTable?, trades: TradeTable? = nil, logger: Logger) async {
        let tables = Self.tables(ticks: ticks, candles: candles, trades: trades)
        var nextVacuum = vacuumEvery.map { currentUnixMillis() + $0.wholeMilliseconds }
        while !Task.isCancelled {
            await log.scheduled(compaction: currentUnixMillis() + every.wholeMilliseconds, vacuum: nextVacuum)
            do {
                try await Task.sleep(for: every)
            } catch {
                return
            }
            await round(tables, logger: logger)
            if let due = nextVacuum, let vacuumEvery, currentUnixMillis() >= due {
                await vacuum(tables, logger: logger)
                nextVacuum = currentUnixMillis() + vacuumEvery.wholeMilliseconds
            }
        }
    }

    /// One round over the tables the process writes.
    public func round(ticks: TickTable, candles: CandleTable?, trades: TradeTable? = nil, logger: Logger) async {
        await round(Self.tables(ticks: ticks, candles: candles, trades: trades), logger: logger)
    }

    /// Deletes the tables' files that no version of the last `retentionHours` refers to.
    public func vacuum(ticks: TickTable, candles: CandleTable?, trades: TradeTable? = nil, logger: Logger) async {
        await vacuum(Self.tables(ticks: ticks, candles: candles, trades: trades), logger: logger)
    }

    /// One table as the schedule sees it: a name and its two operations.
    struct Table: Sendable {
        var name: String
        var compact: @Sendable (_ minFiles: Int) async throws -> TickTable.CompactionResult
        var vacuum: @Sendable (_ retentionMillis: Int64) async throws -> Int
    }

    static func tables(ticks: TickTable, candles: CandleTable?, trades: TradeTable?) -> [Table] {
        var tables = [Table(name: "ticks", compact: { try await ticks.compact(minFiles: $0) },
                            vacuum: { try await ticks.vacuum(retentionMillis: $0).count })]
        if let candles {
            tables.append(Table(name: "candles", compact: { try await candles.compact(minFiles: $0) },
                                vacuum: { try await candles.vacuum(retentionMillis: $0).count }))
        }
        if let trades {
            tables.append(Table(name: "trades", compact: { try await trades.compact(minFiles: $0) },
                                vacuum: { try await trades.vacuum(retentionMillis: $0).count }))
        }
        return tables
    }

    private func round(_ tables: [Table], logger: Logger) async {
        for table in tables {
            do {
                let result = try await table.compact(minFiles)
                if result.version != nil { Self.log(result, table: table.name, logger: logger) }
                await log.compacted(.init(table: table.name, atMillis: currentUnixMillis(), version: result.version,
                                          filesRemoved: result.filesRemoved, filesAdded: result.filesAdded))
            } catch {
                logger.warning("scheduled compaction of the \(table.name) table failed; the next round retries", metadata: ["error": "\(error)"])
                await log.failed("compaction of \(table.name): \(error)")
            }
        }
    }

    private func vacuum(_ tables: [Table], logger: Logger) async {
        let retention = Int64(retentionHours * 3_600_000)
        for table in tables {
            do {
                let deleted = try await table.vacuum(retention)
                logger.info("scheduled vacuum", metadata: ["table": "\(table.name)", "deleted": "\(deleted)"])
                await log.vacuumed(.init(table: table.name, atMillis: currentUnixMillis(), version: nil, filesRemoved: deleted, filesAdded: 0))
            } catch {
                logger.warning("scheduled vacuum failed; the next one retries", metadata: ["table": "\(table.name)", "error": "\(error)"])
                await log.failed("vacuum of \(table.name): \(error)")
            }
        }
    }

    private static func log(_ result: TickTable.CompactionResult, table: String, logger: Logger) {
        logger.info("scheduled compaction", metadata: [
            "table": "\(table)", "version": "\(result.version.map(String.init) ?? "-")", "partitions": "\(result.partitions)",
            "removed": "\(result.filesRemoved)", "added": "\(result.filesAdded)",
        ])
    }
}
