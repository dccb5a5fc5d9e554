/// Everything an `S3ObjectStore` needs: bucket, credentials, region, endpoint, addressing,
/// multipart and retry tuning. Build it directly, or from settings and the AWS environment.
public struct S3Configuration: Sendable, CustomStringConvertible {
    public var bucket: String
    public var credentials: S3Credentials
    /// Signing region; AWS's default is `us-east-1`.
    public var region: String
    public var endpoint: S3Endpoint
    public var addressingStyle: S3AddressingStyle
    /// `put` of more bytes than this uses a multipart upload (default 16 MiB).
    public var multipartThreshold: Int
    /// Size of each multipart part but the last (default 8 MiB; raised to S3's 5 MiB minimum).
    public var multipartPartSize: Int
    /// Parts uploaded at once (default 4).
    public var multipartConcurrency: Int
    public var retry: S3RetryPolicy
    /// Per-attempt timeout of one HTTP request, in seconds (default 60).
    public var requestTimeoutSeconds: Int64
    /// Responses larger than this are refused with `.malformedResponse` (listings, errors;
    /// object bodies are bounded by their `Content-Length`). Default 64 MiB.
    public var maximumMetadataResponseBytes: Int

    /// S3's smallest allowed part, all but the last (Amazon S3 multipart upload limits).
    public static let minimumPartSize = 5 * 1024 * 1024

    public init(
        bucket: String, credentials: S3Credentials, region: String = "us-east-1", endpoint: S3Endpoint? = nil,
        addressingStyle: S3AddressingStyle? = nil, multipartThreshold: Int = 16 * 1024 * 1024,
        multipartPartSize: Int = 8 * 1024 * 1024, multipartConcurrency: Int = 4, retry: S3RetryPolicy = S3RetryPolicy(),
        requestTimeoutSeconds: Int64 = 60, maximumMetadataResponseBytes: Int = 64 * 1024 * 1024
    ) {
        self.bucket = bucket
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint ?? .aws(region: region)
        // Custom servers rarely resolve bucket subdomains; AWS needs path style for dotted buckets under TLS.
        self.addressingStyle = addressingStyle ?? (endpoint != nil || bucket.contains(".") ? .path : .virtualHosted)
        self.multipartThreshold = max(1, multipartThreshold)
        self.multipartPartSize = max(Self.minimumPartSize, multipartPartSize)
        self.multipartConcurrency = max(1, multipartConcurrency)
        self.retry = retry
        self.requestTimeoutSeconds = max(1, requestTimeoutSeconds)
        self.maximumMetadataResponseBytes = max(64 * 1024, maximumMetadataResponseBytes)
    }

    /// Resolves each setting from `settings` first, then the standard AWS variables in
    /// `environment`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
    /// `AWS_REGION` / `AWS_DEFAULT_REGION` (else `us-east-1`), `AWS_ENDPOINT_URL_S3` /
    /// `AWS_ENDPOINT_URL` (else AWS). Missing credentials are a `.configuration` error.
    public init(bucket: String, settings: S3Settings = S3Settings(), environment: [String: String]) throws {
        func value(_ explicit: String?, _ names: String...) -> String? {
            if let explicit, !explicit.isEmpty { return explicit }
            for name in names {
                if let found = environment[name], !found.isEmpty { return found }
            }
            return nil
        }
        guard Self.isValidBucketName(bucket) else {
            throw ObjectStoreError(.configuration, "'\(bucket)' is not a valid S3 bucket name")
        }
        guard let accessKey = value(settings.accessKeyID, "AWS_ACCESS_KEY_ID"),
            let secret = value(settings.secretAccessKey, "AWS_SECRET_ACCESS_KEY")
        else {
            throw ObjectStoreError(
                .configuration, "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or pass them in S3Settings")
        }
        let region = value(settings.region, "AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1"
        let endpoint = try value(settings.endpoint, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL").map(S3Endpoint.init(parsing:))
        self.init(
            bucket: bucket,
            credentials: S3Credentials(
                accessKeyID: accessKey, secretAccessKey: secret, sessionToken: value(settings.sessionToken, "AWS_SESSION_TOKEN")),
            region: region, endpoint: endpoint, addressingStyle: settings.addressingStyle)
    }

    /// 3–63 characters of lower-case letters, digits, `.` and `-`, starting and ending with a
    /// letter or digit (Amazon S3 bucket naming rules, simplified).
    public static func isValidBucketName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard (3...63).contains(utf8.count) else { return false }
        func alnum(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard let first = utf8.first, let last = utf8.last, alnum(first), alnum(last) else { return false }
        return utf8.allSatisfy { alnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    public var description: String {
        "S3Configuration(bucket: \(bucket), region: \(region), endpoint: \(endpoint), addressing: \(addressingStyle.rawValue), \(credentials))"
    }
}
