import ArgumentParser
import CryptoVizCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Parquet

/// `cryptoviz bench parquet`: writes and reads N rows of the tick schema with Snappy and prints
/// rows/s and bytes/row next to pyarrow's figures for the same rows, measured in the same run
/// (pyarrow rewrites and reads the file this command wrote).
struct BenchParquetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Benchmark the Parquet writer and reader against pyarrow.")

    @Option(help: "Rows to write and read.")
    var rows = 10_000_000

    @Option(help: "Rows per append batch.")
    var batch = 100_000

    @Option(help: "Seed of the data generator.")
    var seed: UInt64 = 42

    @Option(help: "Python with pyarrow (default: $CRYPTOVIZ_PYTHON or .venv/bin/python).")
    var python: String?

    @Option(help: "The pyarrow side of the benchmark.")
    var oracle = "Tests/Oracles/parquet/bench_parquet.py"

    @Flag(help: "Skip the pyarrow comparison.")
    var skipPyarrow = false

    func run() async throws {
        let schema = TickBatchGenerator.schema
        print("generating \(rows) rows (seed \(seed))...")
        var generator = TickBatchGenerator(seed: seed)
        var batches = [[ColumnData]]()
        var remaining = rows
        while remaining > 0 {
            let n = min(batch, remaining)
            batches.append(generator.next(n))
            remaining -= n
        }

        let writeCPU = CPUClock.seconds()
        let writeStart = ContinuousClock.now
        var writer = try ParquetWriter(schema: schema, options: ParquetWriterOptions(compression: .snappy))
        for b in batches { try writer.append(b) }
        let bytes = try writer.finish()
        let writeSeconds = (ContinuousClock.now - writeStart).seconds
        let writeCPUSeconds = CPUClock.seconds() - writeCPU
        batches = []

        let readCPU = CPUClock.seconds()
        let readStart = ContinuousClock.now
        let reader = try ParquetFileReader(bytes: bytes)
        let columns = try reader.readColumns()
        let readSeconds = (ContinuousClock.now - readStart).seconds
        let readCPUSeconds = CPUClock.seconds() - readCPU
        guard columns.first?.count == rows else { throw ValidationError("read back \(columns.first?.count ?? 0) rows") }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cryptoviz-bench-parquet-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("swift.parquet")
        try Data(bytes).write(to: path)

        print(String(format: "%-34@ %14@ %14@ %10@", "" as NSString, "rows/s (wall)" as NSString, "rows/s (CPU)" as NSString, "bytes/row" as NSString))
        func line(_ label: String, _ seconds: Double, _ cpu: Double, _ size: Int?) {
            let perRow = size.map { String(format: "%.1f", Double($0) / Double(rows)) } ?? "-"
            print(String(format: "%-34@ %14.0f %14.0f %10@   (%.2f s wall, %.2f s CPU)", label as NSString,
                         Double(rows) / seconds, Double(rows) / cpu, perRow as NSString, seconds, cpu))
        }
        line("swift write (snappy)", writeSeconds, writeCPUSeconds, bytes.count)
        line("swift read -> typed arrays", readSeconds, readCPUSeconds, nil)

        guard !skipPyarrow else { return }
        let env = ProcessInfo.processInfo.environment
        let interpreter = python ?? env["CRYPTOVIZ_PYTHON"] ?? ".venv/bin/python"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [oracle, path.path, dir.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
              let write = json["write_seconds"] as? Double, let readLists = json["read_lists_seconds"] as? Double,
              let readArrow = json["read_arrow_seconds"] as? Double, let size = json["bytes"] as? Int,
              let writeCPUPy = json["write_cpu_seconds"] as? Double, let readListsCPU = json["read_lists_cpu_seconds"] as? Double,
              let readArrowCPU = json["read_arrow_cpu_seconds"] as? Double
        else { throw ValidationError("pyarrow benchmark failed: \(String(decoding: output, as: UTF8.self))") }
        let version = json["version"] as? String ?? "?"
        line("pyarrow \(version) write (snappy)", write, writeCPUPy, size)
        line("pyarrow read -> Arrow", readArrow, readArrowCPU, nil)
        line("pyarrow read -> Python lists", readLists, readListsCPU, nil)
        print(String(format: "swift/pyarrow speed (wall): write %.2fx, read vs lists %.2fx; (CPU): write %.2fx, read vs lists %.2fx",
                     write / writeSeconds, readLists / readSeconds, writeCPUPy / writeCPUSeconds, readListsCPU / readCPUSeconds))
    }
}

