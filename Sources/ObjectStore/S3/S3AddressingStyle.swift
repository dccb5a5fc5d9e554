/// How the bucket appears in request URLs.
public enum S3AddressingStyle: String, Sendable, Equatable {
    /// `https://endpoint/bucket/key`: what MinIO and most S3-compatible servers expect.
    case path
    /// `https://bucket.endpoint/key`: AWS's preferred form.
    case virtualHosted
}
