// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cryptoviz",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cryptoviz", targets: ["cryptoviz"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // WebSocket market streams: the client (WSClient, TLS through NIOSSL) for the collectors,
        // the server upgrade (HummingbirdWebSocket) for the simulator's stream endpoints.
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // The market domain: Tick, asset identity, validation, event identity.
        .target(
            name: "CryptoVizCore",
            dependencies: []
        ),
        // General libraries: they know nothing of crypto.
        .target(name: "Snappy"),
        // Reflected CRC-32s (CRC-32C for Kafka batches, zlib's CRC-32 for Parquet pages).
        .target(name: "Checksums"),
        .target(name: "Parquet", dependencies: ["Snappy", "Checksums"]),
        .target(
            name: "Kafka",
            dependencies: [
                "Snappy",
                "Checksums",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ObjectStore",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Lakehouse",
            dependencies: [
                "Parquet",
                "ObjectStore",
                "CryptoVizCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Collectors",
            dependencies: [
                "CryptoVizCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "WSClient", package: "swift-websocket"),
            ]
        ),
        .target(
            name: "MarketSimulator",
            dependencies: [
                "CryptoVizCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "CryptoVizCore",
                "Kafka",
                "Lakehouse",
                "Collectors",
                // The backfill builds its providers' transports on the caller's HTTP client.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Alert rules, their incremental evaluation over ticks, persisted state and signed
        // webhook delivery; no server code (the Server feeds it and exposes it).
        .target(
            name: "Alerts",
            dependencies: [
                "CryptoVizCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "Server",
            dependencies: [
                "CryptoVizCore",
                "Alerts",
                "Pipeline",
                "Lakehouse",
                "ObjectStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Assets")]
        ),
        .executableTarget(
            name: "cryptoviz",
            dependencies: [
                "CryptoVizCore",
                "Alerts",
                "Collectors",
                "MarketSimulator",
                "Parquet",
                "Kafka",
                "ObjectStore",
                "Lakehouse",
                "Pipeline",
                "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        .testTarget(name: "CryptoVizCoreTests", dependencies: ["CryptoVizCore"]),
        .testTarget(name: "AlertsTests", dependencies: [
            "Alerts", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "SnappyTests", dependencies: ["Snappy", "TestSupport"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "TestSupport"]),
        .testTarget(name: "KafkaTests", dependencies: [
            "Kafka", "Snappy", "TestSupport", .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "TestSupport"]),
        .testTarget(name: "LakehouseTests", dependencies: ["Lakehouse", "TestSupport"]),
        .testTarget(name: "CollectorsTests", dependencies: ["Collectors", "MarketSimulator", "TestSupport"]),
        .testTarget(name: "MarketSimulatorTests", dependencies: ["MarketSimulator", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "MarketSimulator", "TestSupport"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Alerts", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Shared by tests only: locating external components (venv tools, brokers) and running
        // them, and a webhook receiver (Hummingbird on loopback, HMAC checked with swift-crypto).
        .target(name: "TestSupport", dependencies: [
            "CryptoVizCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], path: "Tests/TestSupport"),
    ]
)
