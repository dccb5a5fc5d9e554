import ObjectStore
import TestSupport

/// A fresh bucket on the shared S3 test server (moto) for one test.
enum S3TestBucket {
    static func uniqueName() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "test-" + String((0..<16).map { _ in alphabet.randomElement()! })
    }

    /// A store on a new bucket of the shared server, with short retry delays.
    static func store(
        multipartThreshold: Int = 16 * 1024 * 1024, multipartPartSize: Int = 8 * 1024 * 1024
    ) async throws -> S3ObjectStore {
        let configuration = S3Configuration(
            bucket: uniqueName(), credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing"),
            region: "us-east-1", endpoint: try S3Endpoint(parsing: try TestEnvironment.s3Endpoint()),
            multipartThreshold: multipartThreshold, multipartPartSize: multipartPartSize,
            retry: S3RetryPolicy(maxAttempts: 3, baseDelayMillis: 20, maxDelayMillis: 200))
        let store = S3ObjectStore(configuration: configuration)
        try await store.createBucket()
        return store
    }
}
