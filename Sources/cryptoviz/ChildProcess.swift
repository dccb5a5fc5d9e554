import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process run to completion with its resource usage (CPU seconds, peak RSS), which
/// `Foundation.Process` does not report: benchmarks measure another command's whole cost this way.
struct ChildProcess {
    var status: Int32
    var userSeconds: Double
    var systemSeconds: Double
    var peakRSSKiB: Int
    var wallSeconds: Double
    var output: String

    var cpuSeconds: Double { userSeconds + systemSeconds }

    /// Runs `arguments[0]` with the rest as its arguments; stdout and stderr go to a temporary file.
    static func run(_ arguments: [String]) throws -> ChildProcess {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cryptoviz-child-\(UUID().uuidString.prefix(8)).log").path
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw ChildProcessError(message: "cannot start \(arguments[0]): errno \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw ChildProcessError(message: "wait4 failed: errno \(errno)") }
        }
        let wall = (ContinuousClock.now - start).benchSeconds
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let exited = status & 0x7f == 0
        return ChildProcess(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                            userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime),
                            peakRSSKiB: usage.ru_maxrss, wallSeconds: wall,
                            output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
