import Foundation
import Kafka
import Logging
import Synchronization
import TestSupport

/// Names and settings shared by the Kafka integration tests: unique topics and groups per test
/// (tansu keeps state for the whole run), short session timeouts (TEST-INFRA.md: tansu holds a
/// join for about half the session timeout).
enum KafkaTestContext {
    static let logger: Logger = {
        var l = Logger(label: "cryptoviz.kafka.test")
        l.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_DEBUG"] == nil ? .warning : .debug
        return l
    }()

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    static func sharedBootstrap() throws -> String { try TestEnvironment.kafkaBootstrap() }

    static func createTopic(_ name: String, partitions: Int32, bootstrap: String) async throws {
        let admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: [bootstrap]), logger: logger)
        try await admin.createTopics([NewTopic(name: name, partitions: partitions)])
        await admin.close()
    }

    static func consumerConfiguration(_ bootstrap: String, group: String) -> KafkaConsumerConfiguration {
        var c = KafkaConsumerConfiguration(bootstrapServers: [bootstrap], groupID: group, sessionTimeout: .seconds(2),
                                           heartbeatInterval: .milliseconds(200))
        c.rebalanceTimeout = .seconds(4)
        c.fetchMaxWait = .milliseconds(200)
        return c
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    static func eventually(_ timeout: Duration, _ what: String, _ condition: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while try await !condition() {
            guard clock.now < deadline else { throw KafkaError(.timeout, "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// A thread-safe tally for delivery callbacks.
final class Tally: Sendable {
    private let state = Mutex<(ok: Int, failed: [String])>((0, []))
    func record(_ result: Result<RecordMetadata, KafkaError>) {
        state.withLock {
            switch result {
            case .success: $0.ok += 1
            case .failure(let e): if $0.failed.count < 5 { $0.failed.append("\(e)") } else { $0.failed.append("") }
            }
        }
    }
    var ok: Int { state.withLock { $0.ok } }
    var failed: [String] { state.withLock { $0.failed } }
}

/// A lock-free tally for delivery callbacks of bulk tests (a million callbacks).
final class Counter: Sendable {
    private let delivered = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    func record(_ result: Result<RecordMetadata, KafkaError>) {
        switch result {
        case .success: delivered.add(1, ordering: .relaxed)
        case .failure: failures.add(1, ordering: .relaxed)
        }
    }
    var ok: Int { delivered.load(ordering: .relaxed) }
    var failed: Int { failures.load(ordering: .relaxed) }
}
