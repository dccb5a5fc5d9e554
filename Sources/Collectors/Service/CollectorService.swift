import AsyncHTTPClient
import CryptoVizCore
import Logging
import Synchronization

/// Polls every enabled provider, each in its own task on its own schedule, and hands
/// normalized, validated ticks to a sink.
///
/// One provider failing, throttled or hanging never delays another: each has its own rate
/// limiter, retry budget and circuit breaker. CoinGecko listings feed the shared
/// `AssetDirectory` that gives every source's records their canonical id; the other providers
/// wait (bounded) for the first listing before their first poll.
///
/// The `HTTPClient` belongs to the caller, who shuts it down after `run` returns.
public final class CollectorService: Sendable {
    /// A provider wired to its pacing state.
    struct Entry: Sendable {
        var provider: any MarketDataProvider
        var breaker: CircuitBreaker
        var schedule: PollSchedule
        var interval: Duration
    }

    public let configuration: CollectorConfiguration
    private let entries: [Entry]
    /// Venues collected over WebSocket streams (`configuration.streamProviders`).
    public let streamCollectors: [StreamCollector]
    /// A CoinGecko adapter used only for listings when CoinGecko ticks are not collected.
    private let directorySource: (any MarketDataProvider)?
    private let directoryStore: DirectoryStore
    private let healthBoard: ProviderHealthBoard
    private let normalizer: BatchNormalizer
    private let logger: Logger
    /// The unresolved-identity counts last logged per provider: the same ones every poll are
    /// news once, then debug detail.
    private let lastUnresolved = Mutex<[ProviderID: [String: Int]]>([:])
    /// Observations already handed to the sink. A venue's stream and its polls overlap (until
    /// the polls pause, and whenever they stand in for a silent stream) and report the same
    /// update with the same source time; a poll before the source updated repeats the last
    /// one. One observation is one tick, so the collector's count is the lake's.
    private let delivered = Mutex(RecentIdentities<EventID>(capacity: 100_000))

    /// Builds the enabled providers; a provider that cannot run (CMC without key, unknown id)
    /// is logged once and reported disabled in `health()`, never a crash.
    public init(configuration: CollectorConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.directoryStore = DirectoryStore(file: configuration.directoryFile.map(AssetDirectoryFile.init(url:)), logger: logger)
        self.normalizer = BatchNormalizer(validator: TickValidator(configuration: configuration.validator))
        var initialHealth: [ProviderHealth] = []
        var entries: [Entry] = []
        let board = ProviderHealthBoard()
        var seen = Set<ProviderID>()
        // One transport (one rate limiter) per venue: a stream's REST gap repair spends the same
        // per-IP weight budget as the venue's poller.
        var transports: [ProviderID: ProviderTransport] = [:]
        for id in configuration.enabledProviders where seen.insert(id).inserted {
            let transport = ProviderRegistry.transport(
                for: id, configuration: configuration, httpClient: httpClient, health: board, logger: logger)
            transports[id] = transport
            switch ProviderRegistry.make(id, configuration: configuration, transport: transport) {
            case .success(let provider):
                let settings = configuration.settings(for: id)
                entries.append(Entry(provider: provider, breaker: CircuitBreaker(configuration: settings.circuitBreaker),
                                     schedule: PollSchedule(interval: settings.interval), interval: settings.interval))
                initialHealth.append(ProviderHealth(provider: id))
            case .failure(let error):
                logger.warning("provider disabled: \(error.message)", metadata: ["provider": "\(id)"])
                initialHealth.append(ProviderHealth(provider: id, enabled: false, disabledReason: error.message))
            }
        }
        self.entries = entries
        var streamCollectors: [StreamCollector] = []
        for id in configuration.streamProviders where !streamCollectors.contains(where: { $0.provider.id == id }) {
            let settings = configuration.streamSettings(for: id)
            switch ProviderRegistry.makeStream(id, settings: settings) {
            case .success(let provider):
                let transport = transports[id] ?? ProviderRegistry.transport(
                    for: id, configuration: configuration, httpClient: httpClient, health: board, logger: logger)
                let repair = ProviderRegistry.makeTradeRepair(id, configuration: configuration, transport: transport)
                streamCollectors.append(StreamCollector(provider: provider, settings: settings, health: board,
                                                        repair: repair, logger: logger))
            case .failure(let error):
                logger.warning("stream disabled: \(error.message)", metadata: ["provider": "\(id)"])
            }
        }
        self.streamCollectors = streamCollectors
        if entries.contains(where: { $0.provider.id == .coinGecko }) {
            directorySource = nil
        } else {
            let transport = ProviderRegistry.transport(
                for: .coinGecko, configuration: configuration, httpClient: httpClient, health: board, logger: logger)
            directorySource = try? ProviderRegistry.make(.coinGecko, configuration: configuration, transport: transport).get()
        }
        self.healthBoard = board
        self.initialHealth = initialHealth
    }

