import Foundation
import Logging
import Synchronization

/// Where messages the processor cannot use go: counted by reason, kept (bounded) in memory for
/// the dashboard, and appended whole to a JSON-lines file when one is configured, so nothing
/// that reached the bus is lost even when it is unusable.
public final class DeadLetterQueue: Sendable {
    /// One refused message.
    public struct Entry: Sendable, Codable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var reason: String
        public var detail: String
        /// The raw message, as text when it is UTF-8, else base64.
        public var payload: String
    }

    private struct State {
        var counts: [String: Int] = [:]
        var recent: [Entry] = []
    }

    private let state = Mutex(State())
    private let fileURL: URL?
    private let keepRecent: Int
    private let logger: Logger

    public init(fileURL: URL?, keepRecent: Int = 100, logger: Logger) {
        self.fileURL = fileURL
        self.keepRecent = keepRecent
        self.logger = logger
        if let fileURL {
            try? FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
    }

    /// Records `record` as unusable for `reason`.
    public func add(_ record: BusRecord, reason: String, detail: String) {
        let payload = String(validating: record.value, as: UTF8.self) ?? Data(record.value).base64EncodedString()
        let entry = Entry(topic: record.partition.topic, partition: record.partition.partition, offset: record.offset,
                          reason: reason, detail: detail, payload: payload)
        let first = state.withLock { state -> Bool in
            state.counts[reason, default: 0] += 1
            state.recent.append(entry)
            if state.recent.count > keepRecent { state.recent.removeFirst(state.recent.count - keepRecent) }
            return state.counts[reason] == 1
        }
        if first {
            logger.warning("dead-lettering unusable bus message", metadata: [
                "reason": "\(reason)", "detail": "\(detail)", "topic": "\(record.partition.topic)",
                "partition": "\(record.partition.partition)", "offset": "\(record.offset)",
            ])
        }
        if let fileURL, var line = try? JSONEncoder().encode(entry) {
            line.append(0x0A)
            append(line, to: fileURL)
        }
    }

    /// Counts per reason since start.
    public var counts: [String: Int] { state.withLock { $0.counts } }
    /// The latest refused messages, oldest first.
    public var recent: [Entry] { state.withLock { $0.recent } }

    private func append(_ data: Data, to url: URL) {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        guard let handle = try? FileHandle(forWritingTo: url) else {
            logger.error("cannot open dead-letter file", metadata: ["path": "\(url.path)"])
            return
        }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: data)
    }
}
