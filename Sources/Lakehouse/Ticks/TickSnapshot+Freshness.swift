import CryptoVizCore

extension TickSnapshot {
    /// The newest source time per source in the files that may hold rows from `sinceMillis`
    /// on, from the files' statistics alone (no data file is read): how far behind the lake is,
    /// per source, for alerts.
    ///
    /// A file names its source by its `source=` partition or, in layouts without one, by a
    /// source column whose minimum equals its maximum; files mixing sources are skipped.
    public func newestSourceTimes(sinceMillis: Int64) -> [ProviderID: Int64] {
        var newest: [ProviderID: Int64] = [:]
        for file in candidateFiles(fromMillis: sinceMillis) {
            // `timestampRange` widens its upper bound by 1 ms for pruning; the stored maximum is one less.
            guard let stats = file.parsedStatistics(),
                let upper = stats.timestampRange(TickColumn.sourceTime.rawValue)?.upperBound.advanced(by: -1)
            else { continue }
            let source: String
            if let partition = file.partitionValues["source"] ?? nil {
                source = partition
            } else if let range = stats.stringRange(TickColumn.source.rawValue), range.lowerBound == range.upperBound {
                source = range.lowerBound
            } else {
                continue
            }
            newest[ProviderID(source)] = max(newest[ProviderID(source)] ?? .min, upper)
        }
        return newest
    }
}