    /// Health as registered at start-up: disabled providers stay visible in `health()`.
    private let initialHealth: [ProviderHealth]

    /// The ids of the providers that will be polled.
    public var activeProviders: [ProviderID] { entries.map(\.provider.id) }

    /// A snapshot of every configured provider's health (disabled ones included).
    public func health() async -> [ProviderHealth] {
        var current = Dictionary(uniqueKeysWithValues: await healthBoard.snapshot().map { ($0.provider, $0) })
        for entry in initialHealth where current[entry.provider] == nil { current[entry.provider] = entry }
        for entry in entries { current[entry.provider.id]?.circuit = await entry.breaker.state }
        return current.values.sorted { $0.provider < $1.provider }
    }

    /// The canonical id of an exchange's base ticker ("BTC" → bitcoin), by the same rule as
    /// stream and poll quotes (the highest market cap among coins of that symbol); nil when the
    /// directory does not know it.
    public func assetID(exchangeBase symbol: String) async -> AssetID? {
        try? await directoryStore.directory.resolve(exchangeBaseSymbol: symbol).get().0
    }

    /// Every streamed venue's connection health.
    public func streamHealth() async -> [StreamHealth] {
        await healthBoard.streamSnapshot()
    }

    /// The identity directory as currently known.
    public func directory() async -> AssetDirectory {
        await directoryStore.directory
    }

    /// Polls every provider once (CoinGecko first, for identities; then the rest concurrently)
    /// and returns what each delivered. Provider failures are reported, not thrown; an error
    /// thrown by `sink` is.
    @discardableResult
    public func collectOnce(sink: @escaping @Sendable ([Tick]) async throws -> Void) async throws -> [PollReport] {
        var reports: [PollReport] = []
        var done = Set<ProviderID>()
        if let coinGecko = entries.first(where: { $0.provider.id == .coinGecko }) {
            reports.append(try await poll(coinGecko, sink: sink))
            done.insert(.coinGecko)
        } else if await directoryStore.directory.isEmpty {
            await refreshDirectory()
        }
        // No CoinGecko identity at all: CoinMarketCap's listing stands in, so it goes next.
        if await directoryStore.directory.isEmpty, let cmc = entries.first(where: { $0.provider.id == .coinMarketCap }) {
            reports.append(try await poll(cmc, sink: sink))
            done.insert(.coinMarketCap)
        }
        try await withThrowingTaskGroup(of: PollReport.self) { group in
            for entry in entries where !done.contains(entry.provider.id) {
                group.addTask { try await self.poll(entry, sink: sink) }
            }
            for try await report in group { reports.append(report) }
        }
        return reports
    }

