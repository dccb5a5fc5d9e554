import CryptoVizCore

/// The part of an `AlertEngine` that survives a restart (`state.json`): each rule's firing
/// count and its held or cooling-down series. Price windows are not kept: they refill from the
/// live stream, and an alert held across the restart stays held until its condition clears.
public struct AlertEngineState: Sendable, Codable, Hashable {
    public static let currentVersion = 1

    public var version: Int
    var sequences: [String: Int]
    var triggers: [String: [Entry]]

    struct Entry: Sendable, Codable, Hashable {
        var asset: AssetID?
        var source: ProviderID?
        var trigger: Trigger
    }

    init(sequences: [String: Int], triggers: [String: [Entry]]) {
        self.version = Self.currentVersion
        self.sequences = sequences
        self.triggers = triggers
    }
}
