import CryptoVizCore

extension TickSnapshot {
    /// The rows that came from partition `busPartition` of bus topic `busTopic` with offsets in
    /// `offsets`, in offset order.
    ///
    /// What a stream reader needs to redo work for a range of input it knows only by offsets
    /// (the processor's rollup after a crash between its tick and candle commits). Files are
    /// pruned by their `bus_partition` and `bus_offset` statistics: a file whose offsets all lie
    /// outside the range holds none of the partition's rows in it, whatever partitions it mixes.
    public func ticks(busTopic: String, busPartition: Int32, offsets: ClosedRange<Int64>) async throws -> [LakeRecord] {
        func intRange(_ stats: FileStatistics, _ column: TickColumn) -> ClosedRange<Int64>? {
            guard let lo = stats.minValues[column.rawValue]?.intValue, let hi = stats.maxValues[column.rawValue]?.intValue,
                  lo <= hi else { return nil }
            return lo...hi
        }
        let files = delta.files.filter { file in
            guard let stats = file.parsedStatistics() else { return true }
            if let partitions = intRange(stats, .busPartition), !partitions.contains(Int64(busPartition)) { return false }
            if let range = intRange(stats, .busOffset), !range.overlaps(offsets) { return false }
            return true
        }
        var out: [LakeRecord] = []
        try await read(files, columns: TickColumn.allCases) { batch in
            guard let partitions = batch.int64s(.busPartition), let offsetColumn = batch.int64s(.busOffset) else { return }
            let topics = batch.strings(.busTopic)
            let rows = batch.rows()
            for i in 0..<batch.count where partitions[i] == Int64(busPartition) && offsets.contains(offsetColumn[i])
                && (topics?[i] ?? busTopic) == busTopic {
                out.append(rows.record(at: i))
            }
        }
        return out.sorted { $0.busOffset < $1.busOffset }
    }
}
