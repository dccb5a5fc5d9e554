import CryptoVizCore
import Testing
@testable import Pipeline

@Suite struct HotTailTests {
    func tick(_ asset: AssetID, _ source: ProviderID, at t: Int64, price: Double = 1) -> Tick {
        Tick(source: source, asset: asset, symbol: "X", price: price, sourceTimeMillis: t, collectedTimeMillis: t)
    }

    @Test func keepsLatestPerSeriesAndOrdersLateArrivals() {
        let tail = HotTail()
        tail.insert(tick("bitcoin", .coinGecko, at: 3_000, price: 3))
        tail.insert(tick("bitcoin", .coinGecko, at: 1_000, price: 1))
        tail.insert(tick("bitcoin", .binance, at: 2_000, price: 2))
        #expect(tail.latest().map(\.price) == [2, 3])
        #expect(tail.ticks(asset: "bitcoin", source: .coinGecko, fromMillis: 0, toMillis: 10_000).map(\.sourceTimeMillis) == [1_000, 3_000])
    }

    @Test func dropsRepeatedSourceTimes() {
        let tail = HotTail()
        #expect(tail.insert(tick("eth", .coinGecko, at: 5)))
        #expect(!tail.insert(tick("eth", .coinGecko, at: 5)))
        #expect(tail.counts().held == 1)
    }

    @Test func boundsByWindowAndPoints() {
        var configuration = HotTail.Configuration()
        configuration.window = .seconds(10)
        configuration.maxPointsPerSeries = 5
        let tail = HotTail(configuration: configuration)
        for s in 0..<100 { tail.insert(tick("eth", .coinGecko, at: Int64(s) * 1_000)) }
        let held = tail.ticks(asset: "eth", source: nil, fromMillis: 0, toMillis: .max)
        #expect(held.map(\.sourceTimeMillis) == [95_000, 96_000, 97_000, 98_000, 99_000])
        configuration.maxPointsPerSeries = 1_000
        let windowed = HotTail(configuration: configuration)
        for s in 0..<100 { windowed.insert(tick("eth", .coinGecko, at: Int64(s) * 1_000)) }
        #expect(windowed.ticks(asset: "eth", source: nil, fromMillis: 0, toMillis: .max).first?.sourceTimeMillis == 89_000)
    }

    @Test func subscribersSeeNewTicks() async {
        let tail = HotTail()
        let stream = tail.subscribe()
        tail.insert(tick("sol", .binance, at: 1))
        tail.insert(tick("sol", .binance, at: 1))
        tail.insert(tick("sol", .binance, at: 2))
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next()?.sourceTimeMillis == 1)
        #expect(await iterator.next()?.sourceTimeMillis == 2)
    }

    @Test func aSubscriberThatStopsReadingHoldsOnlyTheNewestAndLeavesWhenDropped() async {
        let tail = HotTail()
        var stream: AsyncStream<Tick>? = tail.subscribe(buffer: 16)
        for s in 0..<1_000 { tail.insert(tick("sol", .binance, at: Int64(s))) }
        var iterator = stream!.makeAsyncIterator()
        #expect(await iterator.next()?.sourceTimeMillis == 984, "the 16 newest are kept, the rest dropped")
        #expect(tail.subscriberCount == 1)
        stream = nil
        iterator = AsyncStream<Tick> { $0.finish() }.makeAsyncIterator()
        #expect(tail.subscriberCount == 0, "a dropped subscription unregisters")
        _ = await iterator.next()
    }

    @Test func seriesStartsSayFromWhenTheTailHoldsTheWholeSeries() {
        var configuration = HotTail.Configuration()
        configuration.maxPointsPerSeries = 3
        let tail = HotTail(configuration: configuration)
        tail.insert(tick("btc", .binance, at: 5_000))
        tail.insert(tick("btc", .coinGecko, at: 7_000))
        #expect(tail.seriesStarts(asset: "btc") == [.binance: 5_000, .coinGecko: 7_000])
        // Seeded from the lake since 1 000: the lake has nothing else for these series after it.
        tail.markComplete(since: 1_000)
        #expect(tail.seriesStarts(asset: "btc") == [.binance: 1_000, .coinGecko: 1_000])
        // A series that lost points is whole only from its oldest remaining one.
        for s in 1...3 { tail.insert(tick("btc", .binance, at: 5_000 + Int64(s) * 1_000)) }
        #expect(tail.seriesStarts(asset: "btc") == [.binance: 6_000, .coinGecko: 1_000])
        #expect(tail.holds(asset: "btc") && !tail.holds(asset: "eth"))
    }

    @Test func followsTheStreamingTopic() async throws {
        let bus = InProcessBus()
        try await bus.ensureTopics([BusTopics.streaming], partitions: 3)
        let codec = TickMessageCodec()
        var messages = try (0..<30).map { i in
            try codec.encode(tick(AssetID("a\(i % 5)"), .coinGecko, at: Int64(i)), topic: BusTopics.streaming, producedAtMillis: 0)
        }
        messages.append(OutgoingMessage(topic: BusTopics.streaming, key: [1], value: Array("garbage".utf8), timestampMillis: 0))
        try await bus.publish(messages)
        let tail = HotTail()
        let deadLetters = DeadLetterQueue(fileURL: nil, logger: .init(label: "test"))
        let task = Task { try await tail.follow(bus: bus, group: "tail", deadLetters: deadLetters, logger: .init(label: "test")) }
        for _ in 0..<100 where tail.counts().held < 30 { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        #expect(tail.counts().held == 30)
        #expect(tail.assets().count == 5)
        #expect(deadLetters.counts["malformed"] == 1)
    }
}
