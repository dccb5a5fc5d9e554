import AsyncHTTPClient
import CryptoVizCore
import Logging
import NIOCore

/// Sends one provider's HTTP requests through its rate limiter, with timeout, body limit,
/// classification and bounded retries.
///
/// One transport per provider, sharing the caller's `HTTPClient`. Credentials travel only in
/// the `headers` given per request and never enter logs, errors or metrics.
public struct ProviderTransport: Sendable {
    public let provider: ProviderID
    public let client: HTTPClient
    public let limiter: RateLimiter
    public let retry: RetryPolicy
    /// Deadline for one attempt, connection through last body byte.
    public let timeout: Duration
    /// A `429`/`418` without `Retry-After` pauses the limiter this long.
    public let defaultBackoff: Duration
    public let maxBodyBytes: Int
    public let health: ProviderHealthBoard
    public let logger: Logger

    public init(
        provider: ProviderID, client: HTTPClient, limiter: RateLimiter, retry: RetryPolicy = .init(),
        timeout: Duration = .seconds(10), defaultBackoff: Duration = .seconds(60),
        maxBodyBytes: Int = 32 << 20, health: ProviderHealthBoard, logger: Logger
    ) {
        self.provider = provider
        self.client = client
        self.limiter = limiter
        self.retry = retry
        self.timeout = timeout
        self.defaultBackoff = defaultBackoff
        self.maxBodyBytes = maxBodyBytes
        self.health = health
        self.logger = logger
    }

    /// GETs `url` and hands every reply (any status) to `interpret`, which returns the decoded
    /// value or throws a `CollectorError`; retryable errors are retried with backoff.
    public func get<T: Sendable>(
        _ url: String, headers: [(String, String)] = [], weight: Int = 1,
        interpret: @Sendable (HTTPReply) throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let waited = try await limiter.acquire(weight: weight)
            if waited > .milliseconds(5) {
                await health.recordRateLimitWait(provider, waited)
                CollectorMetrics.rateLimitWait(provider, waited)
            }
            let failure: CollectorError
            do {
                let reply = try await send(url, headers: headers)
                let value = try interpret(reply)
                CollectorMetrics.request(provider, outcome: "success")
                return value
            } catch let error as CollectorError {
                failure = error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = CollectorError(provider: provider, code: .malformedBody, "could not interpret response: \(type(of: error))")
            }
            CollectorMetrics.request(provider, outcome: failure.code.rawValue)
            if failure.code == .rateLimited || failure.code == .banned {
                // Honour the provider's wait for every later request too, not just this retry.
                await limiter.pause(for: failure.retryAfter ?? (failure.code == .banned ? max(defaultBackoff, .seconds(120)) : defaultBackoff))
            }
            guard failure.isRetryable, attempt < retry.maxAttempts else { throw failure }
            let providerWait = failure.code == .rateLimited ? (failure.retryAfter ?? defaultBackoff) : .zero
            guard providerWait <= retry.maxRetryAfter else { throw failure }
            let delay = max(providerWait, retry.backoff(afterAttempt: attempt))
            logger.debug("retrying request", metadata: [
                "provider": "\(provider)", "attempt": "\(attempt)", "error": "\(failure.code.rawValue)",
                "delay_ms": "\(delay.wholeMilliseconds)",
            ])
            try await Task.sleep(for: delay)
        }
    }

    /// One attempt under a hard deadline; AsyncHTTPClient's own timeout covers only the head.
    private func send(_ url: String, headers: [(String, String)]) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "cryptoviz/0.1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let client = self.client
        let prepared = request
        let limit = maxBodyBytes
        let provider = self.provider
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: HTTPReply?.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(prepared, timeout: .milliseconds(timeout.wholeMilliseconds))
                    var headers: [String: String] = [:]
                    for (name, value) in response.headers { headers[name.lowercased()] = value }
                    let buffer = try await response.body.collect(upTo: limit)
                    return HTTPReply(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
                } catch {
                    throw Self.classify(error, provider: provider, bodyLimit: limit)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let reply = first else {
                try Task.checkCancellation()
                throw CollectorError(provider: provider, code: .timeout, "no complete response within \(timeout)")
            }
            return reply
        }
    }

    private static func classify(_ error: any Error, provider: ProviderID, bodyLimit: Int) -> any Error {
        if error is CancellationError { return error }
        if error is NIOTooManyBytesError {
            return CollectorError(provider: provider, code: .malformedBody, "response body exceeds \(bodyLimit) bytes")
        }
        if let httpError = error as? HTTPClientError {
            switch httpError {
            case .readTimeout, .connectTimeout, .deadlineExceeded:
                return CollectorError(provider: provider, code: .timeout, "request timed out (\(httpError))")
            case .cancelled:
                return CancellationError()
            default:
                return CollectorError(provider: provider, code: .connection, "HTTP client error: \(httpError)")
            }
        }
        return CollectorError(provider: provider, code: .connection, "connection failed: \(type(of: error))")
    }
}
