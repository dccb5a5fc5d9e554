import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes of this test process, read from /proc: the server under test runs in
/// this process, so the DuckDB CLIs it spawns are our children.
enum ChildProcesses {
    struct Entry: Hashable {
        var pid: pid_t
        var processGroup: pid_t
        var command: String
    }

    /// Children whose command name (`/proc/<pid>/stat`'s comm) is `command`.
    static func named(_ command: String) -> [Entry] {
        let me = getpid()
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.compactMap { pid -> Entry? in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            let comm = String(stat[stat.index(after: open)..<close])
            // After "(comm) ": state, ppid, pgrp.
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard comm == command, fields.count > 2, pid_t(fields[1]) == me, let group = pid_t(fields[2]) else { return nil }
            return Entry(pid: pid, processGroup: group, command: comm)
        }
    }

    /// Children named `command` whose standard input is a file whose name ends with `suffix`:
    /// the SQL engine's query processes read `query.sql`, its statement checks `check.sql`.
    static func named(_ command: String, readingInputEndingWith suffix: String) -> [Entry] {
        named(command).filter { entry in
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry.pid)/fd/0")) ?? ""
            return link.hasSuffix(suffix)
        }
    }

    /// Processes of `group` that still run (zombies left out: killed grandchildren are
    /// reparented to PID 1, which in this container may never reap them).
    static func liveMembers(ofGroup group: pid_t) -> [pid_t] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && pid_t(fields[2]) == group
        }
    }

    /// True when no process is left in process group `group` (kill(-group, 0) fails with ESRCH).
    static func groupIsGone(_ group: pid_t) -> Bool {
        kill(-group, 0) == -1 && errno == ESRCH
    }
}
