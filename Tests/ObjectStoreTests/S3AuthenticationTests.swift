import Foundation
import ObjectStore
import TestSupport
import Testing

/// Against a moto server started here with signature checking on: after three free requests
/// (spent creating an IAM user and key), every request must carry a valid SigV4 signature.
@Suite struct S3AuthenticationTests {
    struct Key: Decodable {
        var access_key: String
        var secret_key: String
    }

    @Test func rightSecretWorksAndWrongSecretIsAccessDenied() async throws {
        let port = try LoopbackPort.free()
        let server = ManagedProcess(
            executable: try TestEnvironment.motoServer(), arguments: ["-H", "127.0.0.1", "-p", String(port)],
            environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"], label: "moto-auth")
        try server.start()
        defer { server.stop() }
        try LoopbackPort.waitUntilOpen(port)
        let endpoint = "http://127.0.0.1:\(port)"
        let output = try ProcessRunner.oracle("objectstore/iam_setup.py", [endpoint])
        let key = try JSONDecoder().decode(Key.self, from: Data(output.stdout.utf8))

        func store(_ accessKey: String, _ secret: String, bucket: String = "auth-bucket") throws -> S3ObjectStore {
            S3ObjectStore(
                configuration: try S3Configuration(
                    bucket: bucket, settings: S3Settings(accessKeyID: accessKey, secretAccessKey: secret),
                    environment: ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"]))
        }

        let good = try store(key.access_key, key.secret_key)
        try await good.createBucket()
        let odd: ObjectKey = "dir/a b+c=é&(x).json"
        try await good.put(odd, Array("signed".utf8))
        #expect(try await good.get(odd) == Array("signed".utf8))
        #expect(try await good.get(odd, range: 1..<3) == Array("ig".utf8))
        #expect(try await good.putIfAbsent(odd, [0]) == false)
        let listing = try await good.list(prefix: "dir/a b", delimiter: "/", continuationToken: nil, maxKeys: 1)
        #expect(listing.objects.map(\.key) == [odd])
        try await good.delete([odd, "dir/other&<key>"])
        #expect(try await good.head(odd) == nil)

        let wrongSecret = "WRONG-\(key.secret_key)"
        let bad = try store(key.access_key, wrongSecret)
        let error = await #expect(throws: ObjectStoreError.self) { try await bad.get("anything") }
        #expect(error?.code == .accessDenied)
        #expect(error?.message.contains("SignatureDoesNotMatch") == true)
        #expect(error?.description.contains(wrongSecret) == false)
        let putError = await #expect(throws: ObjectStoreError.self) { try await bad.put("k", [1]) }
        #expect(putError?.code == .accessDenied)
        let headError = await #expect(throws: ObjectStoreError.self) { try await bad.head("k") }
        #expect(headError?.code == .accessDenied)

        let unknown = try store("AKIAUNKNOWNKEY000000", key.secret_key)
        let unknownError = await #expect(throws: ObjectStoreError.self) {
            try await unknown.list(prefix: "", delimiter: nil, continuationToken: nil, maxKeys: 1)
        }
        #expect(unknownError?.code == .accessDenied)
        #expect(unknownError?.message.contains("InvalidAccessKeyId") == true)
    }
}
