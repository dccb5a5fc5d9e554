import CryptoVizCore
import Foundation

/// Parses Coinbase Exchange feed messages (docs.cdp.coinbase.com/exchange/websocket-feed):
/// `ticker` (one per match: `sequence`, `product_id`, `price`, `open_24h`, `volume_24h`, `side`,
/// `time`, `trade_id`, `last_size`; numbers as strings), `heartbeat` (`sequence`,
/// `last_trade_id`), `subscriptions` (control) and `error` (a refused subscribe: dead-lettered).
///
/// Every ticker becomes a quote (only `…-USD` products; the base ticker goes to the directory);
/// for the products in `tradeProducts` it is also a trade, whose `side` is the taker's, so the
/// buyer was the maker when the taker sold. Sequence numbers and heartbeats' last trade ids
/// ride along for the collector's gap detection. Message types this client does not read are
/// ignored, as the feed's documentation asks ("new message types can be added at any time").
public enum CoinbaseStreamParser {
    public static func parse(_ bytes: [UInt8], tradeProducts: Set<String>) throws(StreamFrameError) -> StreamFrame {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw StreamFrameError(.notJSON, "frame is not valid JSON (\(bytes.count) bytes)")
        }
        guard case .object(let message) = document, case .string(let type)? = message["type"] else {
            throw StreamFrameError(.unexpectedShape, "expected an object with a \"type\"")
        }
        switch type {
        case "ticker":
            return ticker(document, tradeProducts: tradeProducts)
        case "heartbeat":
            var frame = StreamFrame(isControl: true)
            guard case .string(let product)? = message["product_id"], let sequence = message["sequence"]?.wholeNumber else {
                throw StreamFrameError(.badEvent, "heartbeat without product_id or sequence")
            }
            frame.sequences.append(SequenceMark(series: product, sequence: sequence, consumes: false))
            if tradeProducts.contains(product), let last = message["last_trade_id"]?.wholeNumber {
                frame.tradeWatermarks.append(TradeWatermark(pair: product, lastTradeID: last))
            }
            return frame
        case "subscriptions":
            return StreamFrame(isControl: true)
        case "error":
            let text = message["message"]?.stringValue ?? "error"
            let reason = message["reason"]?.stringValue ?? "no reason given"
            throw StreamFrameError(.refused, "\(text.prefix(40)): \(reason.prefix(120))")
        default:
            return StreamFrame(ignored: 1, isControl: true)
        }
    }

    static func ticker(_ record: JSONValue, tradeProducts: Set<String>) -> StreamFrame {
        var frame = StreamFrame()
        guard let product = record["product_id"]?.stringValue else {
            frame.rejections.append(.missingAssetID)
            return frame
        }
        if let sequence = record["sequence"]?.wholeNumber {
            frame.sequences.append(SequenceMark(series: product, sequence: sequence, consumes: true))
        }
        let parts = product.split(separator: "-")
        guard parts.count == 2, parts[1] == Substring(CoinbaseProvider.quoteCurrency), !parts[0].isEmpty else {
            frame.ignored += 1
            return frame
        }
        let base = String(parts[0]).uppercased()
        do throws(TickRejection) {
            let price = try ProviderJSON.requiredDecimalString(record, "price")
            let time = try ProviderJSON.requiredISOTime(record, "time")
            let open = try ProviderJSON.optionalDecimalString(record, "open_24h")
            // Base units × last price, as the REST poller reports Coinbase's quote volume.
            let volume = try ProviderJSON.optionalDecimalString(record, "volume_24h").map { $0 * price }
            frame.events.append(.quotes([SourceQuote(
                identity: .exchangeBase(base), symbol: base, quoteCurrency: CoinbaseProvider.quoteCurrency, price: price,
                volume24h: volume, change24h: open.flatMap { $0 > 0 ? (price / $0 - 1) * 100 : nil }, sourceTimeMillis: time)]))
            if tradeProducts.contains(product) {
                let tradeID = try ProviderJSON.requiredInteger(record, "trade_id")
                let side = try ProviderJSON.requiredString(record, "side")
                guard side == "buy" || side == "sell" else { throw .unparsableField(field: "side", detail: "not buy or sell: \(side.prefix(10))") }
                frame.events.append(.trade(TradeEvent(
                    provider: .coinbase, pair: product, base: base, quoteCurrency: CoinbaseProvider.quoteCurrency, tradeID: tradeID,
                    price: price, quantity: try ProviderJSON.requiredDecimalString(record, "last_size"),
                    buyerIsMaker: side == "sell", tradeTimeMillis: time, eventTimeMillis: time)))
            }
        } catch {
            frame.rejections.append(error)
        }
        return frame
    }
}

extension JSONValue {
    /// An integer-valued number (`sequence`, `trade_id`), nil otherwise.
    var wholeNumber: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): value.rounded() == value && abs(value) < 9.0e15 ? Int64(value) : nil
        default: nil
        }
    }
}
