import ObjectStore
import Testing

@Suite struct S3ConfigurationTests {
    @Test func readsTheStandardAWSVariables() throws {
        let configuration = try S3Configuration(
            bucket: "lake",
            environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN",
                "AWS_DEFAULT_REGION": "eu-central-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
            ])
        #expect(configuration.credentials == S3Credentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN"))
        #expect(configuration.region == "eu-central-1")
        #expect(configuration.endpoint == S3Endpoint(useTLS: false, host: "127.0.0.1", port: 9000))
        #expect(configuration.addressingStyle == .path)
        #expect(configuration.multipartThreshold == 16 * 1024 * 1024)
    }

    @Test func specificVariablesWinOverGeneralOnesAndSettingsOverBoth() throws {
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_REGION": "us-west-2",
            "AWS_DEFAULT_REGION": "eu-central-1", "AWS_ENDPOINT_URL": "http://general:1", "AWS_ENDPOINT_URL_S3": "https://minio.internal:9000",
        ]
        let fromEnvironment = try S3Configuration(bucket: "lake", environment: environment)
        #expect(fromEnvironment.region == "us-west-2")
        #expect(fromEnvironment.endpoint == S3Endpoint(useTLS: true, host: "minio.internal", port: 9000))
        #expect(fromEnvironment.credentials.sessionToken == nil)

        let overridden = try S3Configuration(
            bucket: "lake",
            settings: S3Settings(accessKeyID: "OTHER", secretAccessKey: "S2", region: "ap-south-1", addressingStyle: .virtualHosted),
            environment: environment)
        #expect(overridden.credentials.accessKeyID == "OTHER")
        #expect(overridden.region == "ap-south-1")
        #expect(overridden.addressingStyle == .virtualHosted)
        #expect(overridden.endpoint.host == "minio.internal")
    }

    @Test func awsIsTheDefaultEndpointWithVirtualHostedAddressing() throws {
        let configuration = try S3Configuration(
            bucket: "lake", environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"])
        #expect(configuration.region == "us-east-1")
        #expect(configuration.endpoint == S3Endpoint(useTLS: true, host: "s3.us-east-1.amazonaws.com"))
        #expect(configuration.addressingStyle == .virtualHosted)
        let dotted = try S3Configuration(bucket: "my.lake", environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"])
        #expect(dotted.addressingStyle == .path)
    }

    @Test func partSizeIsRaisedToTheS3Minimum() {
        let configuration = S3Configuration(
            bucket: "lake", credentials: S3Credentials(accessKeyID: "A", secretAccessKey: "S"), multipartPartSize: 1024)
        #expect(configuration.multipartPartSize == 5 * 1024 * 1024)
    }

    @Test(arguments: ["ftp://x", "http://", "http://host:0", "http://host:99999", "http://host/path", "http://user@host"])
    func rejectsBadEndpoints(_ endpoint: String) {
        let error = #expect(throws: ObjectStoreError.self) {
            try S3Configuration(
                bucket: "lake", environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_ENDPOINT_URL": endpoint])
        }
        #expect(error?.code == .configuration)
    }

    @Test func missingCredentialsNameTheVariables() {
        let error = #expect(throws: ObjectStoreError.self) {
            try S3Configuration(bucket: "lake", environment: ["AWS_ACCESS_KEY_ID": "A"])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
    }
}
