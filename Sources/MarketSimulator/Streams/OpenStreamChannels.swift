import NIOCore
import Synchronization

/// The simulator's upgraded WebSocket channels, so `MarketSimulator.stop` can close them: a
/// graceful shutdown waits for every connection to end, and a stream whose client neither
/// sends nor closes (a collector stopping at the same moment) would hold it for good.
final class OpenStreamChannels: Sendable {
    private let channels = Mutex<(next: Int, open: [Int: any Channel])>((0, [:]))

    /// Registers `channel`; the id unregisters it.
    func add(_ channel: any Channel) -> Int {
        channels.withLock { state in
            state.next += 1
            state.open[state.next] = channel
            return state.next
        }
    }

    func remove(_ id: Int) {
        _ = channels.withLock { $0.open.removeValue(forKey: id) }
    }

    /// Closes every open stream channel (their handlers then end with the connection).
    func closeAll() {
        let open = channels.withLock { Array($0.open.values) }
        for channel in open { channel.close(promise: nil) }
    }
}