    /// Polls every provider on its own grid-aligned schedule, and runs the streamed venues,
    /// until the task is cancelled (then returns normally). Stream quotes become ticks through
    /// the same directory and validator as polled ones and go to `sink`; trades and candles go
    /// to `events` (dropped when nil). An error thrown by either ends the run and is rethrown.
    public func run(sink: @escaping @Sendable ([Tick]) async throws -> Void,
                    events: (@Sendable ([StreamEvent]) async throws -> Void)? = nil) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if directorySource != nil {
                    group.addTask { try await self.directoryLoop() }
                }
                for collector in streamCollectors {
                    group.addTask { try await self.streamLoop(collector, sink: sink, events: events) }
                }
                for entry in entries {
                    group.addTask { try await self.pollLoop(entry, sink: sink) }
                }
                try await group.waitForAll()
            }
        } catch is CancellationError {
            return
        }
    }

    private func pollLoop(_ entry: Entry, sink: @escaping @Sendable ([Tick]) async throws -> Void) async throws {
        if entry.provider.id != .coinGecko { try await waitForDirectory(atMost: max(entry.interval, .seconds(10))) }
        var paused = false
        while !Task.isCancelled {
            // A venue whose stream delivers is on its best transport: its polls would only add
            // the same prices late (Coinbase's ends after one request per coin). They resume by
            // themselves while the stream is down or silent.
            let streamed = await streamDelivers(entry.provider.id)
            if streamed != paused {
                paused = streamed
                logger.info(streamed ? "polls paused: the venue's stream delivers" : "polling: the venue's stream is not delivering",
                            metadata: ["provider": "\(entry.provider.id)"])
            }
            if !streamed { _ = try await poll(entry, sink: sink) }
            let now = currentUnixMillis()
            let next = entry.schedule.nextFire(afterUnixMillis: now)
            try await Task.sleep(for: .milliseconds(next - now))
        }
    }

    /// True while `provider` is streamed, its stream is open and a frame arrived within two
    /// watchdog periods (and `pollStreamedVenues` is off).
    private func streamDelivers(_ provider: ProviderID) async -> Bool {
        guard !configuration.pollStreamedVenues,
              let collector = streamCollectors.first(where: { $0.provider.id == provider }) else { return false }
        let health = await healthBoard.streamHealth(of: provider)
        guard health.state == .open, let last = health.lastMessageMillis else { return false }
        return currentUnixMillis() - last <= 2 * collector.settings.watchdog.wholeMilliseconds
    }

    private func streamLoop(_ collector: StreamCollector, sink: @escaping @Sendable ([Tick]) async throws -> Void,
                            events: (@Sendable ([StreamEvent]) async throws -> Void)?) async throws {
        let id = collector.provider.id
        try await waitForDirectory(atMost: .seconds(10))
        let settings = collector.settings
        // Venues that subscribe per symbol (Kraken) get the watch list as the directory knows it
        // at start; with no directory yet (CoinGecko down, no saved copy) they wait for one.
        var subscription = StreamSubscription(allTickers: true, tickerSymbols: await pollScope().watchedSymbols,
                                              tradeSymbols: settings.tradeSymbols, klineSymbols: settings.klineSymbols)
        while collector.provider.connections(for: subscription).isEmpty {
            try await Task.sleep(for: .seconds(1))
            subscription.tickerSymbols = await pollScope().watchedSymbols
        }
        try await collector.run(subscription: subscription) { streamEvents in
            var quotes: [SourceQuote] = []
            var others: [StreamEvent] = []
            for event in streamEvents {
                if case .quotes(let batch) = event { quotes += batch } else { others.append(event) }
            }
            if !quotes.isEmpty {
                let ticks = await self.firstDeliveries(id, await self.normalizeStreamQuotes(id, quotes))
                if !ticks.isEmpty { try await sink(ticks) }
            }
            if !others.isEmpty, let events { try await events(others) }
        }
    }

    /// `ticks` without the observations already delivered (counted per provider).
    private func firstDeliveries(_ id: ProviderID, _ ticks: [Tick]) async -> [Tick] {
        guard !ticks.isEmpty else { return ticks }
        let fresh = delivered.withLock { seen in ticks.filter { seen.insert($0.eventID) } }
        let repeats = ticks.count - fresh.count
        if repeats > 0 {
            // On the polled providers' health (a venue only streamed has its stream's).
            if entries.contains(where: { $0.provider.id == id }) { await healthBoard.update(id) { $0.repeatsDropped += repeats } }
            CollectorMetrics.repeats(id, count: repeats)
        }
        return fresh
    }

    /// Stream quotes through the poll path's directory, watch list and validator.
    private func normalizeStreamQuotes(_ id: ProviderID, _ quotes: [SourceQuote]) async -> [Tick] {
        let directory = await directoryStore.directory
        var watch = Set(directory.top(configuration.topN))
        watch.formUnion(configuration.watch)
        let result = normalizer.normalize(ProviderBatch(provider: id, quotes: quotes), directory: directory, watch: watch,
                                          collectedAtMillis: currentUnixMillis())
        let unresolved = result.unresolved.values.reduce(0, +)
        let delivered = result.ticks.count
        let rejected = result.rejected
        await healthBoard.updateStream(id) {
            $0.ticks += delivered
            for (reason, count) in rejected { $0.rejectedByReason[reason, default: 0] += count }
        }
        CollectorMetrics.ticks(id, count: delivered)
        for (reason, count) in result.rejected { CollectorMetrics.rejected(id, reason: reason, count: count) }
        for (reason, count) in result.unresolved { CollectorMetrics.unresolved(id, reason: reason, count: count) }
        if unresolved > 0 { logger.debug("stream quotes with unresolved identity skipped", metadata: ["provider": "\(id)", "count": "\(unresolved)"]) }
        return result.ticks
    }

    private func directoryLoop() async throws {
        while !Task.isCancelled {
            await refreshDirectory()
            let empty = await directoryStore.directory.isEmpty
            try await Task.sleep(for: empty ? configuration.settings(for: .coinGecko).interval : configuration.directoryRefreshInterval)
        }
    }

    private func waitForDirectory(atMost limit: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while await directoryStore.directory.isEmpty, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func refreshDirectory() async {
        guard let source = directorySource else { return }
        do {
            let batch = try await source.fetch(scope)
            await directoryStore.merge(batch.listings)
            logger.debug("asset directory refreshed", metadata: ["listings": "\(batch.listings.count)"])
        } catch {
            logger.warning("asset directory refresh failed", metadata: ["error": "\(error)"])
        }
    }

    private var scope: FetchScope {
        FetchScope(topN: configuration.topN, explicitIDs: configuration.watch, directoryDepth: configuration.directoryDepth)
    }

    /// `scope` with the watched assets' tickers as the directory knows them now, best rank first
    /// (the explicit watch list after the top N), for venues that ask per product.
    private func pollScope() async -> FetchScope {
        let directory = await directoryStore.directory
        var scope = self.scope
        var seen = Set<String>()
        for id in directory.top(configuration.topN) + configuration.watch {
            guard let symbol = directory.listing(id)?.symbol.uppercased(), seen.insert(symbol).inserted else { continue }
            scope.watchedSymbols.append(symbol)
        }
        return scope
    }

    /// One poll: breaker check, fetch, directory update, normalization, accounting, sink.
    private func poll(_ entry: Entry, sink: @Sendable ([Tick]) async throws -> Void) async throws -> PollReport {
        let id = entry.provider.id
        guard await entry.breaker.permit() else {
            let error = CollectorError(provider: id, code: .circuitOpen, "skipped: circuit open after repeated failures")
            await healthBoard.update(id) { $0.errorsByKind[error.code.rawValue, default: 0] += 1 }
            return PollReport(provider: id, error: error)
        }
        let batch: ProviderBatch
        do {
            batch = try await entry.provider.fetch(await pollScope())
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let failure = (error as? CollectorError)
                ?? CollectorError(provider: id, code: .connection, "unexpected failure: \(type(of: error))")
            await entry.breaker.recordFailure()
            let now = currentUnixMillis()
            let consecutive = await healthBoard.update(id) {
                $0.errorsByKind[failure.code.rawValue, default: 0] += 1
                $0.lastError = failure.description
                $0.lastErrorMillis = now
                $0.consecutiveFailures += 1
            }.consecutiveFailures
            // 1st, 2nd, 4th, 8th … consecutive failure: a dead provider does not flood the log.
            if consecutive & (consecutive - 1) == 0 {
                logger.warning("poll failed", metadata: [
                    "provider": "\(id)", "error": "\(failure.code.rawValue)", "detail": "\(failure.message)",
                    "consecutive_failures": "\(consecutive)",
                ])
            }
            return PollReport(provider: id, error: failure)
        }
        await entry.breaker.recordSuccess()
        if !batch.listings.isEmpty { await directoryStore.merge(batch.listings) }
        if id == .coinMarketCap { await directoryStore.adoptProvisional(CoinGeckoListing.provisional(fromCoinMarketCap: batch.quotes)) }
        let directory = await directoryStore.directory
        var watch = Set(directory.top(configuration.topN))
        watch.formUnion(configuration.watch)
        let now = currentUnixMillis()
        let result = normalizer.normalize(batch, directory: directory, watch: watch, collectedAtMillis: now)
        let unresolvedCount = result.unresolved.values.reduce(0, +)
        let partialFailures = batch.partialFailures
        let emptyReason = result.ticks.isEmpty && !batch.quotes.isEmpty ? Self.emptyReason(result, records: batch.quotes.count) : nil
        let health = await healthBoard.update(id) {
            $0.successes += 1
            $0.lastSuccessMillis = now
            $0.lastTickCount = result.ticks.count
            $0.consecutiveFailures = 0
            if let emptyReason {
                $0.emptyPolls += 1
                $0.consecutiveEmptyPolls += 1
                $0.lastEmptyReason = emptyReason
            } else {
                $0.consecutiveEmptyPolls = 0
            }
            $0.unresolved += unresolvedCount
            for (reason, count) in result.rejected { $0.rejectedByReason[reason, default: 0] += count }
            for failure in partialFailures {
                $0.errorsByKind[failure.code.rawValue, default: 0] += 1
                $0.lastError = failure.description
                $0.lastErrorMillis = now
            }
        }
        CollectorMetrics.ticks(id, count: result.ticks.count)
        for (reason, count) in result.rejected { CollectorMetrics.rejected(id, reason: reason, count: count) }
        for (reason, count) in result.unresolved { CollectorMetrics.unresolved(id, reason: reason, count: count) }
        logSummary(id, result: result, partialFailures: batch.partialFailures)
        // 1st, 2nd, 4th, 8th … empty poll in a row: a provider that answers but delivers nothing is news.
        if let emptyReason, health.consecutiveEmptyPolls & (health.consecutiveEmptyPolls - 1) == 0 {
            logger.warning("provider answered but delivered no ticks", metadata: [
                "provider": "\(id)", "reason": "\(emptyReason)", "consecutive_empty_polls": "\(health.consecutiveEmptyPolls)"])
        }
        let fresh = await firstDeliveries(id, result.ticks)
        if !fresh.isEmpty { try await sink(fresh) }
        return PollReport(provider: id, tickCount: result.ticks.count, rejected: result.rejected,
                          unresolved: result.unresolved, unwatched: result.unwatched, ignored: result.ignored)
    }

    /// "300 records: 280 unresolved (unknown_symbol=280), 20 not watched", for the health board.
    static func emptyReason(_ result: BatchNormalizer.Result, records: Int) -> String {
        var parts: [String] = []
        let unresolved = result.unresolved.values.reduce(0, +)
        if unresolved > 0 {
            let kinds = result.unresolved.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            parts.append("\(unresolved) unresolved (\(kinds))")
        }
        let rejected = result.rejected.values.reduce(0, +)
        if rejected > 0 { parts.append("\(rejected) rejected") }
        if result.unwatched > 0 { parts.append("\(result.unwatched) not watched") }
        return "\(records) records: " + (parts.isEmpty ? "none usable" : parts.joined(separator: ", "))
    }

    /// One line per incident kind per poll, with counts — never one line per record.
    private func logSummary(_ id: ProviderID, result: BatchNormalizer.Result, partialFailures: [CollectorError]) {
        func counts(_ table: [String: Int]) -> Logger.MetadataValue {
            .string(table.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        }
        logger.debug("poll delivered", metadata: [
            "provider": "\(id)", "ticks": "\(result.ticks.count)", "unwatched": "\(result.unwatched)",
            "ignored": "\(result.ignored)",
        ])
        if !result.rejected.isEmpty {
            logger.warning("records rejected", metadata: ["provider": "\(id)", "counts": counts(result.rejected)])
        }
        let unchanged = lastUnresolved.withLock { last in
            defer { last[id] = result.unresolved }
            return last[id] == result.unresolved
        }
        if !result.unresolved.isEmpty {
            logger.log(level: unchanged ? .debug : .info, "records with unresolved asset identity skipped", metadata: [
                "provider": "\(id)", "counts": counts(result.unresolved),
                "examples": "\(result.unresolvedSamples.joined(separator: ","))",
            ])
        }
        if !partialFailures.isEmpty {
            logger.warning("some requests of the poll failed", metadata: [
                "provider": "\(id)", "count": "\(partialFailures.count)",
                "first_error": "\(partialFailures[0].code.rawValue)",
            ])
        }
    }
}