/// Process CPU time: on a shared machine wall-clock rates mostly measure the neighbours.
enum CPUClock {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

private extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// Generates tick-shaped rows column by column, deterministically from a seed: ids unique,
/// sources/assets/symbols low-cardinality, prices random, about 10% nulls in optional columns.
struct TickBatchGenerator {
    static let schema = ParquetSchema(columns: [
        ParquetColumn(name: "event_id", type: .string),
        ParquetColumn(name: "source", type: .string),
        ParquetColumn(name: "asset", type: .string),
        ParquetColumn(name: "symbol", type: .string),
        ParquetColumn(name: "quote_currency", type: .string),
        ParquetColumn(name: "price", type: .double),
        ParquetColumn(name: "market_cap", type: .double, optional: true),
        ParquetColumn(name: "volume_24h", type: .double, optional: true),
        ParquetColumn(name: "change_1h", type: .double, optional: true),
        ParquetColumn(name: "change_24h", type: .double, optional: true),
        ParquetColumn(name: "change_7d", type: .double, optional: true),
        ParquetColumn(name: "source_time", type: .timestampMillis),
        ParquetColumn(name: "collected_time", type: .timestampMillis),
        ParquetColumn(name: "ingested_time", type: .timestampMillis),
        ParquetColumn(name: "processed_time", type: .timestampMillis),
        ParquetColumn(name: "bus_topic", type: .string),
        ParquetColumn(name: "bus_partition", type: .int32),
        ParquetColumn(name: "bus_offset", type: .int64),
    ])

    private static let sources = ["coingecko", "coincap", "binance"]
    private static let assets: [(String, String)] = (0..<50).map { ("asset-\($0)", "SYM\($0)") }
    private static let hex = Array("0123456789abcdef".utf8)

    private var generator: SplitMix64
    private var row: Int64 = 0

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    private mutating func next64() -> UInt64 { generator.next() }

    private mutating func unit() -> Double { Double(next64() >> 11) / Double(1 << 53) }

    private mutating func uuid() -> String {
        var a = next64()
        var b = next64()
        var chars = [UInt8]()
        chars.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { chars.append(UInt8(ascii: "-")) }
            if i < 16 {
                chars.append(Self.hex[Int(a & 15)])
                a >>= 4
            } else {
                chars.append(Self.hex[Int(b & 15)])
                b >>= 4
            }
        }
        return String(decoding: chars, as: UTF8.self)
    }

    private mutating func optionalDouble(_ scale: Double, into values: inout [Double], _ validity: inout [Bool]) {
        if unit() < 0.1 {
            values.append(0)
            validity.append(false)
        } else {
            values.append((unit() - 0.5) * scale)
            validity.append(true)
        }
    }

    mutating func next(_ n: Int) -> [ColumnData] {
        var eventID = [String](), source = [String](), asset = [String](), symbol = [String](), quote = [String]()
        var price = [Double](), topic = [String](), partition = [Int32](), offset = [Int64]()
        var optionals = [[Double]](repeating: [], count: 5)
        var validities = [[Bool]](repeating: [], count: 5)
        var times = [[Int64]](repeating: [], count: 4)
        for i in 0..<5 {
            optionals[i].reserveCapacity(n)
            validities[i].reserveCapacity(n)
        }
        let base: Int64 = 1_764_000_000_000
        for _ in 0..<n {
            let s = Self.sources[Int(next64() % 3)]
            let a = Self.assets[Int(next64() % UInt64(Self.assets.count))]
            eventID.append(uuid())
            source.append(s)
            asset.append(a.0)
            symbol.append(a.1)
            quote.append("usd")
            price.append(unit() * 60_000)
            optionalDouble(2e12, into: &optionals[0], &validities[0])
            optionalDouble(1e10, into: &optionals[1], &validities[1])
            optionalDouble(10, into: &optionals[2], &validities[2])
            optionalDouble(20, into: &optionals[3], &validities[3])
            optionalDouble(40, into: &optionals[4], &validities[4])
            let t = base + row * 10 + Int64(next64() % 10)
            times[0].append(t)
            times[1].append(t + Int64(next64() % 500))
            times[2].append(t + 500 + Int64(next64() % 500))
            times[3].append(t + 1000 + Int64(next64() % 500))
            topic.append("ticks.\(s)")
            partition.append(Int32(next64() % 12))
            offset.append(row)
            row += 1
        }
        var columns: [ColumnData] = [
            ColumnData(.string(eventID)), ColumnData(.string(source)), ColumnData(.string(asset)),
            ColumnData(.string(symbol)), ColumnData(.string(quote)), ColumnData(.double(price)),
        ]
        for i in 0..<5 { columns.append(ColumnData(.double(optionals[i]), validity: validities[i])) }
        for i in 0..<4 { columns.append(ColumnData(.int64(times[i]))) }
        columns.append(ColumnData(.string(topic)))
        columns.append(ColumnData(.int32(partition)))
        columns.append(ColumnData(.int64(offset)))
        return columns
    }
}
