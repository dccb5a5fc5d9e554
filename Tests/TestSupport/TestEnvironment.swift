import Foundation

/// Where the test command (`scripts/test.sh`) put the real components the tests talk to.
///
/// Each accessor throws when its variable is missing: a test that needs a component it cannot
/// find fails loudly instead of skipping.
public enum TestEnvironment {
    public struct Missing: Error, CustomStringConvertible {
        public var variable: String
        public var description: String {
            "\(variable) is not set: run the tests through scripts/test.sh, which installs and starts the components"
        }
    }

    public static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw Missing(variable: name)
        }
        return value
    }

    /// The venv's Python, with pyarrow, deltalake, duckdb, confluent-kafka, boto3 installed.
    public static func python() throws -> String { try value("CRYPTOVIZ_PYTHON") }
    /// The DuckDB 1.5.5 CLI.
    public static func duckdb() throws -> String { try value("CRYPTOVIZ_DUCKDB") }
    /// The tansu broker binary, for tests that start and stop their own broker.
    public static func tansu() throws -> String { try value("CRYPTOVIZ_TANSU") }
    /// The moto_server binary, for tests that start and stop their own S3 server.
    public static func motoServer() throws -> String { try value("CRYPTOVIZ_MOTO_SERVER") }
    /// `host:port` of the shared Kafka-compatible broker started by the test command.
    public static func kafkaBootstrap() throws -> String { try value("CRYPTOVIZ_KAFKA_BOOTSTRAP") }
    /// `http://host:port` of the shared S3 test server started by the test command.
    public static func s3Endpoint() throws -> String { try value("CRYPTOVIZ_S3_ENDPOINT") }

    /// The repository root (for `Tests/Oracles/...` scripts).
    public static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    /// Absolute path of a script under `Tests/Oracles/`.
    public static func oracle(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("Tests/Oracles").appendingPathComponent(name).path
    }

    /// A fresh, empty directory under the system temp folder.
    public static func temporaryDirectory(_ label: String = "cryptoviz-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
