import Foundation
import ObjectStore
import TestSupport
@testable import Lakehouse

/// A fresh bucket on the test S3 server (moto) holding an empty tick table at `<bucket>/ticks`.
struct S3TickTableFixture {
    let url: String
    let store: any ObjectStore
    let table: TickTable

    static func make(bucketPrefix: String) async throws -> S3TickTableFixture {
        let environment = S3TestCredentials.environment(endpoint: try TestEnvironment.s3Endpoint())
        let bucket = "\(bucketPrefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try await S3ObjectStore(configuration: try S3Configuration(bucket: bucket, environment: environment)).createBucket()
        let url = "s3://\(bucket)/ticks"
        let store = try makeObjectStore(url: url, environment: environment)
        return S3TickTableFixture(url: url, store: store, table: try await TickTable.open(store: store))
    }
}
