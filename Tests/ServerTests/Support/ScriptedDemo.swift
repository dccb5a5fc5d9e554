import Foundation
import TestSupport

/// A real `cryptoviz up --demo` whose simulated market follows a script of events (`--events`),
/// and what its live SSE feed carried, as a browser sees it: the ground of the alert tests.
final class ScriptedDemo {
    let directory: URL
    let port: Int
    /// When the process was started; the script's seconds count from the simulator's start,
    /// a little later.
    let launched: Date
    private let process: ManagedProcess

    /// Starts the demo (10 assets, REST polling only, so divergences and silences act on every
    /// source) with `extraArguments`, and waits until it listens.
    init(label: String, events: String, extraArguments: [String] = []) throws {
        directory = try TestEnvironment.temporaryDirectory(label)
        let eventsFile = directory.appendingPathComponent("events.json")
        try Data(events.utf8).write(to: eventsFile)
        port = try LoopbackPort.free()
        launched = Date()
        process = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "up", "--demo", "--demo-assets", "10", "--streams", "", "--port", "\(port)",
            "--data", directory.appendingPathComponent("data").path, "--events", eventsFile.path,
        ] + extraArguments, label: "\(label)-up")
        try process.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 60)
    }

    /// Stops the process and removes its data (idempotent; the test's `defer` keeps the demo
    /// alive to the end of its scope).
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    var secondsSinceLaunch: Double { Date().timeIntervalSince(launched) }

    /// The latest price of each of `assets`, waiting up to `seconds` for the first polls to
    /// bring them: until then the API does not know the assets, and refuses a rule scoped to
    /// one (`unknown asset`). Missing entries are the assets that did not come in time.
    func latestPrices(_ assets: [String], within seconds: Double = 20) async throws -> [String: Double] {
        var prices: [String: Double] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        let query = assets.joined(separator: ",")
        while prices.count < assets.count && Date() < deadline {
            let quotes = try await HTTPTestClient.get(port: port, "/api/v1/quotes/latest?assets=\(query)").json()
            for quote in quotes["quotes"] as? [[String: Any]] ?? [] {
                if let asset = quote["asset"] as? String, let price = quote["price"] as? Double { prices[asset] = price }
            }
            if prices.count < assets.count { try await Task.sleep(for: .milliseconds(500)) }
        }
        return prices
    }

    /// Records the live feed (ticks of `assets`, every alert) until `untilSecond` after launch.
    func record(untilSecond: Double, assets: [String]) async throws -> RecordedFeed {
        let seconds = untilSecond - secondsSinceLaunch
        let port = port
        let output = try await Task.detached {
            try ProcessRunner.oracle("server/live_recorder.py", [
                "--url", "http://127.0.0.1:\(port)", "--seconds", "\(seconds)", "--assets", assets.joined(separator: ","),
            ]).stdout
        }.value
        guard let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw RecordingError(output: String(output.prefix(500)))
        }
        return RecordedFeed(ticks: json["ticks"] as? [[String: Any]] ?? [], alerts: json["alerts"] as? [[String: Any]] ?? [])
    }

    struct RecordingError: Error, CustomStringConvertible {
        var output: String
        var description: String { "live_recorder.py printed no JSON object: \(output)" }
    }
}

/// Ticks and alerts of the live feed, each with `recv_ms`: the recorder's clock at arrival.
struct RecordedFeed {
    var ticks: [[String: Any]]
    var alerts: [[String: Any]]

    func fired(_ rule: String) -> [[String: Any]] {
        alerts.filter { $0["rule_id"] as? String == rule && $0["kind"] as? String == "fired" }
    }
    func resolved(_ rule: String) -> [[String: Any]] {
        alerts.filter { $0["rule_id"] as? String == rule && $0["kind"] as? String == "resolved" }
    }
    func ticks(_ asset: String, _ source: String? = nil) -> [[String: Any]] {
        ticks.filter { $0["asset"] as? String == asset && (source == nil || $0["source"] as? String == source) }
    }

    static func ms(_ object: [String: Any], _ key: String) -> Int64 { (object[key] as? NSNumber)?.int64Value ?? 0 }
    static func double(_ object: [String: Any], _ key: String) -> Double { (object[key] as? NSNumber)?.doubleValue ?? .nan }

    /// Alert arrival minus arrival of the newest tick of its series before it (the engine
    /// evaluates the feed the SSE stream carries, so that tick is the one it fired on).
    static func latency(_ alert: [String: Any], ticks: [[String: Any]]) -> Int64? {
        let at = ms(alert, "recv_ms")
        return ticks.last { ms($0, "recv_ms") <= at }.map { at - ms($0, "recv_ms") }
    }
}
