import Testing
@testable import Kafka

@Suite struct KafkaErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(KafkaError("broker closed"))" == "kafka: broker closed")
    }
}
