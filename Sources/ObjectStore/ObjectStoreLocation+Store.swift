import AsyncHTTPClient
import Logging

extension ObjectStoreLocation {
    /// The store at this location: a `LocalFileStore` for paths, an `S3ObjectStore` (wrapped in a
    /// `PrefixedObjectStore` when there is a prefix) for `s3://`, configured from `settings`
    /// and then the AWS variables in `environment`.
    public func makeStore(
        environment: [String: String], settings: S3Settings = S3Settings(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "cryptoviz.objectstore")
    ) throws -> any ObjectStore {
        switch self {
        case .local(let path):
            return try LocalFileStore(root: path)
        case .s3(let bucket, let prefix):
            let configuration = try S3Configuration(bucket: bucket, settings: settings, environment: environment)
            let store = S3ObjectStore(configuration: configuration, httpClient: httpClient, logger: logger)
            return prefix.isEmpty ? store : try PrefixedObjectStore(base: store, prefix: prefix)
        }
    }
}

/// The store named by `url` (`file:///abs/path`, a plain path, or `s3://bucket/prefix`); S3
/// settings come from `settings`, then the standard AWS variables in `environment`.
public func makeObjectStore(
    url: String, environment: [String: String], settings: S3Settings = S3Settings(), httpClient: HTTPClient = .shared,
    logger: Logger = Logger(label: "cryptoviz.objectstore")
) throws -> any ObjectStore {
    try ObjectStoreLocation(parsing: url).makeStore(
        environment: environment, settings: settings, httpClient: httpClient, logger: logger)
}
