import CryptoVizCore
import Testing
@testable import Collectors

/// Coinbase feed messages as documented (docs.cdp.coinbase.com/exchange/websocket-feed), and
/// what the collector makes of their sequence numbers and heartbeats.
struct CoinbaseStreamParserTests {
    static let ticker = #"""
    {"type":"ticker","sequence":37475248783,"product_id":"ETH-USD","price":"1285.22","open_24h":"1310.79",
     "volume_24h":"245532.79269678","low_24h":"1280.52","high_24h":"1313.8","volume_30d":"9788783.60117027",
     "best_bid":"1285.04","best_bid_size":"0.46688654","best_ask":"1285.27","best_ask_size":"1.56637040",
     "side":"buy","time":"2022-10-19T23:28:22.061769Z","trade_id":370843401,"last_size":"11.4396987"}
    """#

    static func parse(_ text: String, trades: Set<String> = ["ETH-USD"]) throws(StreamFrameError) -> StreamFrame {
        try CoinbaseStreamParser.parse(Array(text.utf8), tradeProducts: trades)
    }

    @Test func aTickerIsAQuoteAndForATradeProductATradeWithTheTakersSide() throws {
        let frame = try Self.parse(Self.ticker)
        #expect(frame.sequences == [SequenceMark(series: "ETH-USD", sequence: 37475248783, consumes: true)])
        guard frame.events.count == 2, case .quotes(let quotes) = frame.events[0], case .trade(let trade) = frame.events[1] else {
            Issue.record("expected a quote and a trade, got \(frame.events)")
            return
        }
        let quote = try #require(quotes.first)
        #expect(quote.symbol == "ETH" && quote.quoteCurrency == "USD" && quote.price == 1285.22)
        #expect(quote.sourceTimeMillis == 1_666_222_102_061)
        #expect(abs((quote.volume24h ?? 0) - 245532.79269678 * 1285.22) < 1e-3)
        #expect(abs((quote.change24h ?? 0) - (1285.22 / 1310.79 - 1) * 100) < 1e-9)
        #expect(trade.tradeID == 370843401 && trade.pair == "ETH-USD" && trade.base == "ETH" && trade.quantity == 11.4396987)
        #expect(trade.buyerIsMaker == false, "side buy: the taker bought, so the seller was the maker")
    }

    @Test func aProductOffTheTradeListIsAQuoteOnly() throws {
        let frame = try Self.parse(Self.ticker, trades: [])
        #expect(frame.events.count == 1)
        #expect(frame.sequences.count == 1)
    }

    @Test func heartbeatsCarryTheSequenceAndTheLastTradeID() throws {
        let frame = try Self.parse(#"{"type":"heartbeat","last_trade_id":20,"product_id":"ETH-USD","sequence":90,"time":"2014-11-07T08:19:28.464459Z"}"#)
        #expect(frame.isControl && frame.events.isEmpty)
        #expect(frame.sequences == [SequenceMark(series: "ETH-USD", sequence: 90, consumes: false)])
        #expect(frame.tradeWatermarks == [TradeWatermark(pair: "ETH-USD", lastTradeID: 20)])
    }

    @Test func refusalsAreDeadLetterReasonsAndUnknownTypesAreIgnored() throws {
        #expect(throws: StreamFrameError(.refused, "Failed to subscribe: NOPE-USD is not a valid product")) {
            try Self.parse(#"{"type":"error","message":"Failed to subscribe","reason":"NOPE-USD is not a valid product"}"#)
        }
        #expect(try Self.parse(#"{"type":"subscriptions","channels":[]}"#).isControl)
        let status = try Self.parse(#"{"type":"status","products":[]}"#)
        #expect(status.isControl && status.ignored == 1)
        #expect(throws: StreamFrameError.self) { try Self.parse(#"{"type":"ticker","#) }
        #expect(throws: StreamFrameError.self) { try Self.parse(#"[1,2]"#) }
    }

    @Test func aTickerWithABadPriceIsARejectionButItsSequenceStillCounts() throws {
        let frame = try Self.parse(Self.ticker.replacingOccurrences(of: #""price":"1285.22""#, with: #""price":"abc""#))
        #expect(frame.events.isEmpty && frame.rejections.count == 1)
        #expect(frame.sequences.count == 1)
    }

    @Test func eachProductIsSubscribedInItsOwnMessage() {
        let provider = CoinbaseStreamProvider(baseURL: "wss://ws-feed.exchange.coinbase.com", tradeSymbols: ["BTC"])
        let plans = provider.connections(for: StreamSubscription(tickerSymbols: ["eth", "BTC"], tradeSymbols: ["BTC"]))
        #expect(plans.count == 1)
        #expect(plans.first?.streams == ["BTC-USD", "ETH-USD"])
        #expect(plans.first?.subscribeMessages.first == #"{"type":"subscribe","product_ids":["BTC-USD"],"channels":["ticker","heartbeat"]}"#)
        #expect(provider.connections(for: StreamSubscription()).isEmpty)
    }

    /// Messages through `StreamCollector.handle`, as a connection would deliver them.
    static func feed(_ collector: StreamCollector, _ messages: [String]) async throws -> [StreamEvent] {
        let log = StreamEventLog()
        for message in messages {
            try await collector.handle(.text(message), connection: "coinbase#0") { await log.add($0) }
        }
        return await log.trades.map(StreamEvent.trade)
    }

    static func tick(sequence: Int64, tradeID: Int64) -> String {
        #"{"type":"ticker","sequence":\#(sequence),"product_id":"BTC-USD","price":"65000.5","side":"sell","time":"2026-12-01T10:00:\#(10 + tradeID).123456Z","trade_id":\#(tradeID),"last_size":"0.01"}"#
    }

    static func heartbeat(sequence: Int64, lastTradeID: Int64) -> String {
        #"{"type":"heartbeat","last_trade_id":\#(lastTradeID),"product_id":"BTC-USD","sequence":\#(sequence),"time":"2026-12-01T10:00:01.000000Z"}"#
    }

    static func collector() -> StreamCollector {
        StreamCollector(provider: CoinbaseStreamProvider(baseURL: "ws://unused", tradeSymbols: ["BTC"]), settings: .coinbase,
                        health: ProviderHealthBoard(), logger: StreamCollectorTests.logger)
    }

    @Test func aHeartbeatRevealsATailOfLostMessagesThatNoLaterTickerShows() async throws {
        let collector = Self.collector()
        _ = try await Self.feed(collector, [Self.tick(sequence: 100, tradeID: 7), Self.heartbeat(sequence: 102, lastTradeID: 9)])
        let health = await collector.health.streamHealth(of: .coinbase)
        #expect(health.sequenceGaps == 1 && health.messagesMissed == 2)
        // No REST repair configured: the two trades are recorded as a gap, never invented.
        #expect(health.gapsFound == 1 && health.tradesUnfilled == 2)
        let gap = try #require(collector.gaps.first)
        #expect(gap.pair == "BTC-USD" && gap.fromID == 8 && gap.toID == 9)
    }

    @Test func aRepeatedOrOlderSequenceIsDroppedAndAQuietHeartbeatIsNoGap() async throws {
        let collector = Self.collector()
        let trades = try await Self.feed(collector, [
            Self.tick(sequence: 100, tradeID: 7), Self.heartbeat(sequence: 100, lastTradeID: 7),
            Self.tick(sequence: 100, tradeID: 7), Self.tick(sequence: 99, tradeID: 6), Self.tick(sequence: 101, tradeID: 8),
        ])
        #expect(trades.count == 2)
        let health = await collector.health.streamHealth(of: .coinbase)
        #expect(health.staleMessages == 2 && health.sequenceGaps == 0 && health.gapsFound == 0)
        #expect(health.duplicatesDropped == 4, "two stale tickers, each a quote and a trade")
    }
}
