import TestSupport
import Testing

@testable import ObjectStore

/// Against the shared moto S3 server (`CRYPTOVIZ_S3_ENDPOINT`), one bucket per test.
@Suite struct S3ObjectStoreTests {
    @Test func putGetAndHeadRoundTripKeysWithSpecialCharacters() async throws {
        let store = try await S3TestBucket.store()
        let keys: [ObjectKey] = ["plain.json", "dir/a b+c=é~!'()*;&$@,.json", "date=2026-11-26/part-0.parquet", "x/%41"]
        for (index, key) in keys.enumerated() {
            let bytes = Array("payload \(index) of \(key)".utf8)
            try await store.put(key, bytes)
            #expect(try await store.get(key) == bytes)
            let head = try #require(try await store.head(key))
            #expect(head.size == bytes.count)
            #expect(head.key == key)
            #expect(head.eTag != nil)
            #expect(head.lastModifiedMillis > 1_600_000_000_000)
        }
        try await store.put("plain.json", [])
        #expect(try await store.get("plain.json") == [])
        #expect(try await store.listAll(prefix: "").map(\.key).sorted() == keys.sorted())
    }

    @Test func missingObjectsAreNotFoundOrNil() async throws {
        let store = try await S3TestBucket.store()
        let error = await #expect(throws: ObjectStoreError.self) { try await store.get("absent") }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("NoSuchKey") == true)
        #expect(try await store.head("absent") == nil)
        let ranged = await #expect(throws: ObjectStoreError.self) { try await store.get("absent", range: 3..<3) }
        #expect(ranged?.code == .notFound)
    }

    @Test func rangeReadsAreHalfOpenAndClamped() async throws {
        let store = try await S3TestBucket.store()
        let bytes = (0..<100).map(UInt8.init)
        try await store.put("r", bytes)
        #expect(try await store.get("r", range: 10..<20) == Array(bytes[10..<20]))
        #expect(try await store.get("r", range: 0..<1) == [0])
        #expect(try await store.get("r", range: 90..<500) == Array(bytes[90...]))
        #expect(try await store.get("r", range: 100..<200) == [])
        #expect(try await store.get("r", range: 5..<5) == [])
    }

    @Test func putIfAbsentLosesWith412AndLeavesTheWinner() async throws {
        let store = try await S3TestBucket.store()
        #expect(try await store.putIfAbsent("_delta_log/00.json", Array("first".utf8)))
        #expect(try await store.putIfAbsent("_delta_log/00.json", Array("second".utf8)) == false)
        #expect(try await store.get("_delta_log/00.json") == Array("first".utf8))
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for writer in 0..<8 {
                group.addTask { try await store.putIfAbsent("_delta_log/01.json", Array("writer \(writer)".utf8)) }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
    }

    @Test func listFoldsCommonPrefixesAndPagesWithSmallMaxKeys() async throws {
        let store = try await S3TestBucket.store()
        let keys = ["t/_delta_log/0.json", "t/_delta_log/1.json", "t/date=1/a.parquet", "t/date=1/b.parquet",
                    "t/date=2/c.parquet", "t/top", "t/top2", "u/x"]
        for key in keys { try await store.put(ObjectKey(key), [1]) }

        let folded = try await store.list(prefix: "t/", delimiter: "/", continuationToken: nil, maxKeys: 100)
        #expect(folded.objects.map(\.key) == ["t/top", "t/top2"])
        #expect(folded.commonPrefixes == ["t/_delta_log/", "t/date=1/", "t/date=2/"])
        #expect(folded.continuationToken == nil)

        var entries: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await store.list(prefix: "t/", delimiter: "/", continuationToken: token, maxKeys: 2)
            #expect(page.objects.count + page.commonPrefixes.count <= 2)
            entries += page.commonPrefixes + page.objects.map(\.key.rawValue)
            token = page.continuationToken
            pages += 1
        } while token != nil
        #expect(entries.sorted() == ["t/_delta_log/", "t/date=1/", "t/date=2/", "t/top", "t/top2"])
        #expect(pages == 3)

        var flat: [String] = []
        token = nil
        repeat {
            let page = try await store.list(prefix: "", delimiter: nil, continuationToken: token, maxKeys: 3)
            flat += page.objects.map(\.key.rawValue)
            token = page.continuationToken
        } while token != nil
        #expect(flat == keys)
    }

