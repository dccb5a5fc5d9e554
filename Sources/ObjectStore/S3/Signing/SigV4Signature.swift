/// The intermediate and final products of signing one request, kept so that tests can compare
/// each step with a reference signer.
public struct SigV4Signature: Sendable, Equatable {
    public var canonicalRequest: String
    public var stringToSign: String
    /// Hex HMAC-SHA256 of `stringToSign` under the derived signing key.
    public var signature: String
    /// `host;range;x-amz-content-sha256;x-amz-date` — lower-case, sorted, `;`-joined.
    public var signedHeaders: String
    /// The full `Authorization` header value.
    public var authorization: String
}
