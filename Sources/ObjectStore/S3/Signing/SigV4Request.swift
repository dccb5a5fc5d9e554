/// The parts of an HTTP request that AWS Signature Version 4 covers.
public struct SigV4Request: Sendable {
    public var method: String
    /// The URI-encoded absolute path exactly as sent, e.g. `/bucket/a%20b.json` (S3 does not
    /// normalize or double-encode it).
    public var encodedPath: String
    /// Query parameters, not yet encoded; an empty value is written `name=`.
    public var query: [(name: String, value: String)]
    /// The headers to sign, including `host`; names in any case.
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body, also sent as `x-amz-content-sha256`.
    public var payloadSHA256: String

    public init(
        method: String, encodedPath: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadSHA256: String
    ) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }
}
