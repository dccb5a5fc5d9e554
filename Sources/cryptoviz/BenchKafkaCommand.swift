import ArgumentParser
import Foundation
import Kafka
import Logging

/// `cryptoviz bench kafka`: produce and consume throughput of the Swift client next to
/// librdkafka's (python confluent-kafka) against the same broker, for 100 B and 1 KiB records.
struct BenchKafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Kafka client throughput (records/s, MB/s), Swift next to librdkafka.")

    @Option(help: "Broker host:port (default: $CRYPTOVIZ_KAFKA_BOOTSTRAP).")
    var bootstrap: String?

    @Option(help: "Records per run.")
    var records: Int = 200_000

    @Option(help: "Record value sizes in bytes.")
    var sizes: [Int] = [100, 1024]

    @Option(help: "Python with confluent-kafka for the librdkafka figures (default: $CRYPTOVIZ_PYTHON; skipped if unset).")
    var python: String?

    @Option(help: "Path of Tests/Oracles/kafka/librdkafka.py.")
    var oracle: String = "Tests/Oracles/kafka/librdkafka.py"

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let bootstrap = bootstrap ?? env["CRYPTOVIZ_KAFKA_BOOTSTRAP"] else {
            throw ValidationError("give --bootstrap or set CRYPTOVIZ_KAFKA_BOOTSTRAP")
        }
        var logger = Logger(label: "cryptoviz.bench.kafka")
        logger.logLevel = .warning
        let python = python ?? env["CRYPTOVIZ_PYTHON"]
        print("broker \(bootstrap), \(records) records per run, 4 partitions, acks=all, idempotent, no compression")
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            print("load average at start: \(load.split(separator: " ").prefix(3).joined(separator: " "))")
        }
        print("client       size  produce rec/s  produce MB/s  consume rec/s  consume MB/s")
        for size in sizes {
            let (p, c) = try await swiftRun(bootstrap: bootstrap, size: size, bulk: false, logger: logger)
            line("swift", size, p, c)
            let (bp, bc) = try await swiftRun(bootstrap: bootstrap, size: size, bulk: true, logger: logger)
            line("swift-bulk", size, bp, bc)
            if let python {
                let (rp, rc) = try await librdkafkaRun(python: python, bootstrap: bootstrap, size: size, logger: logger)
                line("librdkafka", size, rp, rc)
            }
            if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
                print("load average after \(size) B runs: \(load.split(separator: " ").prefix(3).joined(separator: " "))")
            }
        }
    }

    private func line(_ client: String, _ size: Int, _ produceSeconds: Double, _ consumeSeconds: Double) {
        let n = Double(records)
        let mb = n * Double(size) / 1_000_000
        func f(_ v: Double) -> String { String(format: "%13.0f", v) }
        func g(_ v: Double) -> String { String(format: "%12.1f", v) }
        print("\(client.padding(toLength: 11, withPad: " ", startingAt: 0)) \(String(format: "%5d", size))  \(f(n / produceSeconds))  \(g(mb / produceSeconds))  \(f(n / consumeSeconds))  \(g(mb / consumeSeconds))")
    }

    private func newTopic(_ bootstrap: String, logger: Logger) async throws -> String {
        let topic = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        try await admin.createTopics([NewTopic(name: topic, partitions: 4)])
        await admin.close()
        return topic
    }

    /// One produce-then-consume run; `bulk` queues records 1000 per `enqueue(_:)` call instead of
    /// one `enqueue` call (actor hop) per record.
    private func swiftRun(bootstrap: String, size: Int, bulk: Bool, logger: Logger) async throws -> (Double, Double) {
        let topic = try await newTopic(bootstrap, logger: logger)
        var config = KafkaProducerConfiguration(bootstrapServers: [bootstrap], linger: .milliseconds(10), batchSize: 1 << 20)
        config.maxInFlightRequestsPerBroker = 8
        let producer = try KafkaProducer(configuration: config, logger: logger)
        let payload = [UInt8](repeating: 0x78, count: size)
        let clock = ContinuousClock()
        let start = clock.now
        if bulk {
            for slice in stride(from: 0, to: records, by: 1000) {
                try await producer.enqueue((slice..<min(slice + 1000, records)).map {
                    ProducerRecord(topic: topic, key: Array(String($0).utf8), value: payload)
                })
            }
        } else {
            for i in 0..<records {
                try await producer.enqueue(topic: topic, key: Array(String(i).utf8), value: payload)
            }
        }
        await producer.flush()
        let produced = clock.now - start
        await producer.close()

        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: [bootstrap], groupID: "bench-\(topic)"),
            partitions: (0..<4).map { TopicPartition(topic: topic, partition: $0) }, logger: logger)
        let consumeStart = clock.now
        var count = 0
        while count < records {
            count += try await consumer.nextBatch().count
        }
        let consumed = clock.now - consumeStart
        await consumer.close()
        return (produced.seconds, consumed.seconds)
    }

    private func librdkafkaRun(python: String, bootstrap: String, size: Int, logger: Logger) async throws -> (Double, Double) {
        let topic = try await newTopic(bootstrap, logger: logger)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [oracle, "bench", bootstrap, topic, "\(size)", "\(records)"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let p = json["produce_s"] as? Double, let c = json["consume_s"] as? Double else {
            throw ValidationError("librdkafka bench failed: \(String(decoding: data, as: UTF8.self))")
        }
        return (p, c)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
