import Foundation
import Logging
@testable import Pipeline
import Testing
import TestSupport

/// `KafkaBus` polls against the test broker: a fetch can bring far more records than a poll
/// asks for; the poll hands over at most `maxRecords` and keeps the rest, in order, for the
/// next one.
@Suite struct KafkaBusPollTests {
    @Test func pollsHandOverAtMostMaxRecordsAndLoseNoneInOrder() async throws {
        var configuration = KafkaBus.Configuration(bootstrapServers: [try TestEnvironment.kafkaBootstrap()])
        configuration.sessionTimeout = .seconds(2)
        let bus = try KafkaBus(configuration: configuration, logger: Logger(label: "test"))
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topic = "bus-poll-\(suffix)"
        try await bus.ensureTopics([topic], partitions: 3)
        let total = 3_000
        try await bus.publish((0..<total).map { i in
            OutgoingMessage(topic: topic, key: Array("key-\(i % 17)".utf8), value: Array("\(i)".utf8), timestampMillis: 0)
        })
        let consumer = try await bus.consumer(group: "poll-\(suffix)", topics: [topic], listener: RebalanceListener())
        var sizes: [Int] = []
        var offsets: [BusPartition: [Int64]] = [:]
        var values = Set<String>()
        let deadline = ContinuousClock.now + .seconds(60)
        while values.count < total && ContinuousClock.now < deadline {
            let records = try await consumer.poll(maxRecords: 100, maxWait: .milliseconds(500))
            if !records.isEmpty { sizes.append(records.count) }
            for record in records {
                offsets[record.partition, default: []].append(record.offset)
                values.insert(String(decoding: record.value, as: UTF8.self))
            }
        }
        await consumer.close()
        await bus.close()
        #expect(values.count == total, "every record once")
        #expect(sizes.allSatisfy { $0 <= 100 }, "poll sizes: \(sizes)")
        #expect(sizes.reduce(0, +) == total, "no record handed over twice")
        for (partition, seen) in offsets {
            #expect(seen == Array(0..<Int64(seen.count)), "\(partition) in order from 0")
        }
    }
}
