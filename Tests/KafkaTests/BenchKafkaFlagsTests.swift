import Testing
import TestSupport

/// `cryptoviz bench kafka` refuses nonsensical flags before touching a broker.
@Suite struct BenchKafkaFlagsTests {
    @Test(arguments: [
        (["--records", "0"], "--records must be positive"),
        (["--rounds", "0"], "--rounds must be positive"),
        (["--sizes", "100", "--sizes", "0"], "--sizes must be positive"),
    ])
    func badFlagsGetAClearError(arguments: [String], message: String) throws {
        // The bootstrap port is closed: a command that got past validation would fail differently.
        let result = try ProcessRunner.run(try TestEnvironment.cryptovizBinary(),
                                           ["bench", "kafka", "--bootstrap", "127.0.0.1:1"] + arguments, check: false)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
    }
}
