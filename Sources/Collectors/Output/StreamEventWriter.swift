import CryptoVizCore
import Foundation

/// Writes streamed trades and candles as JSON lines to a file, one object per event with a
/// `type` of "trade" or "candle" (ticker quotes go out as ticks through `JSONLinesTickWriter`).
public actor StreamEventWriter {
    private let handle: FileHandle
    public private(set) var written = 0

    /// Writes to `path`, created or truncated.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        self.handle = handle
    }

    /// Appends one line per trade or candle; quotes are skipped (they are ticks).
    public func write(_ events: [StreamEvent]) throws {
        var text = ""
        for event in events {
            switch event {
            case .quotes: continue
            case .trade(let trade):
                text += #"{"type":"trade","source":"\#(trade.provider.rawValue)","pair":\#(quoted(trade.pair)),"trade_id":\#(trade.tradeID),"#
                    + #""price":\#(trade.price),"quantity":\#(trade.quantity),"buyer_is_maker":\#(trade.buyerIsMaker),"#
                    + #""trade_time_ms":\#(trade.tradeTimeMillis),"event_time_ms":\#(trade.eventTimeMillis)}"# + "\n"
            case .candle(let candle):
                text += #"{"type":"candle","source":"\#(candle.provider.rawValue)","pair":\#(quoted(candle.pair)),"interval":\#(quoted(candle.interval)),"#
                    + #""open_time_ms":\#(candle.bar.openTimeMillis),"open":\#(candle.bar.open),"high":\#(candle.bar.high),"low":\#(candle.bar.low),"#
                    + #""close":\#(candle.bar.close),"base_volume":\#(candle.bar.baseVolume),"quote_volume":\#(candle.bar.quoteVolume),"#
                    + #""trade_count":\#(candle.bar.tradeCount ?? 0),"final":\#(candle.isFinal),"event_time_ms":\#(candle.eventTimeMillis)}"# + "\n"
            }
            written += 1
        }
        if !text.isEmpty { try handle.write(contentsOf: Data(text.utf8)) }
    }

    /// A JSON string literal: the venue's pair text is input from outside and may hold quotes.
    private func quoted(_ text: String) -> String {
        (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? #""""#
    }

    public func close() throws {
        try handle.close()
    }
}
