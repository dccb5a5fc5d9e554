import ObjectStore
import TestSupport
import Testing

@Suite struct ObjectStoreLocationTests {
    @Test func parsesLocalAndS3Locations() throws {
        #expect(try ObjectStoreLocation(parsing: "file:///var/lake") == .local(path: "/var/lake"))
        #expect(try ObjectStoreLocation(parsing: "file://localhost/var/lake") == .local(path: "/var/lake"))
        #expect(try ObjectStoreLocation(parsing: "file:///var/my%20lake") == .local(path: "/var/my lake"))
        #expect(try ObjectStoreLocation(parsing: "./data/lake") == .local(path: "./data/lake"))
        #expect(try ObjectStoreLocation(parsing: "/abs") == .local(path: "/abs"))
        #expect(try ObjectStoreLocation(parsing: "s3://bucket-1") == .s3(bucket: "bucket-1", prefix: ""))
        #expect(try ObjectStoreLocation(parsing: "s3://bucket-1/") == .s3(bucket: "bucket-1", prefix: ""))
        #expect(try ObjectStoreLocation(parsing: "s3://bucket-1/lake/trades/") == .s3(bucket: "bucket-1", prefix: "lake/trades/"))
        #expect(try ObjectStoreLocation(parsing: "s3://bucket-1/lake") == .s3(bucket: "bucket-1", prefix: "lake/"))
    }

    @Test(arguments: ["", "gs://bucket/x", "s3://", "s3://Upper_Case/x", "s3://b", "s3://bucket/a/../b", "s3://bucket/a//b",
                      "file://otherhost/x", "file:///bad%zz"])
    func rejectsUnusableLocations(_ text: String) {
        let error = #expect(throws: ObjectStoreError.self) { try ObjectStoreLocation(parsing: text) }
        #expect(error?.code == .configuration)
    }

    @Test func plainPathAndFileURLMakeALocalStore() async throws {
        let directory = try TestEnvironment.temporaryDirectory("location")
        let store = try makeObjectStore(url: "file://" + directory.path, environment: [:])
        #expect(try await store.putIfAbsent("x/y", [1, 2]))
        let again = try makeObjectStore(url: directory.path, environment: [:])
        #expect(try await again.get("x/y") == [1, 2])
    }

    @Test func s3LocationWithoutCredentialsIsAConfigurationError() {
        let error = #expect(throws: ObjectStoreError.self) {
            try makeObjectStore(url: "s3://bucket-1/p", environment: ["AWS_REGION": "eu-west-1"])
        }
        #expect(error?.code == .configuration)
    }

    @Test func s3LocationKeysAreRelativeToThePrefix() async throws {
        let endpoint = try TestEnvironment.s3Endpoint()
        let bucket = S3TestBucket.uniqueName()
        let environment = [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        ]
        let raw = S3ObjectStore(configuration: try S3Configuration(bucket: bucket, environment: environment))
        try await raw.createBucket()
        let store = try makeObjectStore(url: "s3://\(bucket)/lake/trades", environment: environment)
        try await store.put("_delta_log/0.json", Array("{}".utf8))
        try await store.put("date=1/a.parquet", [1])
        #expect(try await raw.listAll(prefix: "").map(\.key) == ["lake/trades/_delta_log/0.json", "lake/trades/date=1/a.parquet"])
        let page = try await store.list(prefix: "", delimiter: "/", continuationToken: nil, maxKeys: 10)
        #expect(page.commonPrefixes == ["_delta_log/", "date=1/"])
        #expect(try await store.head("date=1/a.parquet")?.key == "date=1/a.parquet")
        #expect(try await store.get("_delta_log/0.json") == Array("{}".utf8))
        try await store.delete(["_delta_log/0.json", "date=1/a.parquet"])
        #expect(try await raw.listAll(prefix: "").isEmpty)
    }
}
