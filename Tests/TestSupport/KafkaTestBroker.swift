import Foundation

/// A private tansu broker for one test (so it can be restarted or killed), optionally storing
/// its log in S3 (a moto server it also starts) so that data survives a restart.
public final class KafkaTestBroker: Sendable {
    public let port: Int
    public let broker: ManagedProcess
    public let s3: ManagedProcess?

    /// `host:port` to bootstrap from.
    public var bootstrap: String { "127.0.0.1:\(port)" }

    /// Starts tansu with memory storage, or with `s3://BUCKET/` on a fresh moto server when `durable`.
    /// With `advertisedPort`, the broker tells clients to reach it there (a proxy in front of it).
    public init(durable: Bool = false, advertisedPort: Int? = nil) throws {
        port = try LoopbackPort.free()
        var storage = "memory://tansu/"
        var environment: [String: String] = [:]
        if durable {
            let s3Port = try LoopbackPort.free()
            let moto = ManagedProcess(executable: try TestEnvironment.motoServer(),
                                      arguments: ["-H", "127.0.0.1", "-p", "\(s3Port)"], label: "moto")
            try moto.start()
            try LoopbackPort.waitUntilOpen(s3Port)
            let endpoint = "http://127.0.0.1:\(s3Port)"
            try ProcessRunner.run(try TestEnvironment.python(), [
                "-c", "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='PUT'))",
                "\(endpoint)/tansu"])
            storage = "s3://tansu/"
            environment = ["AWS_ENDPOINT": endpoint, "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "test",
                           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"]
            s3 = moto
        } else {
            s3 = nil
        }
        broker = ManagedProcess(
            executable: try TestEnvironment.tansu(),
            arguments: ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                        "--advertised-listener-url", "tcp://127.0.0.1:\(advertisedPort ?? port)", "--storage-engine", storage],
            environment: environment, label: "tansu")
        try broker.start()
        try LoopbackPort.waitUntilOpen(port)
    }

    /// Restarts the broker on the same port and storage: SIGTERM first (an operator restart,
    /// letting tansu flush), SIGKILL if it has not exited after `grace` seconds (tansu 0.6 can
    /// wait indefinitely for open client connections).
    /// `downtime` seconds pass between the stop and the start: an outage clients must ride out.
    /// Returns whether the broker exited on SIGTERM (false: it had to be killed).
    @discardableResult
    public func restart(grace: Double = 5, downtime: Double = 0) throws -> Bool {
        var graceful = false
        let found = try ProcessRunner.run("/usr/bin/pgrep", ["-f", "listener-url tcp://127.0.0.1:\(port) "], check: false)
        if let pid = Int32(found.stdout.split(separator: "\n").first ?? "") {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
            graceful = kill(pid, 0) != 0
        }
        broker.stop(signal: SIGKILL)
        if downtime > 0 { usleep(useconds_t(downtime * 1_000_000)) }
        try broker.start()
        try LoopbackPort.waitUntilOpen(port)
        return graceful
    }

    /// Kills broker and S3 server: tansu 0.6 can wait indefinitely for open client connections
    /// after SIGTERM, and a test teardown needs no graceful shutdown.
    public func stop() {
        broker.stop(signal: SIGKILL)
        s3?.stop(signal: SIGKILL)
    }

    deinit { stop() }
}
