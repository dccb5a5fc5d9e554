import CryptoVizCore

/// A collection request failed; `message` never contains an API key.
public struct CollectorError: Error, Sendable, CustomStringConvertible {
    public var provider: ProviderID
    public var message: String
    public init(provider: ProviderID, _ message: String) {
        self.provider = provider
        self.message = message
    }
    public var description: String { "\(provider): \(message)" }
}
