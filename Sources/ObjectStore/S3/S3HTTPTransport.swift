import AsyncHTTPClient
import Crypto
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends signed S3 requests with retries: builds the URL for the addressing style, signs
/// with SigV4 (payload hash included), retries throttling, 5xx and connection failures with
/// backoff, and returns the final response for the caller to interpret.
struct S3HTTPTransport: Sendable {
    let configuration: S3Configuration
    let httpClient: HTTPClient
    let logger: Logger
    let signer: SigV4Signer

    init(configuration: S3Configuration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "cryptoviz.objectstore")) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// The HTTP methods S3's REST API uses here.
    enum Method: String, Sendable {
        case GET, HEAD, PUT, POST, DELETE
    }

    /// How large a response body may be.
    enum BodyLimit: Sendable {
        /// Bounded by the response's `Content-Length` (object data).
        case contentLength
        /// Bounded by `maximumMetadataResponseBytes` (XML documents, errors).
        case metadata
    }

    /// The host header and the encoded path for `key` (nil: the bucket itself).
    func location(of key: ObjectKey?) -> (host: String, path: String) {
        let encodedKey = key.map { SigV4Signer.uriEncode($0.rawValue, encodeSlash: false) }
        switch configuration.addressingStyle {
        case .path:
            let path = "/\(SigV4Signer.uriEncode(configuration.bucket, encodeSlash: true))" + (encodedKey.map { "/\($0)" } ?? "")
            return (configuration.endpoint.authority(host: configuration.endpoint.host), path)
        case .virtualHosted:
            let host = "\(configuration.bucket).\(configuration.endpoint.host)"
            return (configuration.endpoint.authority(host: host), "/" + (encodedKey ?? ""))
        }
    }

    /// Sends the request until it succeeds, fails for good, or attempts run out. Non-2xx
    /// responses that are not retryable come back for the caller to map; connection errors
    /// after the last attempt throw `.io`, throttling after the last attempt `.throttled`.
    func send(
        _ method: Method, key: ObjectKey?, query: [(name: String, value: String)] = [],
        headers extraHeaders: [(name: String, value: String)] = [], body: [UInt8] = [],
        bodyLimit: BodyLimit = .metadata, operation: String
    ) async throws -> S3Response {
        let payloadHash = Self.payloadHash(body)
        let bodyBuffer = body.isEmpty ? nil : ByteBuffer(bytes: body)
        var attempt = 0
        while true {
            attempt += 1
            let signed = signedRequest(
                method, key: key, query: query, headers: extraHeaders, payloadSHA256: payloadHash, unixMillis: Self.nowMillis())
            var request = HTTPClientRequest(url: signed.url)
            request.method = .init(rawValue: method.rawValue)
            for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
            if let bodyBuffer {
                request.body = .bytes(bodyBuffer)
            } else if method == .PUT || method == .POST {
                request.headers.add(name: "content-length", value: "0")
            }

            let outcome: Result<S3Response, any Error>
            do {
                let response = try await httpClient.execute(
                    request, timeout: .seconds(configuration.requestTimeoutSeconds), logger: logger)
                var limit = configuration.maximumMetadataResponseBytes
                if case .contentLength = bodyLimit, (200..<300).contains(Int(response.status.code)) {
                    limit = response.headers.first(name: "content-length").flatMap { Int($0) } ?? limit
                }
                let buffer = try await response.body.collect(upTo: max(limit, 0))
                outcome = .success(
                    S3Response(
                        status: Int(response.status.code),
                        headers: response.headers.map { ($0.name, $0.value) },
                        body: Array(buffer.readableBytesView)))
            } catch {
                outcome = .failure(error)
            }
            try Task.checkCancellation()

            switch outcome {
            case .success(let response):
                if response.isSuccess { return response }
                let failure = S3ErrorResponse(response)
                guard failure.isRetryable else { return response }
                guard attempt < configuration.retry.maxAttempts else {
                    throw failure.storeError(operation, key: key, attempts: attempt)
                }
                logger.debug(
                    "retrying S3 request",
                    metadata: [
                        "operation": "\(operation)", "status": "\(response.status)", "s3_code": "\(failure.code ?? "-")",
                        "attempt": "\(attempt)",
                    ])
            case .failure(let error):
                if error is NIOTooManyBytesError {
                    throw ObjectStoreError(.malformedResponse, key: key, "S3 \(operation): the response body exceeds its size limit")
                }
                guard attempt < configuration.retry.maxAttempts else {
                    throw ObjectStoreError(
                        .io, key: key, "S3 \(operation) to \(configuration.endpoint) failed after \(attempt) attempts: \(error)")
                }
                logger.debug(
                    "retrying S3 request after a connection error",
                    metadata: ["operation": "\(operation)", "error": "\(error)", "attempt": "\(attempt)"])
            }
            try await Task.sleep(for: .milliseconds(configuration.retry.delayMillis(beforeRetry: attempt)))
        }
    }

    /// A request ready to send: its URL, and every header including `authorization`.
    struct SignedRequest: Sendable {
        var url: String
        var headers: [(name: String, value: String)]
        var signature: SigV4Signature
    }

    /// Builds and signs one attempt: `host`, `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (with a session token) and `extraHeaders` are all signed.
    func signedRequest(
        _ method: Method, key: ObjectKey?, query: [(name: String, value: String)],
        headers extraHeaders: [(name: String, value: String)], payloadSHA256: String, unixMillis: Int64
    ) -> SignedRequest {
        let (host, path) = location(of: key)
        let queryString = SigV4Signer.canonicalQuery(query)
        let scheme = configuration.endpoint.useTLS ? "https" : "http"
        var headers: [(name: String, value: String)] = [
            ("host", host),
            ("x-amz-date", SigV4Signer.amzDate(unixMillis)),
            ("x-amz-content-sha256", payloadSHA256),
        ]
        if let token = configuration.credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        headers += extraHeaders
        let signature = signer.sign(
            SigV4Request(method: method.rawValue, encodedPath: path, query: query, headers: headers, payloadSHA256: payloadSHA256),
            unixMillis: unixMillis)
        headers.append(("authorization", signature.authorization))
        return SignedRequest(
            url: "\(scheme)://\(host)\(path)" + (queryString.isEmpty ? "" : "?\(queryString)"), headers: headers,
            signature: signature)
    }

    /// Hex SHA-256 of a request body, the `x-amz-content-sha256` value.
    static func payloadHash(_ body: [UInt8]) -> String { SHA256.hash(data: body).lowercaseHex }

    /// Wall-clock time, for `x-amz-date`.
    static func nowMillis() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
