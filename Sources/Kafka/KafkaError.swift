/// A Kafka operation failed; `message` says which request, broker and error.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "kafka: \(message)" }
}
