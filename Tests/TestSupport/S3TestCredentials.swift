/// The credentials every test S3 server here accepts (moto and localbucket check none by
/// default), as the `AWS_*` variables CryptoViz and botocore read.
public enum S3TestCredentials {
    public static func environment(endpoint: String) -> [String: String] {
        ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint]
    }
}
