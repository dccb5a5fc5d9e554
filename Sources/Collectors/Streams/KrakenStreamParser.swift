import CryptoVizCore
import Foundation

/// Parses Kraken WebSocket v2 frames (docs.kraken.com/api/docs/websocket-v2): `status` and
/// `heartbeat` channels and subscription acks are control traffic; `ticker` snapshots and
/// updates carry `data: [{symbol, last, volume, vwap, change_pct, …}]` with JSON numbers.
///
/// Only `…/USD` symbols become quotes; their base goes through `KrakenPairName.aliases`
/// (XBT → BTC, XDG → DOGE) in case the venue uses its legacy codes. A refused subscription
/// (`success: false`) is a `refused` frame error: dead-lettered and counted, so the operator
/// sees which watched coin the venue does not list.
public enum KrakenStreamParser {
    public static func parse(_ bytes: [UInt8], arrivalMillis: Int64) throws(StreamFrameError) -> StreamFrame {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw StreamFrameError(.notJSON, "frame is not valid JSON (\(bytes.count) bytes)")
        }
        guard case .object(let message) = document else {
            throw StreamFrameError(.unexpectedShape, "expected an object, got \(document.typeName)")
        }
        if case .string(let method)? = message["method"] {
            if case .bool(true)? = message["success"] { return StreamFrame(isControl: true) }
            if method == "pong" { return StreamFrame(isControl: true) }
            let reason = message["error"]?.stringValue ?? "no reason given"
            throw StreamFrameError(.refused, "\(method.prefix(32)) refused: \(reason.prefix(120))")
        }
        guard case .string(let channel)? = message["channel"] else {
            throw StreamFrameError(.unexpectedShape, "missing \"channel\" or \"method\"")
        }
        switch channel {
        case "status", "heartbeat":
            return StreamFrame(isControl: true)
        case "ticker":
            guard case .array(let records)? = message["data"] else {
                throw StreamFrameError(.unexpectedShape, "ticker without a data array")
            }
            return tickers(records, arrivalMillis: arrivalMillis)
        default:
            throw StreamFrameError(.unknownStream, "channel \(channel.prefix(32)) is not one this client reads")
        }
    }

    static func tickers(_ records: [JSONValue], arrivalMillis: Int64) -> StreamFrame {
        var frame = StreamFrame()
        var quotes: [SourceQuote] = []
        for record in records {
            do throws(TickRejection) {
                let symbol: String
                do { symbol = try ProviderJSON.requiredString(record, "symbol") } catch { throw .missingAssetID }
                let parts = symbol.split(separator: "/")
                guard parts.count == 2, parts[1] == Substring(KrakenStreamProvider.quoteCurrency), !parts[0].isEmpty else {
                    frame.ignored += 1
                    continue
                }
                let code = String(parts[0]).uppercased()
                let base = KrakenPairName.aliases[code] ?? code
                let last = try ProviderJSON.requiredNumber(record, "last")
                let volume = try ProviderJSON.optionalNumber(record, "volume")
                let vwap = try ProviderJSON.optionalNumber(record, "vwap")
                // v2 tickers carry an RFC 3339 `timestamp` on newer feeds; older ones none (arrival time then).
                let time = record["timestamp"] == nil ? arrivalMillis : try ProviderJSON.requiredISOTime(record, "timestamp")
                quotes.append(SourceQuote(
                    identity: .exchangeBase(base), symbol: base, quoteCurrency: KrakenStreamProvider.quoteCurrency,
                    price: last, volume24h: volume.flatMap { v in vwap.map { v * $0 } },
                    change24h: try ProviderJSON.optionalNumber(record, "change_pct"), sourceTimeMillis: time))
            } catch {
                frame.rejections.append(error)
            }
        }
        if !quotes.isEmpty { frame.events.append(.quotes(quotes)) }
        return frame
    }
}
