/// The `protocol` action: the minimum reader and writer versions a client needs
/// (Delta PROTOCOL.md, "Protocol Evolution").
///
/// CryptoViz writes reader 1 / writer 2 (append-only invariants and column constraints are
/// not used, so any Delta client can read and write the tables).
public struct DeltaProtocol: Sendable, Hashable, Codable {
    public var minReaderVersion: Int
    public var minWriterVersion: Int
    /// Table features, present only for reader 3 / writer 7 tables.
    public var readerFeatures: [String]?
    public var writerFeatures: [String]?

    /// A protocol action; the defaults are the versions CryptoViz writes.
    public init(minReaderVersion: Int = 1, minWriterVersion: Int = 2,
                readerFeatures: [String]? = nil, writerFeatures: [String]? = nil) {
        self.minReaderVersion = minReaderVersion
        self.minWriterVersion = minWriterVersion
        self.readerFeatures = readerFeatures
        self.writerFeatures = writerFeatures
    }

    /// The protocol CryptoViz creates tables with.
    public static let cryptoViz = DeltaProtocol(minReaderVersion: 1, minWriterVersion: 2)

    /// Reader features this implementation understands (they change nothing for a reader
    /// that reads only the listed columns).
    static let supportedReaderFeatures: Set<String> = ["timestampNtz"]

    /// Throws unless this implementation can read a table under this protocol.
    public func checkReadable() throws {
        if minReaderVersion <= 1 { return }
        if minReaderVersion == 3 {
            let unknown = Set(readerFeatures ?? []).subtracting(Self.supportedReaderFeatures)
            if unknown.isEmpty { return }
            throw LakehouseError(.unsupportedProtocol, "reader features \(unknown.sorted()) are not supported")
        }
        throw LakehouseError(.unsupportedProtocol, "minReaderVersion \(minReaderVersion) is not supported (max 1, or 3 without features)")
    }

    /// Throws unless this implementation can write under this protocol (writer 2: no
    /// constraints beyond column invariants, which CryptoViz tables never declare).
    public func checkWritable() throws {
        try checkReadable()
        if minWriterVersion <= 2 { return }
        if minWriterVersion == 7 {
            let known: Set<String> = ["timestampNtz", "appendOnly", "invariants"]
            let unknown = Set(writerFeatures ?? []).subtracting(known)
            if unknown.isEmpty { return }
            throw LakehouseError(.unsupportedProtocol, "writer features \(unknown.sorted()) are not supported")
        }
        throw LakehouseError(.unsupportedProtocol, "minWriterVersion \(minWriterVersion) is not supported (max 2)")
    }
}
