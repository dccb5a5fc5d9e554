import Synchronization

/// Parsed `add.stats` per data file, shared by every snapshot of the process.
///
/// Pruning reads every file's statistics on every scan; parsing their JSON each time was a
/// third of a server's CPU under API load. A file's statistics never change, so they are
/// parsed once: keyed by path, and checked against the stats text on a hit (two tables may
/// hold the same relative path).
final class FileStatisticsCache: Sendable {
    static let shared = FileStatisticsCache()

    private struct Entry: Sendable {
        var text: String
        var statistics: FileStatistics?
    }
    private let entries = Mutex<[String: Entry]>([:])
    /// Beyond this many files (a few KB each) the cache starts over; a compacted table of
    /// years of ticks holds far fewer.
    private let capacity = 50_000

    func statistics(path: String, text: String) -> FileStatistics? {
        if let hit = entries.withLock({ $0[path] }), hit.text == text { return hit.statistics }
        let parsed = try? FileStatistics(json: text)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[path] = Entry(text: text, statistics: parsed)
        }
        return parsed
    }
}
