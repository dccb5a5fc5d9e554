import Foundation

/// An append-only JSON-lines file of bus messages that could not be published yet.
///
/// It outlives the process: a collector restarted during a broker outage replays what it had
/// accepted before. Lines are whole `TickMessage` documents, so the file is readable by hand.
struct SpillFile {
    let url: URL

    init(url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    }

    var isEmpty: Bool {
        ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0) == 0
    }

    func append(_ lines: [[UInt8]]) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw PipelineError("cannot create spill file \(url.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        var data = Data()
        for line in lines {
            data.append(contentsOf: line)
            data.append(0x0A)
        }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    /// Every line, in order; a torn last line (crash mid-append) is dropped.
    func readAll() throws -> [[UInt8]] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let bytes = [UInt8](try Data(contentsOf: url))
        var lines: [[UInt8]] = []
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            if i > start { lines.append(Array(bytes[start..<i])) }
            start = i + 1
        }
        return lines
    }

    /// Appends whole messages, one JSON document a line (the format replay decodes).
    func append(_ messages: [TickMessage]) throws {
        let codec = TickMessageCodec()
        try append(try messages.map { try codec.encodeValue($0) })
    }

    func remove() throws {
        if FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }
}
