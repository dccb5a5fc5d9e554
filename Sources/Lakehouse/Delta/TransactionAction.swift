/// The `txn` action: the last version an application committed, the basis of exactly-once
/// streaming writes (Delta PROTOCOL.md, "Transaction Identifiers").
///
/// A stream writer commits its data files together with `txn(appId, lastOffset)`; after a
/// crash it reads the version back and skips every record at or below it.
public struct TransactionAction: Sendable, Hashable, Codable {
    public var appId: String
    public var version: Int64
    /// Unix ms of the commit.
    public var lastUpdated: Int64?

    /// The last committed `version` of stream `appId`.
    public init(appId: String, version: Int64, lastUpdated: Int64?) {
        self.appId = appId
        self.version = version
        self.lastUpdated = lastUpdated
    }
}
