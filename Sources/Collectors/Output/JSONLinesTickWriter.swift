import CryptoVizCore
import Foundation

/// Writes ticks as JSON lines (one `JSONEncoder`-encoded `Tick` per line) to a file or stdout.
///
/// An actor so that batches from concurrently polled providers never interleave within a line.
public actor JSONLinesTickWriter {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private let encoder: JSONEncoder
    public private(set) var written = 0

    /// Writes to standard output.
    public init() {
        handle = FileHandle.standardOutput
        ownsHandle = false
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Writes to `path`, created or truncated.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        self.handle = handle
        ownsHandle = true
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Appends one line per tick.
    public func write(_ ticks: [Tick]) throws {
        var data = Data()
        for tick in ticks {
            data.append(try encoder.encode(tick))
            data.append(0x0A)
        }
        try handle.write(contentsOf: data)
        written += ticks.count
    }

    /// Closes the file (not stdout).
    public func close() throws {
        if ownsHandle { try handle.close() }
    }
}
