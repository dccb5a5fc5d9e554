import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `cryptoviz bench load`: many concurrent API clients against a real `cryptoviz up --demo`
/// (a child process of this binary), plus stalled live-stream clients that never read.
///
/// It reports per endpoint the requests, errors and latency quantiles, and for the server
/// process its resident memory before, at the peak and after the load (the stalled streams
/// closed), and its CPU seconds. The load generator shares the machine with the server:
/// on 2 cores the figures are a floor of what the server alone would do.
struct BenchLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Load the REST API of an `up --demo` with concurrent clients and stalled SSE streams.")

    @Option(help: "Concurrent API clients (each: quotes, then candles of a random asset, in a loop).") var clients = 200
    @Option(help: "Seconds of load.") var seconds = 60
    @Option(name: .customLong("stalled-streams"), help: "Live-stream (SSE) clients that connect and never read.") var stalledStreams = 200
    @Option(help: "Seconds after the load before the last memory reading.") var settle = 15
    @Option(help: "Port for the server (0: a free one).") var port = 0
    @Option(help: "Data directory of the server (default: a fresh temporary one).") var data: String?

    func validate() throws {
        guard clients >= 1, seconds >= 1, stalledStreams >= 0, settle >= 0 else {
            throw ValidationError("--clients and --seconds must be at least 1; --stalled-streams and --settle not negative")
        }
    }

    func run() async throws {
        let port = self.port == 0 ? try LoadTarget.freePort() : self.port
        let dataDirectory = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("cryptoviz-bench-load-\(UUID().uuidString.prefix(8))").path
        let target = try LoadTarget.start(port: port, data: dataDirectory)
        defer { target.stop() }
        let base = "http://127.0.0.1:\(port)"
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + 8)))

        let assets: [String]
        do {
            assets = try await LoadTarget.waitForQuotes(base: base, http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        print("server pid \(target.pid) on \(base): \(assets.count) assets quoted; \(clients) clients for \(seconds) s, \(stalledStreams) stalled streams")
        let before = ProcessFigures.read(pid: target.pid)
        let streams = StalledStreams.open(count: stalledStreams, port: port)
        let sampler = Task { () -> Int in
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, ProcessFigures.read(pid: target.pid).rssKiB)
                try? await Task.sleep(for: .milliseconds(500))
            }
            return peak
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let results = await withTaskGroup(of: LoadTally.self) { group in
            for client in 0..<clients {
                group.addTask { await LoadTally.loop(client: client, base: base, assets: assets, http: http, until: deadline) }
            }
            var total = LoadTally()
            for await tally in group { total.merge(tally) }
            return total
        }
        let during = ProcessFigures.read(pid: target.pid)
        streams.close()
        try await Task.sleep(for: .seconds(settle))
        sampler.cancel()
        let peak = await sampler.value
        let after = ProcessFigures.read(pid: target.pid)

        print("endpoint   requests  errors   p50 ms   p95 ms   p99 ms   max ms")
        for (name, samples) in results.latencies.sorted(by: { $0.key < $1.key }) {
            let q = Quantiles(samples)
            print(String(format: "%-9@ %9d %7d %8.1f %8.1f %8.1f %8.1f", name as NSString, samples.count,
                         results.errors[name, default: 0], q.at(0.5), q.at(0.95), q.at(0.99), q.max))
        }
        if !results.errorSamples.isEmpty { print("first errors: \(results.errorSamples.joined(separator: " | "))") }
        print(String(format: "server RSS: %.0f MB before, %.0f MB peak, %.0f MB %d s after the load (stalled streams closed)",
                     Double(before.rssKiB) / 1024, Double(max(peak, during.rssKiB)) / 1024, Double(after.rssKiB) / 1024, settle))
        try await http.shutdown()
        print(String(format: "server CPU during the load: %.1f s (of %d s wall); load average %@",
                     during.cpuSeconds - before.cpuSeconds, seconds, ProcessFigures.loadAverage() as NSString))
    }
}

/// Requests, errors and latencies of the clients, per endpoint.
struct LoadTally: Sendable {
    var latencies: [String: [Double]] = [:]
    var errors: [String: Int] = [:]
    var errorSamples: [String] = []

    mutating func merge(_ other: LoadTally) {
        for (k, v) in other.latencies { latencies[k, default: []] += v }
        for (k, v) in other.errors { errors[k, default: 0] += v }
        errorSamples += other.errorSamples.prefix(max(0, 3 - errorSamples.count))
    }

    /// One client: quotes, then the candles of a random asset, until `deadline`.
    static func loop(client: Int, base: String, assets: [String], http: HTTPClient, until deadline: ContinuousClock.Instant) async -> LoadTally {
        var tally = LoadTally()
        var generator = SystemRandomNumberGenerator()
        var turn = client
        while ContinuousClock.now < deadline {
            let asset = assets.randomElement(using: &generator) ?? "bitcoin"
            let (name, path) = turn % 2 == 0
                ? ("quotes", "/api/v1/quotes/latest")
                : ("candles", "/api/v1/assets/\(asset)/candles?interval=\(turn % 4 == 1 ? "1m" : "1h")")
            turn += 1
            let started = ContinuousClock.now
            do {
                let response = try await http.execute(HTTPClientRequest(url: base + path), timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 64 << 20)
                guard response.status == .ok else { throw LoadError(message: "HTTP \(response.status.code) for \(path)") }
                let elapsed = ContinuousClock.now - started
                tally.latencies[name, default: []].append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            } catch {
                tally.errors[name, default: 0] += 1
                if tally.errorSamples.count < 3 { tally.errorSamples.append("\(error)") }
            }
        }
        return tally
    }
}

struct LoadError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Quantiles of a sample, nearest rank.
struct Quantiles {
    let sorted: [Double]
    init(_ samples: [Double]) { sorted = samples.sorted() }
    func at(_ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank - 1, 0), sorted.count - 1)]
    }
    var max: Double { sorted.last ?? .nan }
}
