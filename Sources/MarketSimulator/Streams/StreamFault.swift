/// Faults a test injects into the simulator's open WebSocket streams.
public enum StreamFault: Sendable, Hashable {
    /// Every connection open now stops receiving data but stays open (pings still answered):
    /// the silent stall feed handlers must detect. Connections opened later are healthy.
    case stallOpenConnections
    /// Every open connection is dropped abruptly (TCP close, no close frame).
    case dropOpenConnections
    /// Every open connection is closed with a WebSocket close frame (code 1001, going away),
    /// as Binance does at its 24 h limit.
    case closeOpenConnections
    /// Every open connection receives one frame that is not valid JSON.
    case malformedFrame
    /// Every open connection silently misses its next `count` trade frames (a sequence hole
    /// the client can only see in the trade ids); the trades still happen on the tape.
    case dropTrades(count: Int)
}
