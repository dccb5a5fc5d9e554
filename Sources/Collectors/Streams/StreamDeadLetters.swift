import CryptoVizCore
import Synchronization

/// Frames a stream could not use: counted by reason and kept (bounded, newest last) so an
/// operator or a test can see exactly what arrived. The collectors' counterpart of the
/// processor's `DeadLetterQueue` (which works on bus records, a layer above).
public final class StreamDeadLetters: Sendable {
    /// One refused frame.
    public struct Entry: Sendable, Hashable {
        public var provider: ProviderID
        public var connection: String
        public var reason: StreamFrameError.Reason
        public var detail: String
        /// The frame's first `payloadLimit` bytes as text (lossy for invalid UTF-8).
        public var payload: String
        public var receivedMillis: Int64
    }

    private struct State {
        var counts: [StreamFrameError.Reason: Int] = [:]
        var recent: [Entry] = []
    }

    private let state = Mutex(State())
    private let keepRecent: Int
    private let payloadLimit: Int

    public init(keepRecent: Int = 100, payloadLimit: Int = 4096) {
        self.keepRecent = keepRecent
        self.payloadLimit = payloadLimit
    }

    /// Records a refused frame; returns true when it is the first of its reason (worth a log line).
    @discardableResult
    func add(provider: ProviderID, connection: String, error: StreamFrameError, frame: [UInt8]) -> Bool {
        let entry = Entry(provider: provider, connection: connection, reason: error.reason, detail: error.detail,
                          payload: String(decoding: frame.prefix(payloadLimit), as: UTF8.self),
                          receivedMillis: currentUnixMillis())
        return state.withLock { state in
            state.counts[error.reason, default: 0] += 1
            state.recent.append(entry)
            if state.recent.count > keepRecent { state.recent.removeFirst(state.recent.count - keepRecent) }
            return state.counts[error.reason] == 1
        }
    }

    /// Refused frames by reason since start.
    public var counts: [StreamFrameError.Reason: Int] { state.withLock { $0.counts } }
    /// The most recent refused frames, oldest first.
    public var recent: [Entry] { state.withLock { $0.recent } }
}
