import ArgumentParser
import CryptoVizCore
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

    @Option(help: "How many times each client reads each topic (more rounds, steadier medians).")
    var rounds: Int = 1

    @Option(help: "Path of Tests/Oracles/kafka/librdkafka.py.")
    var oracle: String = "Tests/Oracles/kafka/librdkafka.py"

    func validate() throws {
        guard records > 0 else { throw ValidationError("--records must be positive (got \(records))") }
        guard rounds > 0 else { throw ValidationError("--rounds must be positive (got \(rounds))") }
        if let size = sizes.first(where: { $0 <= 0 }) { throw ValidationError("--sizes must be positive (got \(size))") }
    }

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
        for size in sizes {
            print("produce \(size) B records          rec/s         MB/s   client CPU s")
            var topics: [(producer: String, topic: String)] = []
            for (client, bulk) in [("swift", false), ("swift-bulk", true)] {
                let topic = try await newTopic(bootstrap, logger: logger)
                line(client, size, try await swiftProduce(bootstrap: bootstrap, topic: topic, size: size, bulk: bulk, logger: logger))
                topics.append((client, topic))
            }
            if let python {
                let topic = try await newTopic(bootstrap, logger: logger)
                line("librdkafka", size, try await oracle(python, "bench-produce", bootstrap, topic, "\(size)", "\(records)"))
                topics.append(("librdkafka", topic))
            }
            try await consume(topics, size: size, bootstrap: bootstrap, python: python, logger: logger)
            if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
                print("load average after \(size) B runs: \(load.split(separator: " ").prefix(3).joined(separator: " "))")
            }
        }
    }

    /// Both consumers read the same topics, so neither is favoured by how the other client's
    /// producer laid out its batches; which one reads a topic first alternates.
    private func consume(_ topics: [(producer: String, topic: String)], size: Int, bootstrap: String,
                         python: String?, logger: Logger) async throws {
        print("consume \(size) B records          rec/s         MB/s   client CPU s")
        var rates: [String: [Double]] = [:]
        for round in 0..<rounds {
            for (index, (producer, topic)) in topics.enumerated() where producer != "swift" {
                var readers: [(String, () async throws -> Timing)] = [
                    ("swift", { try await swiftConsume(bootstrap: bootstrap, topic: topic, logger: logger) })]
                if let python {
                    readers.append(("librdkafka", {
                        try await oracle(python, "bench-consume", bootstrap, topic, "\(records)", "\(readTimeout.components.seconds)")
                    }))
                }
                if (round + index) % 2 == 0 { readers.reverse() }
                for (consumer, read) in readers {
                    let timing = try await read()
                    line("\(consumer) <- \(producer)", size, timing)
                    rates[consumer, default: []].append(Double(records) / timing.seconds)
                }
            }
        }
        if let swift = rates["swift"], let librdkafka = rates["librdkafka"] {
            let ratio = median(swift) / median(librdkafka)
            print("  median of \(swift.count) reads: swift \(Int(median(swift))), librdkafka \(Int(median(librdkafka))) rec/s, ratio \(String(format: "%.2f", ratio))")
        }
    }

    /// How long one read of a topic may take before the bench gives up on it (a topic holding
    /// fewer records than asked for would otherwise be waited for forever).
    private var readTimeout: Duration { .seconds(max(120, records / 10_000)) }

    /// Wall-clock and CPU (user + system, all threads) seconds of one client's run.
    struct Timing {
        var seconds: Double
        var cpuSeconds: Double
    }

    private func line(_ label: String, _ size: Int, _ timing: Timing) {
        let n = Double(records)
        let padded = label.padding(toLength: 28, withPad: " ", startingAt: 0)
        let rate = String(format: "%11.0f", n / timing.seconds)
        let megabytes = String(format: "%11.1f", n * Double(size) / 1_000_000 / timing.seconds)
        print("  \(padded)\(rate)  \(megabytes)  \(String(format: "%13.2f", timing.cpuSeconds))")
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// CPU seconds this process has used so far (every thread).
    private static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func newTopic(_ bootstrap: String, logger: Logger) async throws -> String {
        let topic = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: [bootstrap]), logger: logger)
        try await admin.createTopics([NewTopic(name: topic, partitions: 4)])
        await admin.close()
        return topic
    }

    /// Produces `records` records; `bulk` queues them 1000 per `enqueue(_:)` call instead of
    /// one `enqueue` call (actor hop) per record.
    private func swiftProduce(bootstrap: String, topic: String, size: Int, bulk: Bool, logger: Logger) async throws -> Timing {
        var config = KafkaProducerConfiguration(bootstrapServers: [bootstrap], linger: .milliseconds(10), batchSize: 1 << 20)
        config.maxInFlightRequestsPerBroker = 8
        let producer = try KafkaProducer(configuration: config, logger: logger)
        let payload = [UInt8](repeating: 0x78, count: size)
        let clock = ContinuousClock()
        let start = clock.now
        let cpu = Self.processCPUSeconds()
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
        let produced = Timing(seconds: (clock.now - start).seconds, cpuSeconds: Self.processCPUSeconds() - cpu)
        await producer.close()
        return produced
    }

    /// Reads the topic's `records` records from the start, partitions assigned by hand (as the
    /// librdkafka side does), the consumer's set-up included.
    private func swiftConsume(bootstrap: String, topic: String, logger: Logger) async throws -> Timing {
        let clock = ContinuousClock()
        let start = clock.now
        let cpu = Self.processCPUSeconds()
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: [bootstrap], groupID: "bench-\(UUID().uuidString)"),
            partitions: (0..<4).map { TopicPartition(topic: topic, partition: $0) }, logger: logger)
        do {
            _ = try await withTimeout(readTimeout) { [records] in
                var count = 0
                while count < records { count += try await consumer.nextBatch().count }
                return count
            }
        } catch let error as TimeoutError {
            await consumer.close()
            throw ValidationError("the Swift consumer did not read \(records) records of \(topic): \(error)")
        }
        let consumed = Timing(seconds: (clock.now - start).seconds, cpuSeconds: Self.processCPUSeconds() - cpu)
        await consumer.close()
        return consumed
    }

    /// Runs one librdkafka bench step of the oracle (`bench-produce` or `bench-consume`).
    private func oracle(_ python: String, _ arguments: String...) async throws -> Timing {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [oracle] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = json["seconds"] as? Double, let cpu = json["cpu_seconds"] as? Double else {
            throw ValidationError("librdkafka \(arguments[0]) failed: \(String(decoding: data, as: UTF8.self))")
        }
        return Timing(seconds: seconds, cpuSeconds: cpu)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
