import CryptoVizCore

/// Live counters of a backfill, per provider, for the status line and the final summary.
public actor BackfillProgress {
    /// One provider's figures at an instant.
    public struct Snapshot: Sendable, Hashable {
        public var provider: String
        public var seriesTotal = 0
        public var seriesDone = 0
        public var seriesFailed = 0
        /// Candles handed to the commit queue.
        public var candles: Int64 = 0
        /// Candles still expected (upper bound: ranges without gaps).
        public var expected: Int64 = 0
        public var elapsedSeconds: Double = 0

        public var rate: Double { elapsedSeconds > 0 ? Double(candles) / elapsedSeconds : 0 }
        /// Seconds left at the current rate; nil before any candle arrived.
        public var etaSeconds: Double? {
            guard rate > 0 else { return nil }
            return Double(max(0, expected - candles)) / rate
        }

        /// `binance: 37/100 assets, 1.52M candles, 98.1k/s, ETA 28s`.
        public var line: String {
            var text = "\(provider): \(seriesDone + seriesFailed)/\(seriesTotal) assets, \(Self.compact(Double(candles))) candles, \(Self.compact(rate))/s"
            if seriesFailed > 0 { text += ", \(seriesFailed) failed" }
            if seriesDone + seriesFailed == seriesTotal {
                text += ", done"
            } else if let eta = etaSeconds {
                text += ", ETA \(Self.duration(eta))"
            }
            return text
        }

        static func compact(_ value: Double) -> String {
            func one(_ v: Double) -> String { String((v * 10).rounded() / 10) }
            switch value {
            case 1e6...: return one(value / 1e6) + "M"
            case 1e3...: return one(value / 1e3) + "k"
            default: return String(Int(value.rounded()))
            }
        }

        static func duration(_ seconds: Double) -> String {
            let s = Int(seconds.rounded())
            return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
        }
    }

    private var providers: [String: Snapshot] = [:]
    private let started = ContinuousClock.now

    public init() {}

    func register(provider: String, series: Int, expected: Int64) {
        providers[provider, default: Snapshot(provider: provider)].seriesTotal += series
        providers[provider, default: Snapshot(provider: provider)].expected += expected
    }

    func record(provider: String, candles: Int) {
        providers[provider, default: Snapshot(provider: provider)].candles += Int64(candles)
    }

    /// A series ended: `shortfall` expected candles that will not come (gaps, skipped overlap).
    func finish(provider: String, failed: Bool, shortfall: Int64) {
        if failed {
            providers[provider, default: Snapshot(provider: provider)].seriesFailed += 1
        } else {
            providers[provider, default: Snapshot(provider: provider)].seriesDone += 1
        }
        providers[provider, default: Snapshot(provider: provider)].expected -= max(0, shortfall)
    }

    /// Every provider's figures, by provider name.
    public func snapshots() -> [Snapshot] {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return providers.values.sorted { $0.provider < $1.provider }.map {
            var snapshot = $0
            snapshot.elapsedSeconds = seconds
            return snapshot
        }
    }
}
