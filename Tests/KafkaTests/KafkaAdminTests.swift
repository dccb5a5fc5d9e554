import Kafka
import Testing
import TestSupport

@Suite struct KafkaAdminTests {
    @Test func createTopicsIsIdempotentAndListTopicsShowsPartitions() async throws {
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [try KafkaTestContext.sharedBootstrap()]),
                                   logger: KafkaTestContext.logger)
        let name = KafkaTestContext.unique("admin")
        let topic = NewTopic(name: name, partitions: 3, configs: ["retention.ms": "3600000"])
        try await admin.createTopics([topic])
        try await admin.createTopics([topic])
        let topics = try await admin.listTopics()
        await admin.close()
        #expect(topics[name] == [0, 1, 2])
    }

    @Test func unknownGroupHasNoOffsets() async throws {
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [try KafkaTestContext.sharedBootstrap()]),
                                   logger: KafkaTestContext.logger)
        let offsets = try await admin.groupOffsets(KafkaTestContext.unique("nobody"))
        await admin.close()
        #expect(offsets.isEmpty)
    }
}
