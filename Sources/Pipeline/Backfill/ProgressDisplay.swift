#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Shows a backfill's progress on standard output: on a terminal, one status line per
/// provider redrawn in place; otherwise (a file, a pipe, a CI log) plain lines every few
/// seconds, so logs stay readable.
public struct ProgressDisplay: Sendable {
    public let progress: BackfillProgress
    public let isTerminal: Bool
    public let interval: Duration

    public init(progress: BackfillProgress, isTerminal: Bool = isatty(STDOUT_FILENO) != 0, interval: Duration? = nil) {
        self.progress = progress
        self.isTerminal = isTerminal
        self.interval = interval ?? (isTerminal ? .milliseconds(500) : .seconds(5))
    }

    /// Redraws until cancelled, then draws the final state once.
    public func run() async {
        var drawn = 0
        var shown: [Int64] = []
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            let snapshots = await progress.snapshots()
            drawn = draw(snapshots, previous: drawn)
            shown = Self.counts(snapshots)
        }
        // The final state, unless the last line already showed it (a log need not repeat it).
        let final = await progress.snapshots()
        if isTerminal || Self.counts(final) != shown { _ = draw(final, previous: drawn) }
        if isTerminal { emit("\n") }
    }

    private static func counts(_ snapshots: [BackfillProgress.Snapshot]) -> [Int64] {
        snapshots.flatMap { [Int64($0.seriesDone), Int64($0.seriesFailed), $0.candles] }
    }

    /// Returns how many lines are on screen now.
    private func draw(_ snapshots: [BackfillProgress.Snapshot], previous: Int) -> Int {
        guard !snapshots.isEmpty else { return previous }
        if isTerminal {
            // Back to the first line of the previous drawing, then overwrite each line.
            var text = previous > 1 ? "\u{1B}[\(previous - 1)A\r" : "\r"
            text += snapshots.map { "\u{1B}[2K" + $0.line }.joined(separator: "\n")
            emit(text)
            return snapshots.count
        }
        emit(snapshots.map { "backfill progress: " + $0.line }.joined(separator: "\n") + "\n")
        return 0
    }

    private func emit(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
