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
        Swift.print(String(format: "%-42@ %9@ %9@ %14@ %10@", "" as NSString, "wall s" as NSString, "CPU s" as NSString,
                           "rows/CPU s" as NSString, "bytes/row" as NSString))
        for (label, s, bytes) in lines {
            let perRow = bytes.map { String(format: "%.1f", Double($0) / Double(rows)) } ?? "-"
            Swift.print(String(format: "%-42@ %9.3f %9.3f %14.0f %10@", label as NSString, s.wall, s.cpu, Double(rows) / s.cpu,
                               perRow as NSString))
        }
    }
}
