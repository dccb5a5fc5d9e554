extension MarketState {
    /// Seconds since the simulator started: the clock of the event script and of fault windows.
    var elapsedSeconds: Double { Self.millis(ContinuousClock.now - started) / 1000 }

    /// The script's price factors now, by asset index: with `source` nil the jumps and drifts
    /// every source shares, with a source that source's divergences.
    func scriptedFactors(source: String?) -> [Int: Double] {
        let script = configuration.events
        guard !script.events.isEmpty else { return [:] }
        var index: [String: Int] = [:]
        for asset in Set(script.events.compactMap(\.asset)) {
            if let i = universe.assets.firstIndex(where: { $0.id == asset }) { index[asset] = i }
        }
        return script.factors(at: elapsedSeconds, source: source, index: index)
    }

    /// The quotes `provider`'s REST API answers with: the shared prices (jumps and drifts
    /// included, see `quotes()`), moved further by the script's divergences of that provider.
    func quotes(for provider: String) -> [Quote] {
        var all = quotes()
        for (i, factor) in scriptedFactors(source: provider) { all[i].price *= factor }
        return all
    }
}
