import CryptoVizCore
import Foundation

/// Parses Binance spot combined-stream frames: `{"stream": "<name>", "data": <event>}`.
///
/// Docs: developers.binance.com/docs/binance-spot-api-docs/web-socket-streams ("Individual
/// Symbol Mini Ticker" / "All Market Mini Tickers Stream" `{e, E, s, c, o, h, l, v, q}`,
/// "Trade Streams" `{e, E, s, t, p, q, T, m}`, "Kline/Candlestick Streams" with `k.x` marking a
/// closed bar). Prices and quantities are JSON strings. Only USDT pairs become quotes (as on the
/// poll path); a bad record inside `!miniTicker@arr` rejects that record only, while an
/// unusable single-event frame (trade, kline) is a `StreamFrameError` to dead-letter.
public enum BinanceStreamParser {
    public static let quoteAsset = BinanceProvider.quoteAsset

    public static func parse(_ bytes: [UInt8]) throws(StreamFrameError) -> StreamFrame {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw StreamFrameError(.notJSON, "frame is not valid JSON (\(bytes.count) bytes)")
        }
        guard case .object(let envelope) = document else {
            throw StreamFrameError(.unexpectedShape, "expected an object, got \(document.typeName)")
        }
        // `{"result": null, "id": N}` answers a SUBSCRIBE/UNSUBSCRIBE request.
        if envelope["id"] != nil, envelope["stream"] == nil {
            return StreamFrame(isControl: true)
        }
        guard case .string(let stream)? = envelope["stream"], let data = envelope["data"] else {
            throw StreamFrameError(.unexpectedShape, "missing \"stream\" or \"data\"")
        }
        if stream == "!miniTicker@arr" {
            guard case .array(let records) = data else {
                throw StreamFrameError(.unexpectedShape, "!miniTicker@arr data is \(data.typeName), not an array")
            }
            return miniTickers(records)
        }
        if stream.hasSuffix("@trade") {
            return StreamFrame(events: [.trade(try trade(data, stream: stream))])
        }
        if stream.hasSuffix("@kline_1m") {
            return StreamFrame(events: [.candle(try kline(data, stream: stream))])
        }
        throw StreamFrameError(.unknownStream, "stream \(stream.prefix(64)) is not one this client reads")
    }

    /// The USDT base of a pair, or nil for pairs out of scope.
    static func base(ofPair pair: String) -> String? {
        guard pair.hasSuffix(quoteAsset), pair.count > quoteAsset.count else { return nil }
        return String(pair.dropLast(quoteAsset.count))
    }

    static func miniTickers(_ records: [JSONValue]) -> StreamFrame {
        var frame = StreamFrame()
        var quotes: [SourceQuote] = []
        quotes.reserveCapacity(records.count)
        for record in records {
            do throws(TickRejection) {
                let pair: String
                do { pair = try ProviderJSON.requiredString(record, "s") } catch { throw .missingAssetID }
                guard let base = base(ofPair: pair) else {
                    frame.ignored += 1
                    continue
                }
                let close = try ProviderJSON.requiredDecimalString(record, "c")
                let open = try ProviderJSON.optionalDecimalString(record, "o")
                quotes.append(SourceQuote(
                    identity: .exchangeBase(base), symbol: base, quoteCurrency: quoteAsset, price: close,
                    volume24h: try ProviderJSON.optionalDecimalString(record, "q"),
                    change24h: open.flatMap { $0 > 0 ? (close / $0 - 1) * 100 : nil },
                    sourceTimeMillis: try ProviderJSON.requiredInteger(record, "E")))
            } catch {
                frame.rejections.append(error)
            }
        }
        if !quotes.isEmpty { frame.events.append(.quotes(quotes)) }
        return frame
    }

    static func trade(_ data: JSONValue, stream: String) throws(StreamFrameError) -> TradeEvent {
        do {
            let pair = try ProviderJSON.requiredString(data, "s")
            guard let base = base(ofPair: pair) else {
                throw StreamFrameError(.badEvent, "\(stream): pair \(pair.prefix(20)) is not quoted in USDT")
            }
            guard case .bool(let buyerIsMaker)? = data["m"] else { throw TickRejection.missingField(field: "m") }
            let price = try ProviderJSON.requiredDecimalString(data, "p")
            let quantity = try ProviderJSON.requiredDecimalString(data, "q")
            guard price > 0, quantity > 0 else { throw TickRejection.nonPositivePrice }
            return TradeEvent(
                provider: .binance, pair: pair, base: base, quoteCurrency: quoteAsset,
                tradeID: try ProviderJSON.requiredInteger(data, "t"), price: price, quantity: quantity,
                buyerIsMaker: buyerIsMaker, tradeTimeMillis: try ProviderJSON.requiredInteger(data, "T"),
                eventTimeMillis: try ProviderJSON.requiredInteger(data, "E"))
        } catch let error as StreamFrameError {
            throw error
        } catch {
            throw StreamFrameError(.badEvent, "\(stream.prefix(64)): \(error)")
        }
    }

    static func kline(_ data: JSONValue, stream: String) throws(StreamFrameError) -> StreamCandle {
        do {
            let pair = try ProviderJSON.requiredString(data, "s")
            guard let base = base(ofPair: pair) else {
                throw StreamFrameError(.badEvent, "\(stream): pair \(pair.prefix(20)) is not quoted in USDT")
            }
            guard let k = data["k"], case .object = k else { throw TickRejection.missingField(field: "k") }
            guard case .bool(let isFinal)? = k["x"] else { throw TickRejection.missingField(field: "k.x") }
            let candle = StreamCandle(
                provider: .binance, pair: pair, base: base, quoteCurrency: quoteAsset,
                interval: try ProviderJSON.requiredString(k, "i"),
                bar: HistoryBar(
                    openTimeMillis: try ProviderJSON.requiredInteger(k, "t"),
                    closeTimeMillis: try ProviderJSON.requiredInteger(k, "T"),
                    open: try ProviderJSON.requiredDecimalString(k, "o"), high: try ProviderJSON.requiredDecimalString(k, "h"),
                    low: try ProviderJSON.requiredDecimalString(k, "l"), close: try ProviderJSON.requiredDecimalString(k, "c"),
                    baseVolume: try ProviderJSON.requiredDecimalString(k, "v"),
                    quoteVolume: try ProviderJSON.requiredDecimalString(k, "q"),
                    tradeCount: try ProviderJSON.requiredInteger(k, "n")),
                isFinal: isFinal, eventTimeMillis: try ProviderJSON.requiredInteger(data, "E"))
            let bar = candle.bar
            guard candle.interval == "1m", bar.low <= bar.high, bar.open > 0, bar.low > 0 else {
                throw TickRejection.implausibleValue(field: "k")
            }
            return candle
        } catch let error as StreamFrameError {
            throw error
        } catch {
            throw StreamFrameError(.badEvent, "\(stream.prefix(64)): \(error)")
        }
    }
}
