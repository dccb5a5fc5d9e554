import CryptoVizCore

/// The live `ProviderHealth` of every provider, updated by the pollers and read by the dashboard.
public actor ProviderHealthBoard {
    private var entries: [ProviderID: ProviderHealth] = [:]

    public init() {}

    /// Every provider's health, sorted by provider id.
    public func snapshot() -> [ProviderHealth] {
        entries.values.sorted { $0.provider < $1.provider }
    }

    public func health(of provider: ProviderID) -> ProviderHealth {
        entries[provider] ?? ProviderHealth(provider: provider)
    }

    func register(_ provider: ProviderID, enabled: Bool, disabledReason: String? = nil) {
        entries[provider] = ProviderHealth(provider: provider, enabled: enabled, disabledReason: disabledReason)
    }

    @discardableResult
    func update(_ provider: ProviderID, _ change: @Sendable (inout ProviderHealth) -> Void) -> ProviderHealth {
        var entry = entries[provider] ?? ProviderHealth(provider: provider)
        change(&entry)
        entries[provider] = entry
        return entry
    }

    func recordRateLimitWait(_ provider: ProviderID, _ waited: Duration) {
        update(provider) {
            $0.rateLimitWaits += 1
            $0.rateLimitWaitSeconds += waited.secondsValue
        }
    }
}
