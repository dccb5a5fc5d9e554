import Foundation
import Testing
import TestSupport

/// An unknown `--log-level` is refused with the valid names before anything starts, on every
/// command that logs (it used to fall back to `info` without a word).
@Suite struct LogLevelFlagTests {
    @Test(arguments: [["up", "--demo"], ["collect", "--once"], ["backfill"], ["process"], ["serve"]])
    func anUnknownLevelIsRefusedWithTheChoices(command: [String]) throws {
        let data = try TestEnvironment.temporaryDirectory("log-level")
        let result = try ProcessRunner.run(try TestEnvironment.cryptovizBinary(),
                                           command + ["--log-level", "loud", "--data", data.path], check: false)
        #expect(result.status != 0)
        #expect(result.stderr.contains("The value 'loud' is invalid for '--log-level"), "\(result.stderr)")
        #expect(result.stderr.contains("warning"), "the valid names are listed")
        #expect(!result.stderr.contains("started"), "nothing starts")
    }
}
