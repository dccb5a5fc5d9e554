import Lakehouse
import Logging

/// Compacts the lake's tables on a schedule, so a running pipeline does not pile up the small
/// files its frequent commits write (the processor commits ticks, and rollup candles, every few
/// seconds: about thirty files a minute in `up --demo`).
///
/// Each round compacts the partitions holding at least `minFiles` small files of the tick
/// table, then of the candles table (`TickTable.compact`, `CandleTable.compact`): the rewrites
/// commit with `dataChange = false` beside the processor's appends, and a conflict with
/// another compactor is retried there. A failed round is logged and the next one tries
/// again; nothing here stops the pipeline.
public struct LakeCompactionSchedule: Sendable {
    public var every: Duration
    public var minFiles: Int

    public init(every: Duration, minFiles: Int = 10) {
        self.every = every
        self.minFiles = minFiles
    }

    /// Runs rounds until cancelled (the first one `every` after the start).
    public func run(ticks: TickTable, candles: CandleTable?, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: every)
            } catch {
                return
            }
            await round(ticks: ticks, candles: candles, logger: logger)
        }
    }

    /// One round over both tables.
    public func round(ticks: TickTable, candles: CandleTable?, logger: Logger) async {
        do {
            let result = try await ticks.compact(minFiles: minFiles)
            if result.version != nil { Self.log(result, table: "ticks", logger: logger) }
        } catch {
            logger.warning("scheduled compaction of the tick table failed; the next round retries", metadata: ["error": "\(error)"])
        }
        guard let candles else { return }
        do {
            let result = try await candles.compact(minFiles: minFiles)
            if result.version != nil { Self.log(result, table: "candles", logger: logger) }
        } catch {
            logger.warning("scheduled compaction of the candles table failed; the next round retries", metadata: ["error": "\(error)"])
        }
    }

    private static func log(_ result: TickTable.CompactionResult, table: String, logger: Logger) {
        logger.info("scheduled compaction", metadata: [
            "table": "\(table)", "version": "\(result.version.map(String.init) ?? "-")", "partitions": "\(result.partitions)",
            "removed": "\(result.filesRemoved)", "added": "\(result.filesAdded)",
        ])
    }
}
