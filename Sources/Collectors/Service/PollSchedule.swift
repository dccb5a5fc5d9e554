/// When to poll next: on multiples of the interval since the Unix epoch.
///
/// Aligning to the grid (…:00, …:30) instead of sleeping `interval` after each poll keeps the
/// period from drifting by the poll's own duration, and lines samples of different providers
/// and processes up on the same instants.
public struct PollSchedule: Sendable, Hashable {
    public var intervalMillis: Int64

    public init(interval: Duration) {
        intervalMillis = max(1, interval.wholeMilliseconds)
    }

    /// The first grid instant strictly after `nowMillis`.
    public func nextFire(afterUnixMillis nowMillis: Int64) -> Int64 {
        (nowMillis / intervalMillis + 1) * intervalMillis
    }
}
