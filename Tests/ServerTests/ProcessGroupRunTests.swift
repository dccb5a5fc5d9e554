import Foundation
import Testing
import TestSupport
@testable import Server

/// The SQL engine's child-process runner: the child starts with no signal blocked in a group
/// of its own, reads its input from a file, and is stopped with everything it started.
@Suite struct ProcessGroupRunTests {
    static func run(_ script: String, input: String = "", seconds: Double = 10, maxOutput: Int = 1 << 20) throws -> ProcessGroupRun.Result {
        let folder = try TestEnvironment.temporaryDirectory("process-group-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputFile = folder.appendingPathComponent("input").path
        #expect(FileManager.default.createFile(atPath: inputFile, contents: Data(input.utf8)))
        return try ProcessGroupRun(
            executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"], inputFile: inputFile,
            deadline: .now + .milliseconds(Int64(seconds * 1000)), maxOutputBytes: maxOutput
        ).run()
    }

    @Test func childStartsWithNothingBlockedInItsOwnGroupReadingTheInputFile() throws {
        let result = try Self.run("grep -E '^Sig(Blk|Ign)' /proc/self/status; ps -o pgid= -p $$; cat", input: "from the file")
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(result.outcome == .exited(status: 0))
        #expect(text.contains("SigBlk:\t0000000000000000"), "\(text)")
        // SIGINT (bit 2), SIGPIPE (bit 13) and SIGTERM (bit 15) are not ignored.
        let ignored = text.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }.map { UInt64($0.dropFirst(8), radix: 16) ?? 0 } ?? 1
        #expect(ignored & (1 << 1 | 1 << 12 | 1 << 14) == 0, "\(text)")
        #expect(text.contains(" \(result.processGroup)\n") || text.contains("\n\(result.processGroup)\n"), "\(text)")
        #expect(text.hasSuffix("from the file"))
    }

    @Test func theDeadlineKillsTheWholeGroupIncludingGrandchildren() throws {
        let started = ContinuousClock.now
        let result = try Self.run("trap '' TERM; sleep 60 & sleep 60 & wait", seconds: 0.5)
        #expect(result.outcome == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(ChildProcesses.liveMembers(ofGroup: result.processGroup).isEmpty, "group \(result.processGroup) survived")
    }

    @Test func outputPastTheCapStopsTheChild() throws {
        let result = try Self.run("yes cryptoviz", maxOutput: 10_000)
        #expect(result.outcome == .outputTooLarge)
        #expect(result.output.count == 10_000)
        #expect(ChildProcesses.liveMembers(ofGroup: result.processGroup).isEmpty)
    }

    @Test func exitStatusAndErrorOutputAreReported() throws {
        let result = try Self.run("echo oops >&2; exit 3")
        #expect(result.outcome == .exited(status: 3))
        #expect(String(decoding: result.errorOutput, as: UTF8.self) == "oops\n")
    }
}
