import Foundation
import Testing
import TestSupport

/// `up --demo` streams Binance and Kraken from its simulator beside the 30-second polls: the
/// live feed carries a Binance quote of an asset about every second (the simulator's
/// `!miniTicker@arr`), which polling alone could not.
@Suite(.serialized) struct UpDemoStreamsTests {
    static func count(_ text: String, _ source: String) -> Int { text.components(separatedBy: "\"source\":\"\(source)\"").count - 1 }

    @Test func theLiveFeedMovesEverySecondFromTheStreams() async throws {
        let data = try TestEnvironment.temporaryDirectory("up-demo-streams")
        let port = try LoopbackPort.free()
        let up = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(),
                                arguments: ["up", "--demo", "--demo-assets", "20", "--data", data.path, "--port", "\(port)"],
                                label: "cryptoviz-up-streams")
        try up.start()
        defer { up.stop(signal: SIGTERM) }
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
        // Let the streams connect and the first poll pass.
        try await Task.sleep(for: .seconds(4))
        let stream = try await HTTPTestClient.openStream(port: port, "/api/v1/live?assets=bitcoin&sources=binance,kraken")
        defer { stream.closeConnection() }
        let started = Date()
        // Six quotes from each venue: under 10 s from a 1 s stream (polls every 30 s add one at most).
        let text = try await HTTPTestClient.offload {
            try stream.readUntil(seconds: 10) { Self.count($0, "binance") >= 6 && Self.count($0, "kraken") >= 6 }
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(Self.count(text, "binance") >= 6 && Self.count(text, "kraken") >= 6, "after \(seconds) s")
        #expect(up.isRunning, "\(up.logTail())")
    }
}
