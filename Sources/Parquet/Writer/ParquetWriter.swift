/// Writes a flat Parquet file: append batches of columns, then `finish()` for the file bytes
/// (in memory) or `close()` (streamed to a sink); `summary` then holds the row count and
/// per-column statistics.
///
/// Rows are buffered until a row group is full (`rowGroupRowLimit` rows or about
/// `rowGroupByteLimit` bytes), then encoded column by column (Parquet spec: "File format").
public struct ParquetWriter: Sendable {
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions
    /// Set by `finish()`.
    public private(set) var summary: ParquetFileSummary?

    /// Batches of the open row group, joined once when it is encoded.
    private var pending: [[ColumnData]] = []
    private var pendingRows = 0
    private var pendingBytes = 0
    /// Encoded row groups, one buffer each, joined once by `finish()`: growing one array for
    /// the whole file copied it at every doubling and faulted in twice its size in fresh pages.
    private var segments: [[UInt8]] = []
    private var written = 0
    /// Where a streaming writer sends each row group as soon as it is encoded (nil: in memory).
    private let sink: (@Sendable ([UInt8]) throws -> Void)?
    /// The row-group buffer a streaming writer reuses, so its pages are faulted in once.
    private var scratch: [UInt8] = []
    private var rowGroups: [RowGroupFormat] = []
    private var statistics: [ColumnStatistics]
    private var totalRows: Int64 = 0
    private var finished = false

    /// A writer that keeps the file in memory until `finish()`.
    public init(schema: ParquetSchema, options: ParquetWriterOptions = ParquetWriterOptions()) throws {
        try self.init(schema: schema, options: options, sink: nil)
    }

    /// A writer that hands the file to `sink` piece by piece, in order (the magic, each row
    /// group as it fills, then the footer at `close()`): memory stays at one row group.
    public init(schema: ParquetSchema, options: ParquetWriterOptions = ParquetWriterOptions(),
                sink: (@Sendable ([UInt8]) throws -> Void)?) throws {
        try schema.validate()
        self.schema = schema
        self.options = options
        self.sink = sink
        statistics = schema.columns.map { _ in ColumnStatistics(nullCount: 0, min: nil, max: nil) }
        let magic = Array("PAR1".utf8)
        if let sink { try sink(magic) } else { segments = [magic] }
        written = 4
    }

    /// Writes `columns` (in one call) and returns the file bytes.
    public static func write(
        schema: ParquetSchema, columns: [ColumnData], options: ParquetWriterOptions = ParquetWriterOptions()
    ) throws -> [UInt8] {
        var writer = try ParquetWriter(schema: schema, options: options)
        try writer.append(columns)
        return try writer.finish()
    }

    /// Appends a batch: one `ColumnData` per schema column, in schema order, all of the same
    /// length, each of the kind its column's type stores (`ParquetType.storage`).
    public mutating func append(_ batch: [ColumnData]) throws {
        guard !finished else { throw ParquetError("append after finish") }
        guard batch.count == schema.columns.count else {
            throw ParquetError("batch has \(batch.count) columns, schema has \(schema.columns.count)")
        }
        let rows = batch.first?.count ?? 0
        for (column, data) in zip(schema.columns, batch) {
            guard data.values.kind == column.type.storage else {
                throw ParquetError("column \(column.name) of type \(column.type) given \(data.values.kind) values")
            }
            guard data.count == rows else {
                throw ParquetError("column \(column.name) has \(data.count) rows, expected \(rows)")
            }
            if let v = data.validity, v.count != rows {
                throw ParquetError("column \(column.name) has \(v.count) validity flags for \(rows) rows")
            }
            if !column.optional, data.validity != nil, data.nullCount > 0 {
                throw ParquetError("column \(column.name) is required but has \(data.nullCount) nulls")
            }
        }
        var offset = 0
        while offset < rows {
            let room = options.rowGroupRowLimit - pendingRows
            let take = min(room, rows - offset)
            let part = offset == 0 && take == rows ? batch : batch.map { slice($0, offset..<(offset + take)) }
            pending.append(part)
            pendingRows += take
            pendingBytes += Self.estimateBytes(part)
            offset += take
            if pendingRows >= options.rowGroupRowLimit || pendingBytes >= options.rowGroupByteLimit {
                try flushRowGroup()
            }
        }
    }

