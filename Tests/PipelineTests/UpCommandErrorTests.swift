import Foundation
import Testing
import TestSupport

/// `cryptoviz up` refuses what it cannot do in one plain sentence and a non-zero exit, before
/// starting any stage.
@Suite struct UpCommandErrorTests {
    func up(_ arguments: [String]) throws -> CommandResult {
        let data = try TestEnvironment.temporaryDirectory("up-errors")
        return try ProcessRunner.run(try TestEnvironment.cryptovizBinary(),
                                     ["up", "--demo", "--data", data.path] + arguments, check: false)
    }

    @Test func aTakenPortIsReportedPlainly() throws {
        let port = try LoopbackPort.free()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(fd, 1) == 0)
        let result = try up(["--port", "\(port)"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot serve on 127.0.0.1:\(port): the port is already in use"), "\(result.stderr)")
        #expect(!result.stderr.contains("stream processor started"), "nothing starts before the check")
    }

    @Test(arguments: [
        (["--port", "70000"], "port must be 1-65535"),
        (["--interval", "0.1"], "interval must be at least 1 second"),
        (["--bus", "rabbitmq://x"], "bus must be 'memory', 'none' (serve only) or kafka://host:port"),
        (["--lake", "ftp://x"], "lake must be file:///path or s3://bucket/prefix"),
    ])
    func badFlagsAreRefusedWithTheirName(arguments: [String], message: String) throws {
        let result = try up(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
