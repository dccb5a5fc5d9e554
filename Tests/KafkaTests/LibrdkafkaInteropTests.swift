import Foundation
import Kafka
import Testing
import TestSupport

/// Cross-client checks against librdkafka (confluent-kafka), the reference C client.
@Suite struct LibrdkafkaInteropTests {
    let logger = KafkaTestContext.logger

    struct Seen: Hashable, Decodable {
        var partition: Int32
        var offset: Int64
        var key: String?
        var value: String?
        var headers: [[String?]]
        var timestamp: Int64
    }

    static func hex(_ bytes: [UInt8]?) -> String? { bytes.map { $0.map { String(format: "%02x", $0) }.joined() } }

    static func parse(_ output: String) throws -> [Seen] {
        try output.split(separator: "\n").map { try JSONDecoder().decode(Seen.self, from: Data($0.utf8)) }
    }

    func seen(_ r: ConsumerRecord) -> Seen {
        Seen(partition: r.partition, offset: r.offset, key: Self.hex(r.key), value: r.valueIsNull ? nil : Self.hex(r.value),
             headers: r.headers.map { [$0.key, Self.hex($0.value)] }, timestamp: r.timestamp)
    }

    @Test(arguments: [CompressionCodec.none, .snappy])
    func recordsProducedBySwiftReadIdenticallyInLibrdkafka(codec: CompressionCodec) async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("swift-to-rd")
        try await KafkaTestContext.createTopic(topic, partitions: 3, bootstrap: bootstrap)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap], compression: codec), logger: logger)
        var expected: Set<Seen> = []
        for i in 0..<300 {
            let key: [UInt8]? = i % 10 == 0 ? nil : Array("key-\(i)".utf8)
            let value = Array("value-\(i)-".utf8) + (0..<UInt8(i % 50)).map { $0 }
            let headers = [KafkaHeader(key: "h-index", value: Array("\(i)".utf8)), KafkaHeader(key: "h-null", value: nil)]
            let ts = Int64(1_700_000_000_000 + i)
            let meta = try await producer.send(topic: topic, key: key, value: value, headers: headers, timestamp: ts)
            expected.insert(Seen(partition: meta.partition, offset: meta.offset, key: Self.hex(key), value: Self.hex(value),
                                 headers: headers.map { [$0.key, Self.hex($0.value)] }, timestamp: ts))
        }
        await producer.close()
        let output = try ProcessRunner.oracle("kafka/librdkafka.py", ["consume", bootstrap, topic, "300"]).stdout
        #expect(Set(try Self.parse(output)) == expected)
    }

    @Test(arguments: ["none", "gzip", "snappy", "lz4"])
    func recordsProducedByLibrdkafkaReadIdenticallyInSwift(codec: String) async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("rd-to-swift-\(codec)")
        try await KafkaTestContext.createTopic(topic, partitions: 2, bootstrap: bootstrap)
        let output = try ProcessRunner.oracle("kafka/librdkafka.py", ["produce", bootstrap, topic, codec, "500"]).stdout
        let expected = Set(try Self.parse(output))
        #expect(expected.count == 500)
        let consumer = try KafkaConsumer(
            configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
            partitions: [0, 1].map { TopicPartition(topic: topic, partition: $0) }, logger: logger)
        var got: Set<Seen> = []
        for try await r in consumer.records {
            got.insert(seen(r))
            if got.count == expected.count { break }
        }
        await consumer.close()
        #expect(got == expected)
    }

    @Test func zstdBatchesFromLibrdkafkaAreRefusedNamingTheCodec() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("rd-zstd")
        try await KafkaTestContext.createTopic(topic, partitions: 1, bootstrap: bootstrap)
        _ = try ProcessRunner.oracle("kafka/librdkafka.py", ["produce", bootstrap, topic, "zstd", "20"])
        let consumer = try KafkaConsumer(
            configuration: KafkaTestContext.consumerConfiguration(bootstrap, group: KafkaTestContext.unique("g")),
            partitions: [TopicPartition(topic: topic, partition: 0)], logger: logger)
        await #expect {
            _ = try await consumer.nextBatch()
        } throws: { error in
            guard let e = error as? KafkaError else { return false }
            return e.code == .unsupportedCodec && e.message.contains("zstd")
        }
        await consumer.close()
    }

    @Test func theSameKeyLandsOnTheSamePartitionFromBothClients() async throws {
        let bootstrap = try KafkaTestContext.sharedBootstrap()
        let topic = KafkaTestContext.unique("keys")
        try await KafkaTestContext.createTopic(topic, partitions: 7, bootstrap: bootstrap)
        let keys = (0..<200).map { "symbol-\($0)" } + ["BTC-USD", "ETH-USD", "🚀"]
        let output = try ProcessRunner.oracle("kafka/librdkafka.py", ["partitions", bootstrap, topic] + keys).stdout
        let theirs = try JSONDecoder().decode([String: Int32].self, from: Data(output.utf8))
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        var ours: [String: Int32] = [:]
        for k in keys {
            ours[k] = try await producer.send(topic: topic, key: Array(k.utf8), value: Array("x".utf8)).partition
        }
        await producer.close()
        #expect(ours == theirs)
        #expect(Set(ours.values).count > 1)
    }
}