    /// Closes an in-memory file: writes any buffered rows, the footer and the magic; returns the bytes.
    public mutating func finish() throws -> [UInt8] {
        guard sink == nil else { throw ParquetError("finish() on a streaming writer; call close()") }
        let footer = try finishRowGroups()
        segments.append(footer)
        written += footer.count
        let total = written
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var at = 0
            for segment in segments {
                segment.withUnsafeBufferPointer { s in
                    guard let base = s.baseAddress, s.count > 0 else { return }
                    (buffer.baseAddress! + at).initialize(from: base, count: s.count)
                }
                at += segment.count
            }
            count = at
        }
        segments = []
        return bytes
    }

    /// Closes a streaming file: writes any buffered rows, then the footer, to the sink.
    public mutating func close() throws {
        guard let sink else { throw ParquetError("close() on an in-memory writer; call finish()") }
        let footer = try finishRowGroups()
        try sink(footer)
        written += footer.count
    }

    /// Flushes the last row group and returns the footer (metadata, its length, the magic).
    private mutating func finishRowGroups() throws -> [UInt8] {
        guard !finished else { throw ParquetError("finish called twice") }
        try flushRowGroup()
        finished = true
        var meta = FileMetaDataFormat()
        meta.version = 2
        var root = SchemaElement()
        root.name = "schema"
        root.numChildren = Int32(schema.columns.count)
        meta.schema = [root] + schema.columns.map(Self.schemaElement)
        meta.numRows = totalRows
        meta.rowGroups = rowGroups
        meta.keyValueMetadata = options.keyValueMetadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        meta.createdBy = options.createdBy
        meta.hasTypeDefinedColumnOrders = true
        var footer = [UInt8]()
        meta.appendFooter(to: &footer)
        summary = ParquetFileSummary(
            rowCount: totalRows, rowGroupCount: rowGroups.count, fileSize: written + footer.count,
            columns: zip(schema.columns, statistics).map { .init(name: $0.name, type: $0.type, statistics: $1) })
        return footer
    }

    private func slice(_ data: ColumnData, _ range: Range<Int>) -> ColumnData {
        ColumnData(data.values.slice(range), validity: data.validity.map { Array($0[range]) })
    }

    private static func estimateBytes(_ batch: [ColumnData]) -> Int {
        var total = 0
        for c in batch {
            switch c.values {
            case .boolean(let v): total += v.count
            case .int32(let v): total += 4 * v.count
            case .float(let v): total += 4 * v.count
            case .int64(let v): total += 8 * v.count
            case .double(let v): total += 8 * v.count
            case .string(let v): for s in v { total += 4 + s.utf8.count }
            case .utf8(let v): total += 4 * v.count + v.bytes.count
            case .binary(let v): for b in v { total += 4 + b.count }
            }
        }
        return total
    }

    private mutating func flushRowGroup() throws {
        guard pendingRows > 0 else { return }
        var group = RowGroupFormat()
        group.numRows = Int64(pendingRows)
        group.fileOffset = Int64(written)
        group.ordinal = Int16(truncatingIfNeeded: rowGroups.count)
        // Compressed pages rarely exceed the uncompressed estimate; if they do the buffer grows.
        // A streaming writer drains its buffer between pages, so one page's worth is reused.
        var out = ChunkOutput(buffer: sink == nil ? [] : scratch, offset: written, sink: sink)
        scratch = []
        out.buffer.removeAll(keepingCapacity: true)
        if sink == nil { out.buffer.reserveCapacity(pendingBytes + 4096 * schema.columns.count) }
        for (i, column) in schema.columns.enumerated() {
            let encoder = ColumnChunkEncoder(column: column, options: options)
            let data = try ColumnData.concatenate(pending.map { $0[i] }, kind: column.type.storage)
            let result = try encoder.encode(data, into: &out)
            group.columns.append(result.metadata)
            group.totalByteSize += result.metadata.totalUncompressedSize
            statistics[i] = statistics[i].merged(with: result.statistics)
        }
        try out.drain(force: true)
        group.totalCompressedSize = Int64(out.position - written)
        written = out.position
        if sink != nil {
            scratch = out.buffer
        } else {
            segments.append(out.buffer)
        }
        rowGroups.append(group)
        totalRows += Int64(pendingRows)
        pending = []
        pendingRows = 0
        pendingBytes = 0
    }

    static func schemaElement(_ column: ParquetColumn) -> SchemaElement {
        var e = SchemaElement()
        e.name = column.name
        e.type = ColumnChunkEncoder.physicalType(column.type).rawValue
        e.repetition = column.optional ? Repetition.optional.rawValue : Repetition.required.rawValue
        switch column.type {
        case .string:
            e.convertedType = ConvertedTypeCode.utf8
            e.logicalType = .string
        case .date:
            e.convertedType = ConvertedTypeCode.date
            e.logicalType = .date
        case .int8:
            e.convertedType = ConvertedTypeCode.int8
            e.logicalType = .integer(bitWidth: 8, signed: true)
        case .int16:
            e.convertedType = ConvertedTypeCode.int16
            e.logicalType = .integer(bitWidth: 16, signed: true)
        case .timestamp(let unit, let utc):
            switch unit {
            case .millis:
                e.convertedType = utc ? ConvertedTypeCode.timestampMillis : nil
                e.logicalType = .timestamp(.millis, adjustedToUTC: utc)
            case .micros:
                e.convertedType = utc ? ConvertedTypeCode.timestampMicros : nil
                e.logicalType = .timestamp(.micros, adjustedToUTC: utc)
            case .nanos:
                e.logicalType = .timestamp(.nanos, adjustedToUTC: utc)
            }
        case .boolean, .int32, .int64, .float, .double, .binary:
            break
        }
        return e
    }
}
