/// Reads a Parquet file held in memory: footer, schema, row-group statistics, and columns
/// decoded to typed arrays, with row-group and column projection.
///
/// Flat files are read column by column (`schema`, `readColumns`); nested files (groups, lists,
/// maps) record by record (`fields`, `readRecords`), where `schema` lists only the top-level
/// primitive columns. Every offset and
/// size in the file is checked before use: a truncated, corrupt or hostile file throws a
/// `ParquetError` naming the problem (Parquet spec: "File format", "Metadata").
public struct ParquetFileReader: Sendable {
    public let schema: ParquetSchema
    public let rowCount: Int64
    public let rowGroups: [RowGroupInfo]
    /// Application key-value metadata of the footer.
    public let keyValueMetadata: [String: String]
    public let createdBy: String?
    /// The whole schema tree, top-level fields in file order.
    public let fields: [ParquetField]
    /// String columns to read into one buffer each (`ColumnValues.utf8`) rather than `[String]`:
    /// for columns of long, mostly distinct values that are only copied (compaction).
    public var stringsInOneBuffer: Set<String> = ParquetFileReader.stringsInOneBufferByDefault
    /// `stringsInOneBuffer` of the readers made in this task and its child tasks: a caller asks
    /// for it around a whole read path (compaction) without threading it through every layer.
    @TaskLocal public static var stringsInOneBufferByDefault: Set<String> = []

    /// Row groups larger than this are refused rather than decoded (pyarrow writes 1 Mi rows).
    public static let maxRowGroupRows: Int64 = 1 << 28

