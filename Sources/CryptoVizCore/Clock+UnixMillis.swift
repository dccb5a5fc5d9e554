import Foundation

/// The current wall-clock time in Unix milliseconds, the unit of every timestamp in `Tick`.
public func currentUnixMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded())
}
