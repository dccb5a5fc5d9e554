import AsyncHTTPClient
import Logging

/// An object store in an S3 bucket (AWS S3, MinIO, or any server speaking the S3 REST API),
/// over AsyncHTTPClient with SigV4-signed requests.
///
/// `putIfAbsent` is a conditional PUT with `If-None-Match: *` (S3 answers 412 when the key
/// exists), which is what makes concurrent Delta commits safe without a lock service. Large
/// `put`s become multipart uploads, aborted when any step fails. Throttling, 5xx answers and
/// connection errors are retried per `configuration.retry`. Errors carry S3's code and
/// message, never credentials.
public struct S3ObjectStore: ObjectStore {
    public let configuration: S3Configuration
    let transport: S3HTTPTransport
    /// The part size actually used; tests lower it below S3's minimum to reach the abort path.
    var partSize: Int

    /// A store for `configuration.bucket`, sending through `httpClient` (shut down by its owner).
    public init(configuration: S3Configuration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "cryptoviz.objectstore")) {
        self.configuration = configuration
        self.transport = S3HTTPTransport(configuration: configuration, httpClient: httpClient, logger: logger)
        self.partSize = configuration.multipartPartSize
    }

    public func get(_ key: ObjectKey, range: Range<Int>?) async throws -> [UInt8] {
        try key.validate()
        var headers: [(name: String, value: String)] = []
        var lower = 0
        if let range {
            lower = max(0, range.lowerBound)
            guard range.upperBound > lower else {
                // S3 has no syntax for an empty range; the answer only depends on existence.
                guard try await head(key) != nil else { throw ObjectStoreError(.notFound, key: key, "no such object") }
                return []
            }
            headers.append(("range", "bytes=\(lower)-\(range.upperBound - 1)"))
        }
        let response = try await transport.send(.GET, key: key, headers: headers, bodyLimit: .contentLength, operation: "GetObject")
        switch response.status {
        case 206:
            return response.body
        case 200:
            // A server that ignores Range sends everything; cut the window out ourselves.
            guard let range else { return response.body }
            let upper = min(range.upperBound, response.body.count)
            return lower < upper ? Array(response.body[lower..<upper]) : []
        case 416:
            return []  // the object exists but the range starts at or past its end
        default:
            throw S3ErrorResponse(response).storeError("GetObject", key: key)
        }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectMetadata? {
        try key.validate()
        let response = try await transport.send(.HEAD, key: key, operation: "HeadObject")
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("HeadObject", key: key) }
        guard let size = response.header("content-length").flatMap({ Int($0) }) else {
            throw ObjectStoreError(.malformedResponse, key: key, "S3 HeadObject answered without a valid Content-Length")
        }
        let modified = response.header("last-modified").flatMap { UTCTimestamp(httpDate: $0) }?.unixMillis ?? 0
        return ObjectMetadata(key: key, size: size, lastModifiedMillis: modified, eTag: response.header("etag"))
    }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws {
        try key.validate()
        if bytes.count > configuration.multipartThreshold {
            try await putMultipart(key, bytes)
            return
        }
        let response = try await transport.send(.PUT, key: key, body: bytes, operation: "PutObject")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("PutObject", key: key) }
    }

    public func putIfAbsent(_ key: ObjectKey, _ bytes: [UInt8]) async throws -> Bool {
        try key.validate()
        let response = try await transport.send(
            .PUT, key: key, headers: [("if-none-match", "*")], body: bytes, operation: "PutObject If-None-Match")
        if response.isSuccess { return true }
        let failure = S3ErrorResponse(response)
        if response.status == 412 || failure.code == "PreconditionFailed" { return false }
        throw failure.storeError("PutObject If-None-Match", key: key)
    }

    public func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        var query: [(name: String, value: String)] = [
            ("list-type", "2"), ("prefix", prefix), ("max-keys", String(min(max(maxKeys, 1), 1000))),
        ]
        if let delimiter, !delimiter.isEmpty { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await transport.send(.GET, key: nil, query: query, operation: "ListObjectsV2")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("ListObjectsV2", key: nil) }
        return try Self.parseListing(response.body)
    }

    public func delete(_ keys: [ObjectKey]) async throws {
        for key in keys { try key.validate() }
        // DeleteObjects takes at most 1000 keys per request.
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            start += batch.count
            try await deleteBatch(Array(batch))
        }
    }
}
