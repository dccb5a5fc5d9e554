import CryptoVizCore
import Lakehouse
import Logging

/// Compacts the lake's tables on a schedule, so a running pipeline does not pile up the small
/// files its frequent commits write (the processor commits ticks, and rollup candles, every few
/// seconds: about thirty files a minute in `up --demo`); and, less often, vacuums them, so the
/// files compaction replaced are deleted once no version within the retention refers to them.
///
/// Each round compacts the partitions holding at least `minFiles` small files of the tick
/// table, then of the candles table (`TickTable.compact`, `CandleTable.compact`): the rewrites
/// commit with `dataChange = false` beside the processor's appends, and a conflict with
/// another compactor is retried there. A failed round is logged and the next one tries
/// again; nothing here stops the pipeline.
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
    public func run(ticks: TickTable, candles: CandleTable?, logger: Logger) async {
        var nextVacuum = vacuumEvery.map { currentUnixMillis() + $0.wholeMilliseconds }
        while !Task.isCancelled {
            await log.scheduled(compaction: currentUnixMillis() + every.wholeMilliseconds, vacuum: nextVacuum)
            do {
                try await Task.sleep(for: every)
            } catch {
                return
            }
            await round(ticks: ticks, candles: candles, logger: logger)
            if let due = nextVacuum, let vacuumEvery, currentUnixMillis() >= due {
                await vacuum(ticks: ticks, candles: candles, logger: logger)
                nextVacuum = currentUnixMillis() + vacuumEvery.wholeMilliseconds
            }
        }
    }

    /// One round over both tables.
    public func round(ticks: TickTable, candles: CandleTable?, logger: Logger) async {
        do {
            let result = try await ticks.compact(minFiles: minFiles)
            if result.version != nil { Self.log(result, table: "ticks", logger: logger) }
            await log.compacted(.init(table: "ticks", atMillis: currentUnixMillis(), version: result.version,
                                      filesRemoved: result.filesRemoved, filesAdded: result.filesAdded))
        } catch {
            logger.warning("scheduled compaction of the tick table failed; the next round retries", metadata: ["error": "\(error)"])
            await log.failed("compaction of ticks: \(error)")
        }
        guard let candles else { return }
        do {
            let result = try await candles.compact(minFiles: minFiles)
            if result.version != nil { Self.log(result, table: "candles", logger: logger) }
            await log.compacted(.init(table: "candles", atMillis: currentUnixMillis(), version: result.version,
                                      filesRemoved: result.filesRemoved, filesAdded: result.filesAdded))
        } catch {
            logger.warning("scheduled compaction of the candles table failed; the next round retries", metadata: ["error": "\(error)"])
            await log.failed("compaction of candles: \(error)")
        }
    }

    /// Deletes both tables' files that no version of the last `retentionHours` refers to.
    public func vacuum(ticks: TickTable, candles: CandleTable?, logger: Logger) async {
        let retention = Int64(retentionHours * 3_600_000)
        do {
            let deleted = try await ticks.vacuum(retentionMillis: retention)
            logger.info("scheduled vacuum", metadata: ["table": "ticks", "deleted": "\(deleted.count)"])
            await log.vacuumed(.init(table: "ticks", atMillis: currentUnixMillis(), version: nil, filesRemoved: deleted.count, filesAdded: 0))
            if let candles {
                let deleted = try await candles.vacuum(retentionMillis: retention)
                logger.info("scheduled vacuum", metadata: ["table": "candles", "deleted": "\(deleted.count)"])
                await log.vacuumed(.init(table: "candles", atMillis: currentUnixMillis(), version: nil, filesRemoved: deleted.count, filesAdded: 0))
            }
        } catch {
            logger.warning("scheduled vacuum failed; the next one retries", metadata: ["error": "\(error)"])
            await log.failed("vacuum: \(error)")
        }
    }

    private static func log(_ result: TickTable.CompactionResult, table: String, logger: Logger) {
        logger.info("scheduled compaction", metadata: [
            "table": "\(table)", "version": "\(result.version.map(String.init) ?? "-")", "partitions": "\(result.partitions)",
            "removed": "\(result.filesRemoved)", "added": "\(result.filesAdded)",
        ])
    }
}
