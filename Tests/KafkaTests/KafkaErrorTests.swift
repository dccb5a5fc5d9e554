import Testing
@testable import Kafka

@Suite struct KafkaErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(KafkaError("broker closed"))" == "kafka: broker closed")
    }

    @Test func brokerErrorsNameTheCodeAndKnowIfRetriable() {
        let error = KafkaError.broker(.notLeaderOrFollower, "Produce to t[0]")
        #expect(error.description.contains("NOT_LEADER_OR_FOLLOWER (6)"))
        #expect(error.isRetriable)
        #expect(!KafkaError.broker(.topicAlreadyExists, "CreateTopics").isRetriable)
    }
}
