import CryptoVizCore
import Foundation
import MarketSimulator
import Testing
import TestSupport
@testable import Collectors

/// Coinbase and Kraken collected end to end from the simulator: in process through
/// `CollectorService`, and as the real `cryptoviz collect` against a real `cryptoviz simulate`.
@Suite(.serialized) struct VenueCollectionTests {
    /// The watched coins a venue lists, by canonical id: what a poll of it must deliver.
    static func expected(_ watched: ArraySlice<SimulatedAsset>, on provider: ProviderID) -> Set<AssetID> {
        Set(watched.filter { asset in
            switch provider {
            case .binance: asset.binancePair != nil
            case .coinbase: asset.coinbaseProduct != nil
            case .kraken: asset.krakenPair != nil
            default: true
            }
        }.map { AssetID($0.id) })
    }

    @Test func allFiveSourcesDeliverEveryListedWatchedCoinUnderOneID() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 150
        simulatorConfiguration.coinMarketCapKey = "test-key"
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator)
        configuration.enabledProviders = [.coinGecko, .coinMarketCap, .binance, .coinbase, .kraken]
        configuration.topN = 30
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let reports = try await service.collectOnce { await sink.add($0) }
        let stats = await simulator.stats()
        await simulator.stop()

        #expect(reports.count == 5 && reports.allSatisfy { $0.error == nil }, "\(reports.compactMap(\.error))")
        let watched = simulator.universe.assets.prefix(30)
        let truth = Dictionary(uniqueKeysWithValues: simulator.universe.assets.map { ($0.id, $0) })
        let reference = Dictionary(uniqueKeysWithValues: await sink.ticks(from: .coinGecko).map { ($0.asset, $0.price) })
        for provider in [ProviderID.coinbase, .kraken] {
            let ticks = await sink.ticks(from: provider)
            #expect(Set(ticks.map(\.asset)) == Self.expected(watched, on: provider), "\(provider)")
            #expect(ticks.count == Set(ticks.map(\.asset)).count, "\(provider): one tick per coin")
            for tick in ticks {
                let asset = try #require(truth[tick.asset.rawValue])
                #expect(tick.symbol == asset.symbol && tick.quoteCurrency == "USD")
                let price = try #require(reference[tick.asset])
                #expect(abs(tick.price - price) <= 0.01 * price, "\(provider) \(tick.asset): \(tick.price) vs \(price)")
                #expect((tick.volume24h ?? 0) > 0)
            }
        }
        // Kraken's legacy names (XXBTZUSD, XETHZUSD) arrived as bitcoin and ethereum.
        #expect(await sink.ticks(from: .kraken).contains { $0.asset == "bitcoin" })
        #expect(await sink.ticks(from: .kraken).contains { $0.asset == "ethereum" })
        let krakenReport = try #require(reports.first { $0.provider == .kraken })
        #expect(krakenReport.ignored == simulator.universe.otherKrakenPairs.count)
        // The delisted Coinbase product was never asked for; nothing was refused.
        let coinbase = try #require(stats.providers["coinbase"])
        #expect(coinbase.requests == 1 + Self.expected(watched, on: .coinbase).count)
        #expect(coinbase.statuses["429"] == nil && coinbase.maxWeight(inAnyWindowOf: 1) <= 10)
    }

    @Test func aKrakenErrorArrayIsAFailedPollNotAnEmptyOne() async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.assetCount = 60
        simulatorConfiguration.faults = try FaultPlan(spec: "kraken:5xx@1")
        let simulator = try await MarketSimulator.start(configuration: simulatorConfiguration)
        var configuration = CollectorServiceTests.configuration(for: simulator)
        configuration.enabledProviders = [.coinGecko, .kraken]
        configuration.providers[.kraken]?.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(50), maxDelay: .milliseconds(100))
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let reports = try await service.collectOnce { _ in }
        let stats = await simulator.stats()
        await simulator.stop()
        let kraken = try #require(reports.first { $0.provider == .kraken })
        #expect(kraken.error?.code == .serverError)
        #expect(kraken.error?.message.contains("EService:Unavailable") == true)
        #expect(stats.providers["kraken"]?.requests == 2, "EService is retried like a 5xx")
        let health = try #require(await service.health().first { $0.provider == .kraken })
        #expect(health.errorsByKind["server_error"] == 1 && health.successes == 0)
    }

    @Test func collectCommandPrintsEveryWatchedCoinFromThreeVenuesWithinThreeSeconds() async throws {
        let assets = 60, watchedCount = 10
        let (simulatorProcess, url) = try CryptovizRoles.simulator(assets: assets, label: "venues-simulate")
        defer { _ = simulatorProcess.stop() }
        // `simulate`'s default seed is 42: the same universe, as ground truth.
        let universe = SimulatedUniverse(count: assets, seed: 42)
        let watched = universe.assets.prefix(watchedCount)
        let work = try TestEnvironment.temporaryDirectory("venues-collect")
        let output = work.appendingPathComponent("ticks.jsonl")
        let collector = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "collect", "--providers", "binance,coinbase,kraken", "--assets", "\(watchedCount)", "--interval", "1",
            "--coingecko-url", "\(url)/api/v3", "--binance-url", url, "--coinbase-url", url, "--kraken-url", url,
            "--output", output.path, "--data", work.path,
        ], label: "venues-collect")
        let started = ContinuousClock.now
        try collector.start()
        defer { _ = collector.stop() }

        let venues: [ProviderID] = [.binance, .coinbase, .kraken]
        var seen: [ProviderID: Set<AssetID>] = [:]
        var symbolsByID: [AssetID: Set<String>] = [:]
        var idsBySymbol: [String: Set<AssetID>] = [:]
        func complete() -> Bool { venues.allSatisfy { seen[$0] == Self.expected(watched, on: $0) } }
        while ContinuousClock.now - started < .seconds(3), !complete() {
            try await Task.sleep(for: .milliseconds(100))
            seen = [:]
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let tick = try? JSONDecoder().decode(Tick.self, from: Data(line.utf8)) else { continue }
                seen[tick.source, default: []].insert(tick.asset)
                symbolsByID[tick.asset, default: []].insert(tick.symbol)
                idsBySymbol[tick.symbol, default: []].insert(tick.asset)
            }
        }
        let elapsed = ContinuousClock.now - started
        for venue in venues {
            #expect(seen[venue] == Self.expected(watched, on: venue),
                    "\(venue) after \(elapsed): \(seen[venue]?.map(\.rawValue).sorted() ?? [])\n\(collector.logTail(2000))")
        }
        #expect(elapsed < .seconds(3))
        // One canonical id per coin across the venues: BTC (Kraken's XBT) is bitcoin everywhere.
        #expect(symbolsByID.values.allSatisfy { $0.count == 1 } && idsBySymbol.values.allSatisfy { $0.count == 1 })
        #expect(idsBySymbol["BTC"] == ["bitcoin"])
        #expect(seen[.kraken]?.contains("bitcoin") == true && seen[.coinbase]?.contains("bitcoin") == true)
    }
}
