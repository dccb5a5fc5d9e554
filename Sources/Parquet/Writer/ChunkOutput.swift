/// Where a column chunk's pages go: a buffer that a streaming writer hands to its sink every
/// few hundred KiB, so pages reach `write(2)` while they are still in the CPU cache.
///
/// Handing the sink a whole row group (about 100 MB for the tick schema) made the kernel's copy
/// into the page cache 35 % of the write's CPU (`perf record`, `bench parquet`): it read back
/// bytes long evicted from the cache. pyarrow streams pages and spends about 2 % there.
struct ChunkOutput {
    var buffer: [UInt8]
    /// File offset of `buffer[0]`: bytes before it went to the sink already.
    private(set) var offset: Int
    private let sink: (([UInt8]) throws -> Void)?

    static let drainBytes = 256 << 10

    init(buffer: [UInt8] = [], offset: Int, sink: (([UInt8]) throws -> Void)? = nil) {
        self.buffer = buffer
        self.offset = offset
        self.sink = sink
    }

    /// The file offset of the next byte written.
    var position: Int { offset + buffer.count }

    /// Hands the buffer to the sink once it holds `drainBytes` or more (all of it when `force`).
    mutating func drain(force: Bool = false) throws {
        guard let sink, !buffer.isEmpty, force || buffer.count >= Self.drainBytes else { return }
        try sink(buffer)
        offset += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
