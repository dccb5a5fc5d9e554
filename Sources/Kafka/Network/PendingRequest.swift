import NIOCore

/// A request frame (its segments, written in order) on its way to the broker with the promise
/// its response completes.
struct PendingRequest: Sendable {
    var frame: [ByteBuffer]
    var promise: EventLoopPromise<ByteBuffer>
}
