import CryptoVizCore

/// Remembers recent event identities so a repeated event (same source, asset and source time)
/// is dropped however it came back: a second poll before the source updated, a producer
/// retry, a replay.
public typealias EventDeduplicator = RecentIdentities<EventID>
