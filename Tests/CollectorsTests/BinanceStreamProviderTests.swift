import CryptoVizCore
import Testing
@testable import Collectors

@Suite struct BinanceStreamProviderTests {
    @Test func streamNamesAreLowerCaseTickersFirstWithoutDuplicates() {
        let provider = BinanceStreamProvider(baseURL: "wss://stream.binance.com:9443/")
        let subscription = StreamSubscription(tradeSymbols: ["BTC", "ETH", "BTC"], klineSymbols: ["BTC"])
        #expect(provider.streamNames(for: subscription) == ["!miniTicker@arr", "btcusdt@trade", "ethusdt@trade", "btcusdt@kline_1m"])
        let plans = provider.connections(for: subscription)
        #expect(plans.count == 1)
        #expect(plans[0].url == "wss://stream.binance.com:9443/stream?streams=!miniTicker@arr/btcusdt@trade/ethusdt@trade/btcusdt@kline_1m")
        #expect(plans[0].subscribeMessages.isEmpty)
    }

    @Test(arguments: [1, 3, 1024])
    func connectionsCarryAtMostTheLimit(limit: Int) {
        let provider = BinanceStreamProvider(baseURL: "ws://h:1", maxStreamsPerConnection: limit)
        let symbols = (0..<1500).map { "C\($0)" }
        let subscription = StreamSubscription(tradeSymbols: symbols, klineSymbols: [])
        let plans = provider.connections(for: subscription)
        #expect(plans.allSatisfy { $0.streams.count <= limit })
        #expect(plans.flatMap(\.streams).count == 1501)
        #expect(Set(plans.flatMap(\.streams)).count == 1501)
        #expect(Set(plans.map(\.label)).count == plans.count)
    }

    @Test func limitAboveTheVenuesIsClamped() {
        let provider = BinanceStreamProvider(baseURL: "ws://h:1", maxStreamsPerConnection: 5000)
        #expect(provider.maxStreamsPerConnection == 1024)
    }
}
