import AsyncHTTPClient
import CryptoVizCore
import Foundation
import Logging
import MarketSimulator
import Testing
import TestSupport
@testable import Collectors

/// No provider depends on another being up: with CoinGecko (the identity source) unreachable,
/// Binance and CoinMarketCap still deliver, from a stored directory or CoinMarketCap's own
/// listing; a provider that answers but yields nothing is reported, not silent.
@Suite(.serialized) struct ProviderIndependenceTests {
    /// A loopback port nobody listens on: connections are refused at once.
    static let unreachable = "http://127.0.0.1:1/api/v3"

    func simulator() async throws -> MarketSimulator {
        var configuration = SimulatorConfiguration()
        configuration.assetCount = 150
        configuration.coinMarketCapKey = "test-key"
        return try await MarketSimulator.start(configuration: configuration)
    }

    @Test func coinGeckoDownFromTheStartTheOthersDeliverWithinTwoPolls() async throws {
        let simulator = try await simulator()
        var configuration = CollectorServiceTests.configuration(for: simulator, interval: .seconds(1))
        configuration.providers[.coinGecko]?.baseURL = Self.unreachable
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let sink = TickSink()
        let run = Task { try await service.run { await sink.add($0) } }
        var polls: [ProviderID: Int] = [:]
        for _ in 0..<300 {
            let health = await service.health()
            polls = Dictionary(uniqueKeysWithValues: health.map { ($0.provider, $0.successes) })
            if await !sink.ticks(from: .binance).isEmpty, await !sink.ticks(from: .coinMarketCap).isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        run.cancel()
        try await run.value
        await simulator.stop()

        let binance = await sink.ticks(from: .binance)
        let cmc = await sink.ticks(from: .coinMarketCap)
        #expect(binance.count >= 50 && cmc.count >= 50, "binance \(binance.count), cmc \(cmc.count)")
        #expect((polls[.binance] ?? 99) <= 2 && (polls[.coinMarketCap] ?? 99) <= 2, "polls until ticks: \(polls)")
        // CoinMarketCap's slugs stand in for CoinGecko ids: the simulator gives most coins the same one.
        let truth = Set(simulator.universe.assets.map { AssetID($0.id) })
        let known = Set(binance.map(\.asset) + cmc.map(\.asset)).filter(truth.contains)
        #expect(known.count >= 50, "ids that are the coins' canonical ids: \(known.count)")
    }

    @Test func aStoredDirectoryGivesCanonicalIdsFromTheFirstPollWhileCoinGeckoIsDown() async throws {
        let simulator = try await simulator()
        let file = try TestEnvironment.temporaryDirectory("asset-directory").appendingPathComponent("asset-directory.json")
        var configuration = CollectorServiceTests.configuration(for: simulator)
        configuration.directoryFile = file
        let first = TickSink()
        _ = try await CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
            .collectOnce { await first.add($0) }
        #expect(FileManager.default.fileExists(atPath: file.path), "the directory was stored")

        configuration.providers[.coinGecko]?.baseURL = Self.unreachable
        configuration.providers[.coinGecko]?.retry = RetryPolicy(maxAttempts: 1)
        let second = TickSink()
        let reports = try await CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
            .collectOnce { await second.add($0) }
        await simulator.stop()
        #expect(reports.first { $0.provider == .coinGecko }?.error != nil)
        for provider in [ProviderID.binance, .coinMarketCap] {
            let before = Set(await first.ticks(from: provider).map(\.asset))
            let after = Set(await second.ticks(from: provider).map(\.asset))
            #expect(after.count >= 50 && after == before, "\(provider): \(after.count) ids, same as with CoinGecko up: \(after == before)")
        }
    }

    @Test func aProviderThatAnswersButYieldsNothingIsReported() async throws {
        let simulator = try await simulator()
        var configuration = CollectorServiceTests.configuration(for: simulator)
        configuration.providers[.coinGecko]?.baseURL = Self.unreachable
        configuration.providers[.coinGecko]?.retry = RetryPolicy(maxAttempts: 1)
        configuration.enabledProviders = [.coinGecko, .binance]  // no CoinMarketCap to stand in
        let service = CollectorService(configuration: configuration, httpClient: .shared, logger: CollectorServiceTests.logger)
        let reports = try await service.collectOnce { _ in }
        await simulator.stop()
        #expect(reports.first { $0.provider == .binance }?.tickCount == 0)
        let health = try #require(await service.health().first { $0.provider == .binance })
        #expect(health.emptyPolls == 1 && health.consecutiveEmptyPolls == 1)
        #expect(health.lastEmptyReason?.contains("unresolved (unknown_symbol=") == true, "\(String(describing: health.lastEmptyReason))")
    }

    @Test func coinGeckoListingsReplaceProvisionalOnes() async {
        let store = DirectoryStore()
        await store.adoptProvisional([CoinGeckoListing(id: "xrp", symbol: "xrp", name: "XRP", marketCapRank: 4, marketCap: nil)])
        var directory = await store.directory
        #expect(await store.provisional && directory.listing("xrp") != nil)
        await store.merge([CoinGeckoListing(id: "ripple", symbol: "xrp", name: "XRP", marketCapRank: 4, marketCap: nil)])
        #expect(await !store.provisional)
        directory = await store.directory
        #expect(directory.listing("xrp") == nil && directory.listing("ripple") != nil)
        // Once canonical, CoinMarketCap never stands in again.
        await store.adoptProvisional([CoinGeckoListing(id: "xrp", symbol: "xrp", name: "XRP", marketCapRank: 4, marketCap: nil)])
        directory = await store.directory
        #expect(directory.listing("xrp") == nil)
    }

    @Test func aDamagedDirectoryFileIsIgnoredWithAWarning() async throws {
        let file = try TestEnvironment.temporaryDirectory("asset-directory-bad").appendingPathComponent("asset-directory.json")
        try Data("{not json".utf8).write(to: file)
        #expect(throws: AssetDirectoryFile.FileError.self) { try AssetDirectoryFile(url: file).load() }
        let store = DirectoryStore(file: AssetDirectoryFile(url: file))
        #expect(await store.directory.isEmpty)
    }
}
