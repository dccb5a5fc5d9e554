import Collectors
import CryptoVizCore
import Logging
import Metrics

/// Puts streamed trades and closed candles on the bus: trades (`TradeMessage`) on both topics,
/// like ticks: `crypto-streaming` for the live path and `crypto-raw-data` for the lake path,
/// where the stream processor commits them to the trades table; final candles
/// (`CandleMessage`) on `crypto-raw-data` only, for the candles table. All keyed by canonical
/// asset, so they share a partition with the asset's ticks. A trade's two messages go in one
/// publish, sharing one encoding.
///
/// Unlike ticks they are not spilled to disk: a publish that fails is logged (rate-limited)
/// and counted as dropped, and the stream goes on. A final candle lost that way is a bar
/// `cryptoviz backfill` can fetch again; a lost trade is missing from the trades table.
public actor MarketEventPublisher {
    /// Figures for stats and tests.
    public struct Stats: Sendable, Codable, Equatable {
        public var trades = 0
        public var candles = 0
        /// Open (not yet final) candles, which are not published.
        public var openCandlesSkipped = 0
        /// Events whose base ticker the asset directory does not know (yet).
        public var unresolved = 0
        /// Events the bus refused (a trade counts once, though it travels on both topics).
        public var dropped = 0

        enum CodingKeys: String, CodingKey {
            case trades, candles, unresolved, dropped
            case openCandlesSkipped = "open_candles_skipped"
        }
    }

    private let bus: any Bus
    private let logger: Logger
    private var stats = Stats()
    private var lastWarning: ContinuousClock.Instant?
    private let tradeCounter = Counter(label: "cryptoviz_publisher_events_total", dimensions: [("type", "trade")])
    private let candleCounter = Counter(label: "cryptoviz_publisher_events_total", dimensions: [("type", "candle")])
    private let droppedCounter = Counter(label: "cryptoviz_publisher_events_dropped_total")

    public init(bus: any Bus, logger: Logger) {
        self.bus = bus
        self.logger = logger
    }

    public func currentStats() -> Stats { stats }

    /// Publishes the trades and final candles of `events`; `resolve` gives a base ticker's
    /// canonical id (the collectors' asset directory). Never throws.
    public func publish(_ events: [StreamEvent], resolve: @Sendable (String) async -> AssetID?) async {
        let now = currentUnixMillis()
        var messages: [OutgoingMessage] = []
        var trades = 0, candles = 0
        for event in events {
            do {
                switch event {
                case .quotes:
                    continue
                case .trade(let trade):
                    guard let asset = await resolve(trade.base) else {
                        stats.unresolved += 1
                        continue
                    }
                    let value = try TradeMessage(trade, asset: asset, producedAtMillis: now).encoded()
                    for topic in [BusTopics.streaming, BusTopics.rawData] {
                        messages.append(OutgoingMessage(topic: topic, key: Array(asset.rawValue.utf8), value: value, timestampMillis: now))
                    }
                    trades += 1
                case .candle(let candle):
                    guard candle.isFinal else {
                        stats.openCandlesSkipped += 1
                        continue
                    }
                    guard let asset = await resolve(candle.base) else {
                        stats.unresolved += 1
                        continue
                    }
                    let value = try CandleMessage(candle, asset: asset, producedAtMillis: now).encoded()
                    messages.append(OutgoingMessage(topic: BusTopics.rawData, key: Array(asset.rawValue.utf8), value: value,
                                                    timestampMillis: now))
                    candles += 1
                }
            } catch {
                // A non-finite number: the parser let it through, the wire format cannot carry it.
                stats.dropped += 1
            }
        }
        guard !messages.isEmpty else { return }
        do {
            try await bus.publish(consume messages)
            stats.trades += trades
            stats.candles += candles
            tradeCounter.increment(by: trades)
            candleCounter.increment(by: candles)
        } catch {
            stats.dropped += trades + candles
            droppedCounter.increment(by: trades + candles)
            let clock = ContinuousClock()
            if lastWarning.map({ clock.now - $0 > .seconds(30) }) ?? true {
                lastWarning = clock.now
                logger.warning("streamed trades and candles dropped: the bus refused them", metadata: [
                    "events": "\(trades + candles)", "dropped_total": "\(stats.dropped)", "error": "\(error)"])
            }
        }
    }
}
