/// A Kafka operation failed: `code` says what kind of failure, `message` which request, broker and input.
///
/// Broker error codes (Kafka protocol guide, "Error Codes") are kept in `brokerCode` so callers can
/// decide on retries without parsing text.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// A free-form failure (kept for callers that only need a message).
        case other
        /// The TCP connection could not be made or was lost.
        case connection
        /// A request got no response within its timeout.
        case timeout
        /// The broker answered with bytes that do not follow the protocol.
        case malformedResponse
        /// The broker does not support a protocol version this client needs.
        case unsupportedVersion
        /// A record batch uses a compression codec this client cannot decode.
        case unsupportedCodec
        /// The broker answered with a non-zero error code (see `brokerCode`).
        case broker
        /// The client, producer or consumer was closed.
        case closed
        /// The configuration or an argument is invalid.
        case invalidArgument
        /// Records could not be delivered before the delivery timeout.
        case deliveryFailed
    }

    public var code: Code
    public var message: String
    /// The Kafka error code when `code == .broker`.
    public var brokerCode: BrokerErrorCode?

    public init(_ message: String) {
        self.code = .other
        self.message = message
        self.brokerCode = nil
    }

    public init(_ code: Code, _ message: String, brokerCode: BrokerErrorCode? = nil) {
        self.code = code
        self.message = message
        self.brokerCode = brokerCode
    }

    public var description: String { "kafka: \(message)" }

    static func malformed(_ what: String) -> KafkaError { KafkaError(.malformedResponse, "malformed response: \(what)") }

    static func broker(_ code: BrokerErrorCode, _ context: String) -> KafkaError {
        KafkaError(.broker, "\(context): broker error \(code)", brokerCode: code)
    }

    /// Whether retrying the same operation later may succeed (leader moves, timeouts, lost connections).
    public var isRetriable: Bool {
        switch code {
        case .connection, .timeout: return true
        case .broker: return brokerCode?.isRetriable ?? false
        default: return false
        }
    }
}
