import Foundation
import TestSupport
import Testing

@testable import ObjectStore

/// Retries against the shared moto server behind a proxy that throttles the first requests.
@Suite struct S3RetryPolicyTests {
    /// A store whose requests pass through a fault-injecting proxy to a fresh bucket on moto.
    private func throttledStore(failures: Int, status: Int, code: String, maxAttempts: Int) async throws
        -> (S3ObjectStore, ManagedProcess, URL)
    {
        let direct = try await S3TestBucket.store()
        let port = try LoopbackPort.free()
        let countFile = try TestEnvironment.temporaryDirectory("fault-proxy").appendingPathComponent("count")
        let proxy = ManagedProcess(
            executable: try TestEnvironment.python(),
            arguments: [TestEnvironment.oracle("objectstore/fault_proxy.py"), String(port), try TestEnvironment.s3Endpoint(),
                        String(failures), String(status), code, countFile.path],
            label: "fault-proxy")
        try proxy.start()
        try LoopbackPort.waitUntilOpen(port)
        var configuration = direct.configuration
        configuration.endpoint = S3Endpoint(useTLS: false, host: "127.0.0.1", port: port)
        configuration.retry = S3RetryPolicy(maxAttempts: maxAttempts, baseDelayMillis: 10, maxDelayMillis: 50)
        return (S3ObjectStore(configuration: configuration), proxy, countFile)
    }

    private func requestCount(_ file: URL) throws -> Int {
        Int(try String(contentsOf: file, encoding: .utf8)) ?? -1
    }

    @Test func throttledRequestsAreRetriedUntilTheyGoThrough() async throws {
        let (store, proxy, countFile) = try await throttledStore(failures: 3, status: 503, code: "SlowDown", maxAttempts: 5)
        defer { proxy.stop() }
        try await store.put("k", Array("after throttling".utf8))
        #expect(try requestCount(countFile) == 4)
        #expect(try await store.get("k") == Array("after throttling".utf8))
        #expect(try await store.head("k")?.size == 16)
    }

    @Test(arguments: [(503, "SlowDown"), (429, "TooManyRequests"), (500, "InternalError")])
    func persistentFailureEndsWithTheLastErrorAfterMaxAttempts(_ status: Int, _ code: String) async throws {
        let (store, proxy, countFile) = try await throttledStore(failures: 1000, status: status, code: code, maxAttempts: 3)
        defer { proxy.stop() }
        let error = await #expect(throws: ObjectStoreError.self) { try await store.get("k") }
        #expect(error?.code == (status == 500 ? .http : .throttled))
        #expect(error?.message.contains(code) == true)
        #expect(error?.message.contains("after 3 attempts") == true)
        #expect(try requestCount(countFile) == 3)
    }

    @Test func delaysGrowExponentiallyWithinTheCap() {
        let policy = S3RetryPolicy(maxAttempts: 10, baseDelayMillis: 100, maxDelayMillis: 1_000)
        for _ in 0..<200 {
            #expect((0...100).contains(policy.delayMillis(beforeRetry: 1)))
            #expect((0...400).contains(policy.delayMillis(beforeRetry: 3)))
            #expect((0...1_000).contains(policy.delayMillis(beforeRetry: 9)))
        }
        #expect(S3RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
