/// Connection settings shared by producer, consumer and admin.
public struct KafkaClientConfiguration: Sendable {
    /// `host:port` of brokers to ask for cluster metadata first.
    public var bootstrapServers: [String]
    /// Sent in every request header; brokers log it.
    public var clientID: String = "cryptoviz"
    /// Deadline of each request (blocking requests such as JoinGroup and Fetch add their own wait).
    public var requestTimeout: Duration = .seconds(30)
    /// How long to keep retrying to connect to one broker (with backoff) before failing a request.
    public var connectTimeout: Duration = .seconds(10)
    /// First wait between connection attempts; doubles up to `reconnectBackoffMax`.
    public var reconnectBackoff: Duration = .milliseconds(50)
    public var reconnectBackoffMax: Duration = .seconds(1)
    /// Largest response frame accepted; bigger frames close the connection.
    public var maximumResponseSize: Int = 256 << 20

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }
}
