import CryptoVizCore

/// The simulator's mutable world: prices evolving by geometric Brownian motion, the request
/// log, rate-limit windows and the fault plan. An actor because every HTTP handler reads it.
actor MarketState {
    /// A price snapshot of one asset at one instant.
    struct Quote: Sendable {
        var asset: SimulatedAsset
        var rank: Int
        var price: Double
        var updatedMillis: Int64
        var marketCap: Double { price * asset.circulatingSupply }
        var volume24h: Double { marketCap * asset.turnover }
        var change1h: Double { (price / asset.open1h - 1) * 100 }
        var change24h: Double { (price / asset.open24h - 1) * 100 }
        var change7d: Double { (price / asset.open7d - 1) * 100 }
    }

    /// What to do with an arriving request.
    enum Admission: Sendable {
        case serve(usedWeight: Int)
        case rateLimited(retryAfterSeconds: Int, usedWeight: Int)
        case fault(FaultRule.Kind, usedWeight: Int)
        /// Binance's 418: the address kept sending while told to wait.
        case banned(retryAfterSeconds: Int, usedWeight: Int)
    }

    /// Per provider: the wait a 429 asked for, and how often it was ignored.
    private struct Throttle {
        var toldAtMillis: Double = 0
        var waitUntilMillis: Double = 0
        var violations = 0
        var bannedUntilMillis: Double = 0
    }

    let universe: SimulatedUniverse
    let configuration: SimulatorConfiguration
    /// The past of the price process; the live prices start where it ends.
    nonisolated let history: PriceHistory
    private var throttles: [String: Throttle] = [:]
    /// Per asset index: the UTC day whose minute levels the live price follows (real time only).
    private var dayLevels: [Int: (day: Int64, levels: [Double])] = [:]
    private var prices: [Double]
    private var rng: SplitMix64
    private var lastAdvance: ContinuousClock.Instant
    let started: ContinuousClock.Instant
    private let clock = ContinuousClock()
    private var faults: FaultPlan
    private var stats: [String: SimulatorStats.ProviderStats] = [:]
    /// The last 200 body per request (path and query) of providers with a `stale` rule (only
    /// theirs: history pages alone would otherwise pile up).
    private var lastBodies: [String: [UInt8]] = [:]

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        let universe = SimulatedUniverse(count: configuration.assetCount, seed: configuration.seed)
        self.universe = universe
        history = PriceHistory(universe: universe, seed: configuration.seed, anchorMillis: Int64(wallClockMillis()),
                               history: configuration.history)
        prices = universe.assets.map(\.initialPrice)
        rng = SplitMix64(seed: configuration.seed ^ 0xA5A5_5A5A_0F0F_F0F0)
        started = clock.now
        lastAdvance = started
        // Scripted silences are 503 windows, ahead of the configured faults.
        faults = FaultPlan(rules: configuration.events.silenceFaults + configuration.faults.rules)
    }

    func setFaults(_ plan: FaultPlan) { faults = plan }

    /// Records the arrival, applies the provider's rate limit, then the fault plan.
    func admit(provider: String, weight: Int) -> Admission {
        let now = clock.now
        let sinceStart = Self.millis(now - started)
        var entry = stats[provider] ?? SimulatorStats.ProviderStats()
        let limit = configuration.rateLimits[provider]
        entry.limit = limit
        entry.requests += 1
        entry.arrivalsMillis.append(sinceStart)
        entry.weights.append(weight)
        var used = weight
        var admission: Admission = .serve(usedWeight: weight)
        if let limit {
            // Weight of earlier arrivals still inside the window (this one is the last element).
            let span = limit.windowSeconds * 1000
            var oldest = sinceStart
            var index = entry.arrivalsMillis.count - 2
            while index >= 0, sinceStart - entry.arrivalsMillis[index] < span {
                used += entry.weights[index]
                oldest = entry.arrivalsMillis[index]
                index -= 1
            }
            if used > limit.capacity {
                let wait = max(1, Int(((oldest + span - sinceStart) / 1000).rounded(.up)))
                admission = .rateLimited(retryAfterSeconds: wait, usedWeight: used)
            }
        }
        if case .serve = admission, let kind = fault(for: provider, count: entry.requests, sinceStartMillis: sinceStart) {
            admission = .fault(kind, usedWeight: used)
        } else if case .serve = admission {
            admission = .serve(usedWeight: used)
        }
        entry.maxWeightInWindow = max(entry.maxWeightInWindow, limit == nil ? 0 : used)
        if provider == "binance" { admission = escalate(admission, provider: provider, at: sinceStart, used: used) }
        stats[provider] = entry
        return admission
    }

    /// Binance's escalation: a request arriving while an earlier 429's `Retry-After` runs (after a
    /// second of grace for requests already in flight) is a violation; enough of them ban the
    /// address with 418 until the ban ends ("LIMITS": "repeatedly violating rate limits … will
    /// result in an automated IP ban (HTTP status 418)").
    private func escalate(_ admission: Admission, provider: String, at now: Double, used: Int) -> Admission {
        var throttle = throttles[provider] ?? Throttle()
        defer { throttles[provider] = throttle }
        if now < throttle.bannedUntilMillis {
            return .banned(retryAfterSeconds: max(1, Int(((throttle.bannedUntilMillis - now) / 1000).rounded(.up))), usedWeight: used)
        }
        if now < throttle.waitUntilMillis, now > throttle.toldAtMillis + 1000 {
            throttle.violations += 1
            if throttle.violations >= configuration.banAfterViolations {
                throttle.bannedUntilMillis = now + Double(configuration.banSeconds) * 1000
                throttle.violations = 0
                return .banned(retryAfterSeconds: configuration.banSeconds, usedWeight: used)
            }
        }
        let wait: Int? = switch admission {
        case .rateLimited(let seconds, _): seconds
        case .fault(.tooManyRequests, _): configuration.retryAfterSeconds
        default: nil
        }
        if let wait, now >= throttle.waitUntilMillis {
            throttle.toldAtMillis = now
            throttle.waitUntilMillis = now + Double(wait) * 1000
        }
        return admission
    }

    /// Remembers `body` as `provider`'s answer to `request` when a `stale` rule may serve it
    /// again, and returns it.
    func served(_ provider: String, _ request: String, _ body: [UInt8]) -> [UInt8] {
        if faults.rules.contains(where: { $0.kind == .stale && $0.applies(to: provider) }) { lastBodies[request] = body }
        return body
    }

    /// The body last served to `request`, if any.
    func lastServed(_ request: String) -> [UInt8]? { lastBodies[request] }

    /// Records the status finally answered.
    func recordStatus(provider: String, status: Int) {
        stats[provider, default: .init()].statuses[String(status), default: 0] += 1
    }

    func snapshot() -> SimulatorStats {
        SimulatorStats(providers: stats)
    }

    /// Current quotes of all assets in rank order, advancing the price paths to now.
    func quotes() -> [Quote] {
        if configuration.timeScale == 1 { followHistory() } else { advance() }
        let nowMillis = Int64(wallClockMillis())
        let scripted = scriptedFactors(source: nil)
        return universe.assets.indices.map { index in
            Quote(asset: universe.assets[index], rank: index + 1, price: prices[index] * (scripted[index] ?? 1), updatedMillis: nowMillis)
        }
    }

    private func fault(for provider: String, count: Int, sinceStartMillis: Double) -> FaultRule.Kind? {
        for rule in faults.rules where rule.applies(to: provider) {
            switch rule.trigger {
            case .probability(let p):
                if rng.unit() < p { return rule.kind }
            case .firstRequests(let n):
                if count <= n { return rule.kind }
            case .window(let from, let to):
                let seconds = sinceStartMillis / 1000
                if seconds >= from, seconds < to { return rule.kind }
            }
        }
        return nil
    }

    /// In real time the live price *is* the history's path: the level at the current minute's
    /// start plus the straight line to its end, so the live quote always lies on the current
    /// kline, and a kline opens where the live price stood at its minute's start. Each asset's
    /// day of levels is computed once per UTC day.
    private func followHistory() {
        let minutes = wallClockMillis() / 60_000
        let minute = Int64(minutes.rounded(.down))
        let fraction = minutes - Double(minute)
        let day = PriceHistory.floorDiv(minute, PriceHistory.minutesPerDay)
        let j = Int(minute - day * PriceHistory.minutesPerDay)
        for index in prices.indices {
            if dayLevels[index]?.day != day { dayLevels[index] = (day, history.dayLevels(asset: index, day: day)) }
            guard let levels = dayLevels[index]?.levels else { continue }
            prices[index] = PriceHistory.clamp(_exp(levels[j] + fraction * (levels[j + 1] - levels[j])))
        }
    }

    /// One GBM step per asset over the elapsed (scaled) time: S·exp((μ−σ²/2)dt + σ√dt·Z), μ = 0.
    private func advance() {
        let now = clock.now
        let elapsed = Self.millis(now - lastAdvance) / 1000 * configuration.timeScale
        guard elapsed > 0 else { return }
        lastAdvance = now
        let dt = elapsed / 31_557_600
        for index in prices.indices {
            let sigma = universe.assets[index].volatility
            let step = -0.5 * sigma * sigma * dt + sigma * dt.squareRoot() * rng.gaussian()
            // Keep prices inside the documented 1e-8 … 1e5 band (plus headroom for BTC).
            prices[index] = min(max(prices[index] * _exp(step), 1e-8), 1e6)
        }
    }

    static func millis(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

import Foundation

func wallClockMillis() -> Double { (Date().timeIntervalSince1970 * 1000).rounded() }
