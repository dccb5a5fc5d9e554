import Foundation
import Testing
import TestSupport

/// `up --demo` streams Binance, Coinbase and Kraken from its simulator beside the 30-second
/// polls: the live feed carries a quote of an asset from each venue about every second, which
/// polling alone could not; the pipeline stats and `/metrics` show each stream's health.
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
        let stream = try await HTTPTestClient.openStream(port: port, "/api/v1/live?assets=bitcoin&sources=binance,coinbase,kraken")
        defer { stream.closeConnection() }
        let started = Date()
        // Six quotes from each venue: under 10 s from a 1 s stream (polls every 30 s add one at most).
        let text = try await HTTPTestClient.offload {
            try stream.readUntil(seconds: 10) { text in ["binance", "coinbase", "kraken"].allSatisfy { Self.count(text, $0) >= 6 } }
        }
        let seconds = Date().timeIntervalSince(started)
        for venue in ["binance", "coinbase", "kraken"] {
            #expect(Self.count(text, venue) >= 6, "\(venue): \(Self.count(text, venue)) quotes after \(seconds) s")
        }
        #expect(up.isRunning, "\(up.logTail())")

        // Health: two snapshots 2 s apart give each stream a message rate.
        _ = try await HTTPTestClient.get(port: port, "/api/v1/stats/pipeline")
        try await Task.sleep(for: .seconds(2))
        let reply = try await HTTPTestClient.get(port: port, "/api/v1/stats/pipeline")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        let pipeline = try #require(json["pipeline"] as? [String: Any])
        let streams = try #require(pipeline["streams"] as? [[String: Any]])
        #expect(Set(streams.compactMap { $0["provider"] as? String }) == ["binance", "coinbase", "kraken"])
        for venue in streams {
            #expect(venue["state"] as? String == "open", "\(venue)")
            #expect((venue["messages_per_second"] as? Double ?? 0) >= 0.5, "\(venue)")
            #expect((venue["last_message_age_ms"] as? Int ?? .max) < 5_000, "\(venue)")
            #expect(venue["reconnects"] as? Int == 0 && venue["malformed"] != nil && venue["sequence_gaps"] != nil, "\(venue)")
        }
        // Streamed trades (Binance and Coinbase, BTC and ETH) went to the bus's live topic.
        let events = try #require(pipeline["stream_events"] as? [String: Any])
        #expect((events["trades_published"] as? Int ?? 0) > 20 && events["dropped"] as? Int == 0, "\(events)")
        let metrics = String(decoding: try await HTTPTestClient.get(port: port, "/metrics").body, as: UTF8.self)
        for venue in ["binance", "coinbase", "kraken"] {
            #expect(metrics.contains(#"cryptoviz_collector_stream_open_connections{provider="\#(venue)"} 1"#), "\(venue)")
            #expect(metrics.contains(#"cryptoviz_collector_stream_last_message_timestamp_seconds{provider="\#(venue)"}"#), "\(venue)")
            #expect(metrics.contains(#"cryptoviz_collector_stream_messages_total{provider="\#(venue)"}"#), "\(venue)")
        }

        // In Chromium: the Dashboard's price cards (its default three coins), sampled every 50 ms
        // for 15 s, and the Performance tab's Streams table.
        let browser = try ProcessRunner.run(try TestEnvironment.python(), [
            TestEnvironment.oracle("server/live_price_rate.py"), "--url", "http://127.0.0.1:\(port)", "--seconds", "15",
            "--screenshots", TestEnvironment.repositoryRoot.appendingPathComponent("test-output/screenshots/up-demo-streams").path,
        ], check: false)
        #expect(browser.status == 0, "\(browser.stdout)\n\(browser.stderr.suffix(3000))")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(browser.stdout.utf8)) as? [String: Any])
        let changes = figures["changes"] as? Int ?? 0, maxGap = figures["max_gap_ms"] as? Int ?? .max
        // The venues' quotes arrive together once per simulator beat (1 s), so the cards change at
        // most about once a second; a beat in which no coin moved by a displayed cent leaves them
        // still (seen: 1.0 to 1.8 changes per second, pauses up to 2 s). Polls alone would change
        // them once per 30 s.
        #expect(changes >= 12, "\(changes) price changes in 15 s, longest pause \(maxGap) ms")
        #expect(maxGap < 2_600, "\(changes) price changes in 15 s, longest pause \(maxGap) ms")
        let rows = figures["streams"] as? [[String]] ?? []
        #expect(rows.map { $0.first ?? "" } == ["binance", "coinbase", "kraken"], "\(rows)")
        #expect(rows.allSatisfy { $0.count > 2 && $0[1].hasPrefix("open") && (Double($0[2]) ?? 0) > 0 }, "\(rows)")
        #expect((figures["page_errors"] as? [String] ?? ["?"]).isEmpty, "\(figures)")
    }
}
