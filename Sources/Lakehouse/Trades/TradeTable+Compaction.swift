import CryptoVizCore

extension TradeTable {
    /// What a compaction did (the tick table's report).
    public typealias CompactionResult = TickTable.CompactionResult

    /// Rewrites each (date, source) partition's small files (below `targetFileBytes`) into files
    /// of about that size, rows sorted by asset, pair and trade id, in one commit with
    /// `dataChange = false` (Delta "OPTIMIZE"); the processor commits a small file per
    /// partition every few seconds while trades stream. A partition needs `minFiles` small
    /// files. Every row is kept as it is; a file whose rows would not read back as written (see
    /// `TradeFileCodec.fetch`) keeps its bin as it is.
    public func compact(targetFileBytes: Int64 = 64 << 20, minFiles: Int = 2, attempts: Int = 3) async throws -> CompactionResult {
        try await delta.optimize(table: "trades", partitionColumns: TradeColumn.partitionColumns, targetFileBytes: targetFileBytes,
                                 minFiles: minFiles, attempts: attempts) { folder, bin, snapshot in
            var records: [TradeRecord] = []
            for file in bin {
                do {
                    records += try await TradeFileCodec.fetch(file, from: self.delta.store, key: self.delta.dataKey(file.relativeKey),
                                                              version: snapshot.version)
                } catch let error as LakehouseError where error.code == .corruptDataFile {
                    return .kept(file: file.path)
                }
            }
            let (bytes, stats) = try TradeFileCodec.encode(Self.sorted(records))
            return .rewritten(try await self.delta.putDataFile(bytes, stats: stats, folder: folder,
                                                               partitionValues: bin[0].partitionValues, dataChange: false))
        }
    }
}
