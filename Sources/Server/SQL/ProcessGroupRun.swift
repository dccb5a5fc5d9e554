import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of a child program in a process group of its own, with a deadline and a cap on
/// the bytes it may print; blocking, so callers run it on a thread of their own.
///
/// `Foundation.Process` cannot be used here: the child inherits the spawning thread's signal
/// mask (Swift's worker threads block SIGTERM), and it stays in the server's process group,
/// so neither a SIGTERM nor a kill of the whole group is possible. This spawns with
/// `posix_spawn`: `POSIX_SPAWN_SETPGROUP` (own group), an empty signal mask and default
/// dispositions for SIGTERM/SIGINT/SIGPIPE. Stopping sends SIGKILL to the whole group, so
/// a launcher's grandchildren go too, and the leader is always reaped.
struct ProcessGroupRun: Sendable {
    /// How a run ended.
    enum Outcome: Equatable, Sendable {
        /// The program exited by itself; `status` is its exit code, or 128 + signal.
        case exited(status: Int32)
        case timedOut
        /// Standard output passed `maxOutputBytes`; what was read up to the cap is kept.
        case outputTooLarge
        case cancelled
    }

    /// What the run produced.
    struct Result: Sendable {
        var outcome: Outcome
        var output: [UInt8]
        /// The first `maxErrorBytes` of standard error.
        var errorOutput: [UInt8]
        /// The child's process id, which is also its process-group id.
        var processGroup: pid_t
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        var executable: String
        var errno: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
    }

    var executable: String
    var arguments: [String]
    var environment: [String: String]
    /// The child reads its standard input from this file.
    var inputFile: String
    var deadline: ContinuousClock.Instant
    var maxOutputBytes: Int
    var maxErrorBytes: Int = 64 * 1024
    /// Polled between reads; true stops the child.
    var isCancelled: @Sendable () -> Bool = { false }

    /// Spawns, collects the output, stops the group on deadline, cap or cancellation, and reaps.
    func run() throws -> Result {
        // Socket pairs, not pipes: they can be made close-on-exec atomically (pipe2 is not
        // imported), so a child spawned meanwhile by another thread cannot inherit our end
        // and keep the output open after DuckDB ends.
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &outPipe) == 0 else { throw SpawnFailure(executable: executable, errno: errno) }
        guard socketpair(AF_UNIX, type, 0, &errPipe) == 0 else {
            let code = errno
            close(outPipe[0]); close(outPipe[1])
            throw SpawnFailure(executable: executable, errno: code)
        }
        let pid: pid_t
        do {
            pid = try spawn(stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }

        var output: [UInt8] = []
        var errorOutput: [UInt8] = []
        var stop: Outcome?
        var open = [outPipe[0], errPipe[0]]
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !open.isEmpty, stop == nil {
            if isCancelled() { stop = .cancelled; break }
            let remaining = deadline - .now
            if remaining <= .zero { stop = .timedOut; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining.millis, 100)))
            if ready < 0, errno != EINTR { stop = .cancelled; break }
            guard ready > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR || errno == EAGAIN { continue }
                if n <= 0 { open.removeAll { $0 == entry.fd }; continue }
                if entry.fd == outPipe[0] {
                    let room = maxOutputBytes - output.count
                    output.append(contentsOf: chunk[..<min(n, max(room, 0))])
                    if n > room { stop = .outputTooLarge }
                } else if errorOutput.count < maxErrorBytes {
                    errorOutput.append(contentsOf: chunk[..<min(n, maxErrorBytes - errorOutput.count)])
                }
            }
        }
        if let stop {
            kill(-pid, SIGKILL)
            _ = Self.reap(pid)
            Self.awaitGroupGone(pid)
            return Result(outcome: stop, output: output, errorOutput: errorOutput, processGroup: pid)
        }
        // Both pipes closed: the program is exiting. Wait for it within the same deadline.
        while true {
            if Self.hasExited(pid) {
                // Anything the program left behind in its group goes too. Killed while the
                // leader is an unreaped zombie, so its id cannot yet name another group.
                let stragglers = kill(-pid, SIGKILL) == 0
                let status = Self.reap(pid)
                if stragglers { Self.awaitGroupGone(pid) }
                return Result(outcome: .exited(status: status), output: output, errorOutput: errorOutput, processGroup: pid)
            }
            if deadline - .now <= .zero || isCancelled() {
                kill(-pid, SIGKILL)
                _ = Self.reap(pid)
                Self.awaitGroupGone(pid)
                return Result(outcome: deadline - .now <= .zero ? .timedOut : .cancelled, output: output,
                              errorOutput: errorOutput, processGroup: pid)
            }
            usleep(5_000)
        }
    }

    private func spawn(stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnFailure(executable: executable, errno: code) }
        return pid
    }

    /// True once `pid` has ended; it stays unreaped (WNOWAIT) so its id stays reserved.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return errno != EINTR }
        return info._sifields._sigchld.si_pid == pid
    }

    /// Waits briefly until no process is left in `group`: killed grandchildren are reaped by
    /// their new parent (init), not by us, so they linger a moment after the SIGKILL.
    private static func awaitGroupGone(_ group: pid_t) {
        for _ in 0..<200 where kill(-group, 0) == 0 {
            usleep(5_000)
        }
    }

    /// Waits for `pid` to end and returns its exit code (or 128 + signal); -1 if it cannot.
    private static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == -1, errno == EINTR { continue }
            if result == -1 { return -1 }
            break
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
