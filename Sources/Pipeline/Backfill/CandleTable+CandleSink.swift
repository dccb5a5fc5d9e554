import Lakehouse

/// The lake's candles table is where `cryptoviz backfill` commits.
extension CandleTable: CandleSink {}
