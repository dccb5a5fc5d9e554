import CryptoVizCore

/// The live `ProviderHealth` of every provider, updated by the pollers and read by the dashboard.
public actor ProviderHealthBoard {
    private var entries: [ProviderID: ProviderHealth] = [:]
    /// Stream health per venue, beside the poll health (a venue may have both).
    private var streams: [ProviderID: StreamHealth] = [:]

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

    /// Every venue's stream health, sorted by provider id.
    public func streamSnapshot() -> [StreamHealth] {
        streams.values.sorted { $0.provider < $1.provider }
    }

    public func streamHealth(of provider: ProviderID) -> StreamHealth {
        streams[provider] ?? StreamHealth(provider: provider)
    }

    @discardableResult
    func updateStream(_ provider: ProviderID, _ change: @Sendable (inout StreamHealth) -> Void) -> StreamHealth {
        var entry = streams[provider] ?? StreamHealth(provider: provider)
        change(&entry)
        streams[provider] = entry
        return entry
    }
}
