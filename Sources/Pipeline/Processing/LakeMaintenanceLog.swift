import CryptoVizCore

/// What the lake's maintenance schedule is set to and what it last did, for the Management
/// view: the schedule writes here, the server reads a snapshot.
public actor LakeMaintenanceLog {
    /// One table's compaction or vacuum.
    public struct Run: Sendable, Hashable {
        public var table: String
        public var atMillis: Int64
        /// Compaction: the version it committed (nil: nothing to rewrite).
        public var version: Int64?
        public var filesRemoved: Int
        public var filesAdded: Int
    }

    public struct Snapshot: Sendable, Hashable {
        public var compactEverySeconds: Double
        public var compactMinFiles: Int
        /// Nil when vacuums are off.
        public var vacuumEverySeconds: Double?
        public var vacuumRetentionHours: Double
        public var nextCompactionMillis: Int64?
        public var nextVacuumMillis: Int64?
        /// The newest first, at most `kept`.
        public var compactions: [Run]
        public var vacuums: [Run]
        public var lastError: String?
    }

    static let kept = 10
    private var snapshot: Snapshot

    public init(compactEvery: Duration, minFiles: Int, vacuumEvery: Duration?, retentionHours: Double) {
        snapshot = Snapshot(
            compactEverySeconds: compactEvery.seconds, compactMinFiles: minFiles, vacuumEverySeconds: vacuumEvery?.seconds,
            vacuumRetentionHours: retentionHours, nextCompactionMillis: nil, nextVacuumMillis: nil, compactions: [], vacuums: [],
            lastError: nil)
    }

    public func current() -> Snapshot { snapshot }

    func scheduled(compaction: Int64?, vacuum: Int64?) {
        snapshot.nextCompactionMillis = compaction
        snapshot.nextVacuumMillis = vacuum
    }

    func compacted(_ run: Run) {
        snapshot.compactions.insert(run, at: 0)
        snapshot.compactions = Array(snapshot.compactions.prefix(Self.kept))
    }

    func vacuumed(_ run: Run) {
        snapshot.vacuums.insert(run, at: 0)
        snapshot.vacuums = Array(snapshot.vacuums.prefix(Self.kept))
    }

    func failed(_ message: String) { snapshot.lastError = message }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// Whole milliseconds.
    var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
