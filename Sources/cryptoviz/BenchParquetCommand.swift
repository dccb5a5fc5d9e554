import ArgumentParser
import CryptoVizCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Parquet

/// `cryptoviz bench parquet`: writes N rows of the tick schema to a Snappy Parquet file and
/// reads every column back into typed arrays, then has pyarrow do the same work on the same
/// rows in the same run: `write_table` of the table it read from our file, and `read_table`
/// into Arrow single- and multi-threaded. Both sides write to and read from files in the same
/// directory; each step is the best of `--repeat` runs. Finally our reader reads pyarrow's file
/// and must find exactly the generated rows (so pyarrow read ours correctly, and we read its).
struct BenchParquetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Benchmark the Parquet writer and reader against pyarrow (to Arrow) on the same rows.")

    @Option(help: "Rows to write and read.")
    var rows = 2_000_000

    @Option(help: "Rows per append batch.")
    var batch = 100_000

    @Option(help: "Seed of the data generator.")
    var seed: UInt64 = 42

    @Option(help: "Runs of each step; the best (least CPU) is reported.")
    var `repeat` = 3

    @Option(help: "Python with pyarrow (default: $CRYPTOVIZ_PYTHON or .venv/bin/python).")
    var python: String?

    @Option(help: "The pyarrow side of the benchmark.")
    var oracle = "Tests/Oracles/parquet/bench_parquet.py"

    @Flag(help: "Skip the pyarrow comparison.")
    var skipPyarrow = false

    func validate() throws {
        guard rows > 0, batch > 0, self.repeat > 0 else { throw ValidationError("--rows, --batch and --repeat must be positive") }
    }

    func run() async throws {
        print("generating \(rows) rows (seed \(seed))...")
        var generator = TickBatchGenerator(seed: seed)
        var batches = [[ColumnData]]()
        var remaining = rows
        while remaining > 0 {
            let n = min(batch, remaining)
            batches.append(generator.next(n))
            remaining -= n
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cryptoviz-bench-parquet-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("swift.parquet").path

        let write = try BenchTiming.best(of: self.repeat) { try Self.write(batches, to: path) }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var columns: [ColumnData] = []
        let read = try BenchTiming.best(of: self.repeat) { columns = try Self.readAll(path) }
        guard columns.first?.count == rows else { throw ValidationError("read back \(columns.first?.count ?? 0) rows") }
        columns = []

        print("load average before the pyarrow side: \(BenchTiming.loadAverage())")
        var table = BenchTable(rows: rows)
        table.add("swift write (snappy, to file)", write, bytes: size)
        table.add("swift read -> typed arrays", read)
        guard !skipPyarrow else { return table.print() }

        let pyarrow = try runOracle(file: path, dir: dir.path)
        table.add("pyarrow \(pyarrow.version) write_table (snappy)", pyarrow.write, bytes: pyarrow.bytes)
        table.add("pyarrow read_table, use_threads=False", pyarrow.readSingle)
        table.add("pyarrow read_table, threads", pyarrow.readThreads)
        table.print()
        print(String(format: "ours vs pyarrow, CPU (pyarrow CPU / ours; >= 1.0 means at least as fast): write %.2fx, read %.2fx (single-threaded anchor), %.2fx (threaded)",
                     pyarrow.write.cpu / write.cpu, pyarrow.readSingle.cpu / read.cpu, pyarrow.readThreads.cpu / read.cpu))

        // pyarrow's file holds the rows pyarrow read from ours: reading it must give the source rows.
        let roundTrip = try Self.readAll(pyarrow.file)
        let source = try TickBatchGenerator.schema.columns.indices.map { i in
            try ColumnData.joined(batches.map { $0[i] })
        }
        guard roundTrip.count == source.count else { throw ValidationError("pyarrow's file has \(roundTrip.count) columns") }
        // String columns compare as strings: the source holds event ids in one buffer.
        func same(_ a: ColumnData, _ b: ColumnData) -> Bool {
            guard let x = a.values.strings, let y = b.values.strings else { return a == b }
            return x == y && a.validity == b.validity
        }
        for (i, (a, b)) in zip(roundTrip, source).enumerated() where !same(a, b) {
            throw ValidationError("column \(TickBatchGenerator.schema.columns[i].name): pyarrow's rewrite differs from the generated rows")
        }
        print("check: pyarrow read our file and wrote \(rows) rows equal to the generated ones (read back by our reader)")
        print("load average after: \(BenchTiming.loadAverage())")
    }

    static func write(_ batches: [[ColumnData]], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
        defer { close(fd) }
        var writer = try ParquetWriter(schema: TickBatchGenerator.schema, options: ParquetWriterOptions(compression: .snappy)) { bytes in
            try bytes.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + at, raw.count - at)
                    guard n > 0 else { throw ValidationError("write failed: errno \(errno)") }
                    at += n
                }
            }
        }
        for b in batches { try writer.append(b) }
        try writer.close()
    }

    /// Reads the file with read(2) straight into the array the reader parses (as pyarrow reads
    /// into its buffers), then decodes every column.
    static func readAll(_ path: String) throws -> [ColumnData] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(path)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ValidationError("cannot stat \(path)") }
        let size = Int(info.st_size)
        let bytes = try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while count < size {
                let n = read(fd, buffer.baseAddress! + count, size - count)
                guard n > 0 else { throw ValidationError("read failed: errno \(errno)") }
                count += n
            }
        }
        return try ParquetFileReader(bytes: bytes).readColumns()
    }

    private struct PyarrowFigures {
        var version: String
        var write: BenchTiming.Sample
        var readSingle: BenchTiming.Sample
        var readThreads: BenchTiming.Sample
        var bytes: Int
        var file: String
    }

    private func runOracle(file: String, dir: String) throws -> PyarrowFigures {
        let env = ProcessInfo.processInfo.environment
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python ?? env["CRYPTOVIZ_PYTHON"] ?? ".venv/bin/python")
        process.arguments = [oracle, file, dir, String(self.repeat)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        func sample(_ json: [String: Any], _ key: String) -> BenchTiming.Sample? {
            guard let w = json["\(key)_seconds"] as? Double, let c = json["\(key)_cpu_seconds"] as? Double else { return nil }
            return BenchTiming.Sample(wall: w, cpu: c)
        }
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any],
              let write = sample(json, "write"), let single = sample(json, "read_single"),
              let threads = sample(json, "read_threads"), let bytes = json["bytes"] as? Int, let out = json["file"] as? String
        else { throw ValidationError("pyarrow benchmark failed: \(String(decoding: output, as: UTF8.self))") }
        return PyarrowFigures(version: json["version"] as? String ?? "?", write: write, readSingle: single,
                              readThreads: threads, bytes: bytes, file: out)
    }
}
