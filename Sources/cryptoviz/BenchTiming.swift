import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wall and process-CPU time of a benchmark step. On a shared 2-core machine wall time mostly
/// measures the neighbours; CPU seconds are the figure to compare, with the load average beside.
enum BenchTiming {
    struct Sample {
        var wall: Double
        var cpu: Double
    }

    /// Runs `body` `runs` times and returns the run with the least CPU time.
    static func best(of runs: Int, _ body: () throws -> Void) throws -> Sample {
        var best: Sample?
        for _ in 0..<max(1, runs) {
            let cpu = CPUClock.seconds()
            let start = ContinuousClock.now
            try body()
            let sample = Sample(wall: (ContinuousClock.now - start).benchSeconds, cpu: CPUClock.seconds() - cpu)
            if best == nil || sample.cpu < best!.cpu { best = sample }
        }
        return best!
    }

    /// The 1, 5 and 15-minute load averages.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
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

extension Duration {
    var benchSeconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// Rows of a benchmark printed as one table: wall and CPU seconds, rows per CPU second, bytes.
struct BenchTable {
    let rows: Int
    private var lines: [(String, BenchTiming.Sample, Int?)] = []

    init(rows: Int) { self.rows = rows }

    mutating func add(_ label: String, _ sample: BenchTiming.Sample, bytes: Int? = nil) {
        lines.append((label, sample, bytes))
    }

    func print() {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        func left(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
        Swift.print(pad("", 44) + left("wall s", 9) + left("CPU s", 9) + left("rows/CPU s", 14) + left("bytes/row", 11))
        for (label, s, bytes) in lines {
            let perRow = bytes.map { String(format: "%.1f", Double($0) / Double(rows)) } ?? "-"
            Swift.print(pad(label, 44) + left(String(format: "%.3f", s.wall), 9) + left(String(format: "%.3f", s.cpu), 9)
                        + left(String(format: "%.0f", Double(rows) / s.cpu), 14) + left(perRow, 11))
        }
    }
}
