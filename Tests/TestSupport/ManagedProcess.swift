import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A long-running child process (a broker, an S3 server) that a test starts, kills and restarts.
public final class ManagedProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched under `lock`.
    private let lock = NSLock()
    private var process: Process?
    public let executable: String
    public let arguments: [String]
    public let environment: [String: String]
    public let logURL: URL

    public init(executable: String, arguments: [String], environment: [String: String] = [:], label: String) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(6)).log")
    }

    /// Starts the process; its output goes to `logURL`.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        // A child inherits the spawning thread's signal mask, and Swift's worker threads block
        // SIGTERM and the like: a server started from a test would then never see the SIGTERM
        // of a graceful stop. Spawn with nothing blocked.
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_UNBLOCK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        self.process = process
    }

    /// Sends `signal` (SIGTERM by default, SIGKILL for crash tests) and waits for the exit;
    /// returns the exit status (nil if it was not running).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32? {
        stop(signals: [signal], interval: .zero)
    }

    /// Sends each of `signals`, `interval` apart (a second Ctrl-C), and waits for the exit.
    @discardableResult
    public func stop(signals: [Int32], interval: Duration) -> Int32? {
        lock.lock()
        let process = self.process
        self.process = nil
        lock.unlock()
        guard let process, process.isRunning else { return nil }
        for (i, signal) in signals.enumerated() {
            if i > 0 { Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18) }
            kill(process.processIdentifier, signal)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends `signal` without waiting (a control signal the process handles, e.g. SIGUSR1).
    public func send(signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if let process, process.isRunning { kill(process.processIdentifier, signal) }
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return process?.isRunning ?? false
    }

    /// The last lines the process printed, for failure messages.
    public func logTail(_ characters: Int = 4000) -> String {
        String(((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").suffix(characters))
    }

    deinit { stop(signal: SIGKILL) }
}

/// Network helpers for tests that start servers on loopback.
public enum LoopbackPort {
    /// A port that was free a moment ago on 127.0.0.1 (the kernel picks it).
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`, up to `timeout` seconds.
    public static func waitUntilOpen(_ port: Int, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = UInt16(port).bigEndian
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if ok == 0 { return }
            usleep(50_000)
        }
        throw POSIXError(.ETIMEDOUT)
    }
}
