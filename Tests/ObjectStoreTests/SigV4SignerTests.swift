import Foundation
import TestSupport
import Testing

@testable import ObjectStore

@Suite struct SigV4SignerTests {
    struct Case {
        var method: S3HTTPTransport.Method
        var key: ObjectKey?
        var query: [(name: String, value: String)]
        var headers: [(name: String, value: String)]
        var body: [UInt8]
    }

    struct Reference: Decodable {
        var canonical_request: String
        var string_to_sign: String
        var signature: String
    }

    /// Signs each case with the store's own request builder and with botocore, on identical inputs.
    private func compare(_ configuration: S3Configuration, _ cases: [Case]) throws {
        let time = UTCTimestamp(year: 2026, month: 11, day: 26, hour: 1, minute: 2, second: 3)
        let transport = S3HTTPTransport(configuration: configuration)
        var requests: [[String: Any]] = []
        var ours: [SigV4Signature] = []
        for item in cases {
            let payload = S3HTTPTransport.payloadHash(item.body)
            let signed = transport.signedRequest(
                item.method, key: item.key, query: item.query, headers: item.headers, payloadSHA256: payload,
                unixMillis: time.unixMillis)
            ours.append(signed.signature)
            let scheme = configuration.endpoint.useTLS ? "https" : "http"
            let (host, _) = transport.location(of: item.key)
            let rawPath: String
            switch configuration.addressingStyle {
            case .path: rawPath = "/\(configuration.bucket)" + (item.key.map { "/\($0.rawValue)" } ?? "")
            case .virtualHosted: rawPath = "/" + (item.key?.rawValue ?? "")
            }
            #expect(signed.url.hasPrefix("\(scheme)://\(host)/"))
            requests.append([
                "method": item.method.rawValue,
                "endpoint": "\(scheme)://\(host)",
                "path": rawPath,
                "params": item.query.map { [$0.name, $0.value] },
                "headers": Dictionary(item.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                "body_hex": item.body.map { String(format: "%02x", $0) }.joined(),
            ])
        }
        let input: [String: Any] = [
            "access_key": configuration.credentials.accessKeyID,
            "secret_key": configuration.credentials.secretAccessKey,
            "token": configuration.credentials.sessionToken as Any,
            "region": configuration.region,
            "timestamp": "20261126T010203Z",
            "requests": requests,
        ]
        let output = try ProcessRunner.oracle(
            "objectstore/sigv4.py", [], stdin: try JSONSerialization.data(withJSONObject: input))
        let references = try JSONDecoder().decode([Reference].self, from: Data(output.stdout.utf8))
        try #require(references.count == cases.count)
        for (mine, reference) in zip(ours, references) {
            #expect(mine.canonicalRequest == reference.canonical_request)
            #expect(mine.stringToSign == reference.string_to_sign)
            #expect(mine.signature == reference.signature)
        }
    }

    @Test func pathStyleRequestsMatchBotocore() throws {
        let configuration = S3Configuration(
            bucket: "lake-bucket", credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", endpoint: try S3Endpoint(parsing: "http://127.0.0.1:9000"))
        try compare(configuration, [
            Case(method: .GET, key: "dir/a b+c=ü~!'()*;.json", query: [], headers: [("range", "bytes=10-19")], body: []),
            Case(
                method: .GET, key: nil,
                query: [
                    ("list-type", "2"), ("prefix", "dir/with space&amp=+ü/"), ("delimiter", "/"),
                    ("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="), ("max-keys", "7"),
                ],
                headers: [], body: []),
            Case(method: .PUT, key: "_delta_log/00000000000000000001.json", query: [],
                 headers: [("if-none-match", "*")], body: Array("{\"commitInfo\":{}}\n".utf8)),
            Case(method: .POST, key: nil, query: [("delete", "")],
                 headers: [("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("content-type", "application/xml")],
                 body: Array("<Delete><Object><Key>a&amp;b</Key></Object></Delete>".utf8)),
            Case(method: .PUT, key: "big/object.parquet", query: [("partNumber", "3"), ("uploadId", "abc+def/ghi==")],
                 headers: [], body: [UInt8](repeating: 7, count: 70_000)),
            Case(method: .HEAD, key: "x", query: [], headers: [("x-amz-meta-note", "  spaced    value  ")], body: []),
        ])
    }

    @Test func virtualHostedRequestsWithSessionTokenMatchBotocore() throws {
        let configuration = S3Configuration(
            bucket: "my-bucket",
            credentials: S3Credentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret/with+chars", sessionToken: "FwoGZXIvYXdzEJr//////////wEaDM+token="),
            region: "eu-west-1")
        #expect(configuration.addressingStyle == .virtualHosted)
        try compare(configuration, [
            Case(method: .GET, key: "a/b.json", query: [], headers: [("range", "bytes=0-99")], body: []),
            Case(method: .GET, key: nil, query: [("list-type", "2"), ("prefix", "p q"), ("max-keys", "1000")], headers: [], body: []),
            Case(method: .PUT, key: "k", query: [], headers: [], body: Array("hello".utf8)),
            Case(method: .POST, key: "multi", query: [("uploads", "")], headers: [], body: []),
        ])
    }

    @Test func knownVectorFromTheS3Documentation() {
        // Amazon S3 API Reference, "Signature Calculations for the Authorization Header",
        // example "GET Object" (range request, empty payload).
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1")
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let signature = signer.sign(
            SigV4Request(
                method: "GET", encodedPath: "/test.txt",
                headers: [
                    ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"), ("x-amz-content-sha256", empty),
                    ("x-amz-date", "20130524T000000Z"),
                ], payloadSHA256: empty),
            unixMillis: UTCTimestamp(year: 2013, month: 5, day: 24, hour: 0, minute: 0, second: 0).unixMillis)
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signature.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
    }

    @Test func uriEncodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4Signer.uriEncode("a b/c~d_e-f.g", encodeSlash: false) == "a%20b/c~d_e-f.g")
        #expect(SigV4Signer.uriEncode("a b/c", encodeSlash: true) == "a%20b%2Fc")
        #expect(SigV4Signer.uriEncode("ü+=*", encodeSlash: true) == "%C3%BC%2B%3D%2A")
    }

    @Test func credentialsNeverDescribeTheirSecrets() {
        let credentials = S3Credentials(accessKeyID: "AKID", secretAccessKey: "top-secret-value", sessionToken: "token-value")
        for text in [credentials.description, credentials.debugDescription, "\(credentials)",
                     S3Configuration(bucket: "b-1", credentials: credentials).description] {
            #expect(!text.contains("top-secret-value"))
            #expect(!text.contains("token-value"))
        }
    }
}

