/// Explicit S3 connection settings; every field left nil falls back to the standard AWS
/// environment variables (see `S3Configuration.init(bucket:settings:environment:)`).
public struct S3Settings: Sendable, Equatable {
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    public var region: String?
    /// `http(s)://host[:port]` of an S3-compatible server (MinIO, moto); nil for AWS.
    public var endpoint: String?
    public var addressingStyle: S3AddressingStyle?

    public init(
        accessKeyID: String? = nil, secretAccessKey: String? = nil, sessionToken: String? = nil,
        region: String? = nil, endpoint: String? = nil, addressingStyle: S3AddressingStyle? = nil
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.endpoint = endpoint
        self.addressingStyle = addressingStyle
    }
}

extension S3Settings: CustomStringConvertible {
    public var description: String {
        "S3Settings(accessKeyID: \(accessKeyID ?? "nil"), secretAccessKey: \(secretAccessKey == nil ? "nil" : "<redacted>"), "
            + "sessionToken: \(sessionToken == nil ? "nil" : "<redacted>"), region: \(region ?? "nil"), "
            + "endpoint: \(endpoint ?? "nil"), addressingStyle: \(addressingStyle?.rawValue ?? "nil"))"
    }
}