    /// The whole file, or empty for a reader opened on its footer alone (`init(tail:fileSize:)`).
    private let bytes: [UInt8]
    private let fileSize: Int
    private let leaves: [LeafColumn]
    private let roots: [SchemaNode]
    /// Leaf index of each `schema` column.
    private let flatLeaves: [Int]
    private let chunks: [[ColumnChunkFormat]]
    private let footerStart: Int

    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 12 else { throw ParquetError("file of \(bytes.count) bytes is too short for Parquet") }
        guard Array(bytes[0..<4]) == Array("PAR1".utf8) else { throw ParquetError("missing PAR1 magic at file start") }
        try self.init(tail: bytes, fileSize: bytes.count, data: bytes)
    }

    /// A reader of a file fetched in ranges: `tail` holds the file's last bytes (at least
    /// `footerSize(tail:)` of them), `fileSize` is the whole file's size. Its columns are read
    /// with `readColumns(_:rowGroups:fetched:)` from the ranges `chunkRanges` names.
    public init(tail: [UInt8], fileSize: Int) throws {
        try self.init(tail: tail, fileSize: fileSize, data: nil)
    }

    /// How many bytes at the end of a file hold its footer (the footer, its length and the
    /// magic), read from at least the file's last 8 bytes.
    public static func footerSize(tail: [UInt8]) throws -> Int {
        let n = tail.count
        guard n >= 8 else { throw ParquetError("\(n) bytes are too few to hold a Parquet footer length") }
        guard Array(tail[(n - 4)...]) == Array("PAR1".utf8) else { throw ParquetError("missing PAR1 magic at file end") }
        return 8 + Int(UInt32(tail[n - 8]) | UInt32(tail[n - 7]) << 8 | UInt32(tail[n - 6]) << 16 | UInt32(tail[n - 5]) << 24)
    }

    private init(tail: [UInt8], fileSize: Int, data: [UInt8]?) throws {
        guard fileSize >= 12 else { throw ParquetError("file of \(fileSize) bytes is too short for Parquet") }
        let n = tail.count
        let footerSize = try Self.footerSize(tail: tail)
        let footerLength = footerSize - 8
        guard footerLength <= fileSize - 12 else {
            throw ParquetError("footer length \(footerLength) exceeds file of \(fileSize) bytes")
        }
        guard footerSize <= n, n <= fileSize else {
            throw ParquetError("the footer needs the file's last \(footerSize) bytes, \(n) were given")
        }
        footerStart = fileSize - footerSize
        let meta: FileMetaDataFormat
        do {
            meta = try FileMetaDataFormat.decode(tail, range: (n - footerSize)..<(n - 8))
        } catch let error as ParquetError {
            throw ParquetError("corrupt footer: \(error.message)")
        }
        let (roots, leaves) = try SchemaNode.parse(meta.schema)
        guard meta.numRows >= 0 else { throw ParquetError("negative row count \(meta.numRows)") }

        let layout = RowGroupStatistics.Layout(leaves: leaves, typeDefinedOrder: meta.hasTypeDefinedColumnOrders)
        var infos = [RowGroupInfo]()
        var rowSum: Int64 = 0
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.columns.count == leaves.count else {
                throw ParquetError("row group \(g) has \(group.columns.count) column chunks, schema has \(leaves.count) columns")
            }
            guard group.numRows >= 0 else { throw ParquetError("row group \(g) has negative row count") }
            let (sum, overflow) = rowSum.addingReportingOverflow(group.numRows)
            guard !overflow else { throw ParquetError("row counts overflow") }
            rowSum = sum
            var compressed: Int64 = 0
            for (leaf, chunk) in zip(leaves, group.columns) {
                guard chunk.hasMetaData else { throw ParquetError("row group \(g) column \(leaf.name) has no metadata") }
                compressed = compressed &+ chunk.totalCompressedSize
            }
            let stats = RowGroupStatistics(layout: layout, raw: group.columns.map(\.statistics))
            infos.append(RowGroupInfo(index: g, rowCount: group.numRows, compressedSize: compressed, statistics: stats))
        }
        self.bytes = data ?? []
        self.fileSize = fileSize
        self.leaves = leaves
        self.roots = roots
        self.fields = roots.map { $0.field(leaves) }
        var flat: [Int] = []
        for node in roots {
            if case .leaf(let i) = node.shape, node.repetition != .repeated { flat.append(i) }
        }
        self.flatLeaves = flat
        self.chunks = meta.rowGroups.map(\.columns)
        self.schema = ParquetSchema(columns: flat.map { ParquetColumn(name: leaves[$0].name, type: leaves[$0].type, optional: leaves[$0].optional) })
        self.rowCount = meta.numRows
        self.rowGroups = infos
        var kv = [String: String]()
        for entry in meta.keyValueMetadata { kv[entry.key] = entry.value ?? "" }
        self.keyValueMetadata = kv
        self.createdBy = meta.createdBy
    }

    /// File-wide statistics per column, merged from the row groups (what a table log records).
    public var summary: ParquetFileSummary {
        let columns = schema.columns.map { column in
            let merged = rowGroups.reduce(ColumnStatistics(nullCount: 0, min: nil, max: nil)) { acc, group in
                acc.merged(with: group.statistics[column.name] ?? ColumnStatistics(nullCount: nil, min: nil, max: nil))
            }
            return ParquetFileSummary.Column(name: column.name, type: column.type, statistics: merged)
        }
        return ParquetFileSummary(rowCount: rowCount, rowGroupCount: rowGroups.count, fileSize: fileSize, columns: columns)
    }

    /// Indices of the row groups whose statistics satisfy `predicate` (e.g.
    /// `{ $0.mayContain("price", from: .double(100)) }`), for statistics pruning.
    public func rowGroups(where predicate: (RowGroupInfo) -> Bool) -> [Int] {
        rowGroups.filter(predicate).map(\.index)
    }

    /// Reads the named columns (all when nil), in the order given, over the given row groups
    /// (all when nil) concatenated in the order given.
    public func readColumns(_ names: [String]? = nil, rowGroups selected: [Int]? = nil) throws -> [ColumnData] {
        try readColumns(names, rowGroups: selected, locate: inWholeFile)
    }

    /// The file ranges of the column chunks `readColumns(names, rowGroups: selected)` decodes,
    /// in file order, adjacent ones merged: what to fetch for a reader opened on the footer.
    public func chunkRanges(_ names: [String]? = nil, rowGroups selected: [Int]? = nil) throws -> [Range<Int>] {
        let columns = try leafIndices(names)
        let groups = try checkedGroups(selected)
        var ranges = try groups.flatMap { g in try columns.map { try chunkRange(column: flatLeaves[$0], rowGroup: g) } }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in ranges {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    /// `readColumns` for a reader opened with `init(tail:fileSize:)`: every chunk must lie
    /// inside one of the `fetched` pieces (file offset and bytes), else this throws.
    public func readColumns(_ names: [String]? = nil, rowGroups selected: [Int]? = nil,
                            fetched: [ParquetFetchedRange]) throws -> [ColumnData] {
        try readColumns(names, rowGroups: selected, locate: locator(fetched))
    }

    /// Finds a chunk's bytes in the fetched pieces.
    private func locator(_ fetched: [ParquetFetchedRange]) -> (Range<Int>) throws -> ([UInt8], Range<Int>) {
        let pieces = fetched.sorted { $0.offset < $1.offset }
        return { range in
            // The last piece starting at or before the chunk.
            var lo = 0, hi = pieces.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if pieces[mid].offset <= range.lowerBound { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0 else { throw ParquetError("bytes \(range) of the file were not fetched") }
            let piece = pieces[lo - 1]
            let local = (range.lowerBound - piece.offset)..<(range.upperBound - piece.offset)
            guard local.upperBound <= piece.bytes.count else { throw ParquetError("bytes \(range) of the file were not fetched") }
            return (piece.bytes, local)
        }
    }

    private func leafIndices(_ names: [String]?) throws -> [Int] {
        try (names ?? schema.columns.map(\.name)).map { name in
            guard let i = schema.index(of: name) else { throw ParquetError("no column named \(name)") }
            return i
        }
    }

    private func checkedGroups(_ selected: [Int]?) throws -> [Int] {
        let groups = selected ?? Array(rowGroups.indices)
        for g in groups where !rowGroups.indices.contains(g) {
            throw ParquetError("no row group \(g) (file has \(rowGroups.count))")
        }
        return groups
    }

    /// Reads the named columns (all when nil), in the order given, over runs of rows of row
    /// groups, concatenated in the order given. Data pages wholly outside a run are skipped
    /// without being checksummed or decompressed: with small pages, a few rows of a large row
    /// group cost a few pages. For flat columns (one value per row).
    public func readColumns(_ names: [String]? = nil, rows: [ParquetRowRange]) throws -> [ColumnData] {
        try readColumns(names, runs: rows, locate: inWholeFile)
    }

    /// `readColumns(_:rows:)` for a reader opened with `init(tail:fileSize:)`, from the
    /// `fetched` pieces (which must hold the whole chunks of the runs' row groups).
    public func readColumns(_ names: [String]? = nil, rows: [ParquetRowRange], fetched: [ParquetFetchedRange]) throws -> [ColumnData] {
        try readColumns(names, runs: rows, locate: locator(fetched))
    }

    /// Per row of row group `group`, whether string column `column` holds `value` (a null
    /// never does); dictionary pages are matched on their indices, without building a string.
    public func rowsEqual(_ column: String, _ value: String, rowGroup group: Int) throws -> [Bool] {
        try rowsEqual(column, value, rowGroup: group, locate: inWholeFile)
    }

    /// `rowsEqual` for a reader opened with `init(tail:fileSize:)`, from the `fetched` pieces.
    public func rowsEqual(_ column: String, _ value: String, rowGroup group: Int, fetched: [ParquetFetchedRange]) throws -> [Bool] {
        try rowsEqual(column, value, rowGroup: group, locate: locator(fetched))
    }

    private func rowsEqual(_ column: String, _ value: String, rowGroup group: Int,
                           locate: (Range<Int>) throws -> ([UInt8], Range<Int>)) throws -> [Bool] {
        let index = try leafIndices([column])[0]
        _ = try checkedGroups([group])
        return try chunkDecoder(column: flatLeaves[index], rowGroup: group, locate: locate).rowsEqual(Array(value.utf8))
    }

    /// Decodes columns with chunk bytes located by `locate` (file range → buffer and range in it).
    private func readColumns(_ names: [String]?, rowGroups selected: [Int]?,
                             locate: (Range<Int>) throws -> ([UInt8], Range<Int>)) throws -> [ColumnData] {
        let groups = try checkedGroups(selected)
        return try readColumns(names, runs: groups.map { ParquetRowRange(rowGroup: $0, rows: nil) }, locate: locate)
    }

    private func readColumns(_ names: [String]?, runs: [ParquetRowRange],
                             locate: (Range<Int>) throws -> ([UInt8], Range<Int>)) throws -> [ColumnData] {
        let indices = try leafIndices(names)
        _ = try checkedGroups(runs.map(\.rowGroup))
        for run in runs {
            guard let rows = run.rows else { continue }
            guard !rows.isEmpty, rows.lowerBound >= 0, Int64(rows.upperBound) <= rowGroups[run.rowGroup].rowCount else {
                throw ParquetError("rows \(rows) are not a run of row group \(run.rowGroup) (\(rowGroups[run.rowGroup].rowCount) rows)")
            }
        }
        return try indices.map { index in
            let c = flatLeaves[index]
            if runs.isEmpty { return ColumnData(.empty(leaves[c].type.storage)) }
            var levels = PageIterator.Levels(definition: [], repetition: [])
            return try ColumnChunkDecoder.decode(
                runs.map { try chunkDecoder(column: c, rowGroup: $0.rowGroup, window: $0.rows, locate: locate) }, levels: &levels)
        }
    }

    /// Reads every column of one row group, in schema order.
    public func readRowGroup(_ index: Int) throws -> [ColumnData] {
        try readColumns(nil, rowGroups: [index])
    }

    /// Reads whole records of a nested (or flat) file over the given row groups (all when nil).
    ///
    /// `columns` projects by dotted path: "add" selects the whole field, "add.path" one member
    /// of a struct; only the chunks of selected primitive columns are decoded, so unneeded
    /// fields (e.g. `add.stats_parsed`) cost nothing. A list or map is read whole once any of
    /// its members is selected. Unknown paths select nothing.
    public func readRecords(columns: [String]? = nil, rowGroups selected: [Int]? = nil) throws -> [ParquetRecord] {
        let groups = selected ?? Array(rowGroups.indices)
        for g in groups where !rowGroups.indices.contains(g) {
            throw ParquetError("no row group \(g) (file has \(rowGroups.count))")
        }
        var wanted = Set(leaves.indices)
        if let columns {
            wanted = Set(leaves.indices.filter { i in
                let name = leaves[i].name
                return columns.contains { name == $0 || name.hasPrefix($0 + ".") }
            })
        }
        let tree = roots.compactMap { $0.pruned(to: wanted) }
        let used = tree.flatMap(\.leaves)
        var records: [ParquetRecord] = []
        for g in groups {
            var decoded = [RecordAssembler.Column?](repeating: nil, count: leaves.count)
            for c in used {
                let chunk = try readChunk(column: c, rowGroup: g)
                decoded[c] = RecordAssembler.Column(leaf: leaves[c], data: chunk.data, levels: chunk.levels)
            }
            var assembler = RecordAssembler(columns: decoded)
            try assembler.assemble(tree, rows: Int(rowGroups[g].rowCount), into: &records)
        }
        return records
    }

    /// Decodes every page of every column chunk (nested ones included) and discards the
    /// values: a file that passes has intact pages (checksums, where written, included) and
    /// row groups that hold the rows the footer says. For integrity checks of stored files.
    public func verify() throws {
        for g in rowGroups.indices {
            for c in leaves.indices {
                _ = try readChunk(column: c, rowGroup: g)
            }
        }
    }

    private func readChunk(column c: Int, rowGroup g: Int) throws -> (data: ColumnData, levels: PageIterator.Levels) {
        var levels = PageIterator.Levels(definition: [], repetition: [])
        let data = try chunkDecoder(column: c, rowGroup: g, locate: inWholeFile).decode(levels: &levels)
        return (data, levels)
    }

    /// A chunk's bytes in the whole file (a reader opened on the footer alone has none).
    private func inWholeFile(_ range: Range<Int>) throws -> ([UInt8], Range<Int>) {
        guard range.upperBound <= bytes.count else {
            throw ParquetError("this reader holds only the footer: read its columns from fetched ranges")
        }
        return (bytes, range)
    }

    /// The file range of one column chunk, after checking the footer's claims about it.
    private func chunkRange(column c: Int, rowGroup g: Int) throws -> Range<Int> {
        let leaf = leaves[c]
        let chunk = chunks[g][c]
        let rows = rowGroups[g].rowCount
        guard chunk.filePath == nil else {
            throw ParquetError("unsupported column chunk in external file \(chunk.filePath ?? "") for column \(leaf.name)")
        }
        guard chunk.type == leaf.physicalType.rawValue else {
            throw ParquetError("column \(leaf.name): chunk type \(PhysicalType.name(chunk.type)) differs from schema")
        }
        // Nested columns hold one value slot per level entry: at least one per row.
        guard leaf.keepsLevels ? chunk.numValues >= rows : chunk.numValues == rows else {
            throw ParquetError("column \(leaf.name): chunk has \(chunk.numValues) values, row group \(g) has \(rows) rows")
        }
        let slots = chunk.numValues
        var start = chunk.dataPageOffset
        if let d = chunk.dictionaryPageOffset, d > 0, d < start { start = d }
        let size = chunk.totalCompressedSize
        guard start >= 4, size >= 0, start <= Int64(footerStart), size <= Int64(footerStart) - start else {
            throw ParquetError("column \(leaf.name): chunk bytes \(start)+\(size) lie outside the file's data (\(footerStart) bytes)")
        }
        // Bound what a chunk may decode to by its size: RLE lets a few bytes claim millions of
        // nulls, so a hostile footer could otherwise demand terabytes.
        guard slots <= max(Int64(PageIterator.maxSparsePageValues), size * 2048), slots <= Self.maxRowGroupRows else {
            throw ParquetError("column \(leaf.name): row group \(g) claims \(slots) values in \(size) bytes")
        }
        return Int(start)..<Int(start + size)
    }

    /// The decoder of one column chunk, its bytes located by `locate`.
    private func chunkDecoder(column c: Int, rowGroup g: Int, window: Range<Int>? = nil,
                              locate: (Range<Int>) throws -> ([UInt8], Range<Int>)) throws -> ColumnChunkDecoder {
        let leaf = leaves[c]
        let chunk = chunks[g][c]
        let (buffer, range) = try locate(try chunkRange(column: c, rowGroup: g))
        let pages = try PageIterator(
            bytes: buffer, range: range, column: leaf.name, rowGroup: g, codec: chunk.codec, maxDefinition: leaf.maxDefinition,
            maxRepetition: leaf.maxRepetition, keepLevels: leaf.keepsLevels, valueCount: chunk.numValues, window: window)
        var decoder = ColumnChunkDecoder(leaf: leaf, pages: pages, rowCount: Int(chunk.numValues))
        decoder.oneBuffer = stringsInOneBuffer.contains(leaf.name)
        return decoder
    }
}

/// A run of rows of one row group (all of them when `rows` is nil), for
/// `ParquetFileReader.readColumns(_:rows:)`.
public struct ParquetRowRange: Sendable, Hashable {
    public var rowGroup: Int
    public var rows: Range<Int>?

    public init(rowGroup: Int, rows: Range<Int>?) {
        self.rowGroup = rowGroup
        self.rows = rows
    }
}

/// Bytes of a Parquet file fetched from `offset` on (a range read), for
/// `ParquetFileReader.readColumns(_:rowGroups:fetched:)`.
public struct ParquetFetchedRange: Sendable {
    public var offset: Int
    public var bytes: [UInt8]

    public init(offset: Int, bytes: [UInt8]) {
        self.offset = offset
        self.bytes = bytes
    }
}
