import CryptoVizCore
import Foundation
import Synchronization
@testable import Alerts

/// 2026-01-01 00:00:00 UTC: whole minutes and a known time of day for quiet hours.
let t0: Int64 = 1_767_225_600_000

func tick(_ asset: AssetID = "bitcoin", _ source: ProviderID = .binance, price: Double, at ms: Int64) -> Tick {
    Tick(source: source, asset: asset, symbol: "BTC", price: price, sourceTimeMillis: ms, collectedTimeMillis: ms)
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let value: Atomic<Int64>
    init(_ start: Int64) { value = Atomic(start) }
    var now: Int64 { value.load(ordering: .relaxed) }
    func set(_ ms: Int64) { value.store(ms, ordering: .relaxed) }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Polls `condition` until it holds or `seconds` pass (generous: the machine is shared).
func eventually(seconds: Double = 30, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await condition()
}
