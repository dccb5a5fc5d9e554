/// The `<Error>` document of a failed S3 request (Amazon S3 API Reference, "Error responses"),
/// and its mapping onto `ObjectStoreError` codes.
struct S3ErrorResponse: Sendable, Equatable {
    var status: Int
    /// S3's error code (`NoSuchKey`, `SignatureDoesNotMatch`, …); nil when the body had none
    /// (HEAD responses, proxies).
    var code: String?
    var message: String?
    var requestID: String?

    init(status: Int, code: String?, message: String?, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// Reads the error from a response; a missing or unparsable body leaves code and message nil.
    init(_ response: S3Response) {
        let root = response.xml
        let error = root?.name == "Error" ? root : root?.child("Error")
        self.init(
            status: response.status, code: error?.text(of: "Code"), message: error?.text(of: "Message"),
            requestID: error?.text(of: "RequestId") ?? response.header("x-amz-request-id"))
    }

    /// Whether repeating the same request may succeed: throttling, server errors, S3's own
    /// transient codes, and conditional-write conflicts (S3 asks clients to retry those).
    var isRetryable: Bool {
        switch code {
        case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
            "RequestTimeout", "InternalError", "ServiceUnavailable", "ConditionalRequestConflict", "OperationAborted":
            return true
        default:
            return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        }
    }

    var errorCode: ObjectStoreError.Code {
        switch code {
        case "NoSuchKey", "NoSuchUpload": return .notFound
        case "NoSuchBucket", "InvalidBucketName", "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return .configuration
        case "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken", "InvalidToken",
            "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem", "InvalidSecurity", "RequestTimeTooSkewed":
            return .accessDenied
        case "PreconditionFailed": return .preconditionFailed
        case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests": return .throttled
        default:
            switch status {
            case 404: return .notFound
            case 401, 403: return .accessDenied
            case 412: return .preconditionFailed
            case 429, 503: return .throttled
            default: return .http
            }
        }
    }

    /// The store error for this response, naming the operation and S3's code and message.
    func storeError(_ operation: String, key: ObjectKey?, attempts: Int = 1) -> ObjectStoreError {
        var text = "S3 \(operation) failed with HTTP \(status)"
        if let code { text += " \(code)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        if let requestID { text += " (request id \(requestID))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return ObjectStoreError(errorCode, key: key, text)
    }
}
