import Foundation

/// An S3-compatible server that keeps its buckets as folders on disk (PyPI `localbucket`), so
/// that it can be stopped and started again with its data: the outage tests need that, and
/// the in-memory moto server loses everything when it stops. It honours `If-None-Match: *`
/// (atomically, through a hard link), which Delta commits rely on; it checks no credentials.
public final class LocalBucketServer: Sendable {
    public let port: Int
    public let directory: URL
    private let server: ManagedProcess

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts the server on a free port over a fresh directory and creates `buckets`.
    public init(buckets: [String]) throws {
        port = try LoopbackPort.free()
        directory = try TestEnvironment.temporaryDirectory("localbucket")
        let executable = URL(fileURLWithPath: try TestEnvironment.python())
            .deletingLastPathComponent().appendingPathComponent("localbucket").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestEnvironment.Missing(variable: "localbucket in the venv (\(executable))")
        }
        server = ManagedProcess(executable: executable, arguments: ["--port", "\(port)", directory.path], label: "localbucket")
        try start()
        for bucket in buckets {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(bucket), withIntermediateDirectories: true)
        }
    }

    /// Starts (again) on the same port and directory.
    public func start() throws {
        try server.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 30)
    }

    /// Stops the server; nothing answers on its port until `start`.
    public func stop() {
        server.stop(signal: SIGKILL)
    }

    /// Files stored under `bucket/prefix` (objects are plain files).
    public func objects(bucket: String, prefix: String) -> [String] {
        let root = directory.appendingPathComponent(bucket).appendingPathComponent(prefix)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return walker.compactMap { $0 as? String }.sorted()
    }

    deinit { server.stop(signal: SIGKILL) }
}
