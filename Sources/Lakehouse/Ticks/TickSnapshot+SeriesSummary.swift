import CryptoVizCore

/// One (source, asset) series of a tick data file: its newest symbol and source time.
public struct TickSeriesSummary: Sendable, Hashable {
    public var source: ProviderID
    public var asset: AssetID
    /// The symbol of the series' newest row in the file.
    public var symbol: String
    /// Source time of the series' newest row in the file, Unix ms.
    public var lastSourceTimeMillis: Int64

    public init(source: ProviderID, asset: AssetID, symbol: String, lastSourceTimeMillis: Int64) {
        self.source = source
        self.asset = asset
        self.symbol = symbol
        self.lastSourceTimeMillis = lastSourceTimeMillis
    }
}

extension TickSnapshot {
    /// The series each of `files` holds, by file path, reading four columns (asset, source,
    /// symbol, source time) of each file.
    ///
    /// Data files are immutable, so a caller can keep the answer per path and ask only for
    /// the files a newer version added: what the server's asset and source lists are built
    /// from without scanning the table per request.
    public func seriesSummaries(of files: [AddFile]) async throws -> [String: [TickSeriesSummary]] {
        struct Key: Hashable { var source: String; var asset: String }
        var out: [String: [TickSeriesSummary]] = [:]
        var index = 0
        try await read(files, columns: [.asset, .source, .symbol, .sourceTime]) { batch in
            defer { index += 1 }
            var newest: [Key: (symbol: String, time: Int64)] = [:]
            if let assets = batch.strings(.asset), let times = batch.int64s(.sourceTime) {
                let sources = batch.strings(.source)
                let symbols = batch.strings(.symbol)
                for i in 0..<batch.count {
                    let key = Key(source: batch.sourceValue(at: i, sources), asset: assets[i])
                    if let current = newest[key], current.time > times[i] { continue }
                    newest[key] = (symbols?[i] ?? "", times[i])
                }
            }
            out[files[index].path] = newest.map {
                TickSeriesSummary(source: ProviderID($0.key.source), asset: AssetID($0.key.asset), symbol: $0.value.symbol,
                                  lastSourceTimeMillis: $0.value.time)
            }
        }
        return out
    }
}