    @Test func moreThanAThousandKeysListAndDeleteInBatches() async throws {
        let store = try await S3TestBucket.store()
        let keys = (0..<1005).map { ObjectKey(String(format: "many/%05d", $0)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<12 {
                group.addTask {
                    for index in stride(from: worker, to: keys.count, by: 12) { try await store.put(keys[index], [UInt8(index % 256)]) }
                }
            }
            try await group.waitForAll()
        }
        let first = try await store.list(prefix: "many/", delimiter: nil, continuationToken: nil, maxKeys: 5000)
        #expect(first.objects.count == 1000)
        #expect(first.continuationToken != nil)
        #expect(try await store.listAll(prefix: "many/").map(\.key) == keys)
        try await store.delete(keys + ["many/never-existed"])
        #expect(try await store.listAll(prefix: "many/").isEmpty)
    }

    @Test func batchDeleteHandlesMissingAndXMLSpecialKeys() async throws {
        let store = try await S3TestBucket.store()
        let keys: [ObjectKey] = ["d/a&b", "d/<c>", "d/\"q\"'s", "d/plain"]
        for key in keys { try await store.put(key, [1]) }
        try await store.delete(["d/a&b", "d/<c>", "d/\"q\"'s", "d/missing"])
        #expect(try await store.listAll(prefix: "d/").map(\.key) == ["d/plain"])
        try await store.delete([])
    }

    @Test func largePutsUseMultipartUploads() async throws {
        let store = try await S3TestBucket.store(multipartThreshold: 6 * 1024 * 1024, multipartPartSize: 5 * 1024 * 1024)
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(12 * 1024 * 1024 + 123)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try await store.put("big/blob.bin", bytes)
        let head = try #require(try await store.head("big/blob.bin"))
        #expect(head.size == bytes.count)
        // Multipart ETags end in "-<part count>" (three parts here).
        #expect(head.eTag?.contains("-3") == true)
        #expect(try await store.get("big/blob.bin") == bytes)
        let boundary = 5 * 1024 * 1024
        #expect(try await store.get("big/blob.bin", range: (boundary - 10)..<(boundary + 10)) == Array(bytes[(boundary - 10)..<(boundary + 10)]))
        #expect(try await store.listMultipartUploads(prefix: "big/").isEmpty)
    }

    @Test func failedMultipartUploadIsAborted() async throws {
        var store = try await S3TestBucket.store(multipartThreshold: 1024 * 1024)
        // Parts under S3's 5 MiB minimum make CompleteMultipartUpload fail with EntityTooSmall.
        store.partSize = 1024 * 1024
        let bytes = [UInt8](repeating: 42, count: 3 * 1024 * 1024)
        let error = await #expect(throws: ObjectStoreError.self) { try await store.put("big/too-small.bin", bytes) }
        #expect(error?.message.contains("EntityTooSmall") == true)
        #expect(error?.key == "big/too-small.bin")
        #expect(try await store.listMultipartUploads(prefix: "big/").isEmpty)
        #expect(try await store.head("big/too-small.bin") == nil)
    }

    @Test func missingBucketIsAConfigurationErrorWithS3sCode() async throws {
        let configuration = S3Configuration(
            bucket: S3TestBucket.uniqueName(), credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing"),
            endpoint: try S3Endpoint(parsing: try TestEnvironment.s3Endpoint()))
        let store = S3ObjectStore(configuration: configuration)
        let error = await #expect(throws: ObjectStoreError.self) { try await store.get("k") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("NoSuchBucket") == true)
        let listing = await #expect(throws: ObjectStoreError.self) {
            try await store.list(prefix: "", delimiter: nil, continuationToken: nil, maxKeys: 10)
        }
        #expect(listing?.message.contains("NoSuchBucket") == true)
    }

    @Test func invalidKeysFailBeforeAnyRequest() async throws {
        let configuration = S3Configuration(
            bucket: "never-contacted", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
            endpoint: S3Endpoint(useTLS: false, host: "127.0.0.1", port: 9))
        let store = S3ObjectStore(configuration: configuration)
        for key: ObjectKey in ["", "/abs", "a//b", "a/../b"] {
            let error = await #expect(throws: ObjectStoreError.self) { try await store.put(key, [1]) }
            #expect(error?.code == .invalidKey)
        }
    }

    @Test func connectionFailuresAreRetriedThenReportedAsIO() async throws {
        let port = try LoopbackPort.free()
        let configuration = S3Configuration(
            bucket: "nobody-listens", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "secret-value"),
            endpoint: S3Endpoint(useTLS: false, host: "127.0.0.1", port: port),
            retry: S3RetryPolicy(maxAttempts: 3, baseDelayMillis: 10, maxDelayMillis: 20))
        let error = await #expect(throws: ObjectStoreError.self) { try await S3ObjectStore(configuration: configuration).head("k") }
        #expect(error?.code == .io)
        #expect(error?.message.contains("after 3 attempts") == true)
        #expect(error?.description.contains("secret-value") == false)
    }
}
