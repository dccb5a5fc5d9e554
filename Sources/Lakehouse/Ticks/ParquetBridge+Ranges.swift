import ObjectStore
import Parquet

extension ParquetBridge {
    /// Below this share of the file, a filtered read fetches the footer and the chunks it needs
    /// rather than the whole file.
    static let rangedReadShare = 0.6
    /// Chunks closer than this are fetched in one read (one request instead of two for S3,
    /// one system call for a local file).
    static let rangeMergeGap = 256 * 1024
    /// What the first read of the file's end fetches: usually the whole footer.
    static let tailGuess = 64 * 1024
    /// Files from this size on are read in ranges even without a filter when the columns asked
    /// for are a small part of them (a summary of a few columns of every file); below it, one
    /// read of the whole file costs less than a footer read first.
    static let rangedReadMinimumSize = 1 << 20

    /// `read` of a stored file of `size` bytes (its size in the table log) that fetches only
    /// its footer and the column chunks of the row groups `filter` keeps (all of them without
    /// a filter, for files of at least `rangedReadMinimumSize`), when that is well under the
    /// whole file; else the whole file. A footer that cannot be read this way (a
    /// log size that does not match the file) falls back to the whole-file read, whose error
    /// names the fault.
    static func read(from store: any ObjectStore, key: ObjectKey, size: Int, columns: [String],
                     filter: RowGroupFilter?) async throws -> Decoded {
        guard size > tailGuess, filter != nil || size >= rangedReadMinimumSize else {
            return try read(try await store.get(key), columns: columns, filter: filter)
        }
        let reader: ParquetFileReader
        var tail = try await store.get(key, range: (size - tailGuess)..<size)
        do {
            // A short answer means the file is shorter than the log says: read it whole.
            guard tail.count == tailGuess else { return try read(try await store.get(key), columns: columns, filter: filter) }
            let footer = try ParquetFileReader.footerSize(tail: tail)
            if footer > tail.count, footer <= size {
                tail = try await store.get(key, range: (size - footer)..<size)
                guard tail.count == footer else { return try read(try await store.get(key), columns: columns, filter: filter) }
            }
            reader = try ParquetFileReader(tail: tail, fileSize: size)
        } catch is ParquetError {
            return try read(try await store.get(key), columns: columns, filter: filter)
        }
        let present = columns.filter { reader.schema.index(of: $0) != nil }
        let groups = filter.map { selectRowGroups(reader, $0) } ?? Array(reader.rowGroups.indices)
        let chunks = try reader.chunkRanges(present, rowGroups: groups)
        let needed = chunks.reduce(0) { $0 + $1.count } + tail.count
        if Double(needed) > rangedReadShare * Double(size) {
            return try read(try await store.get(key), columns: columns, filter: filter)
        }
        var pieces: [ParquetFetchedRange] = []
        for range in merged(chunks, gap: rangeMergeGap) {
            let bytes = try await store.get(key, range: range)
            guard bytes.count == range.count else {
                throw LakehouseError(.corruptDataFile, "\(range.count) bytes at \(range.lowerBound) were asked for, \(bytes.count) came back")
            }
            pieces.append(ParquetFetchedRange(offset: range.lowerBound, bytes: bytes))
        }
        guard let filter else {
            return try assemble(reader, present, nil, try reader.readColumns(present, rowGroups: nil, fetched: pieces))
        }
        if filter.narrowsRows {
            return try readRuns(reader, present, groups, filter, decode: { try reader.readColumns($0, rows: $1, fetched: pieces) },
                                rowsEqual: { try reader.rowsEqual($0, $1, rowGroup: $2, fetched: pieces) })
        }
        return try assemble(reader, present, groups, try reader.readColumns(present, rowGroups: groups, fetched: pieces))
    }

    /// `ranges` (sorted, disjoint) with those less than `gap` apart joined.
    static func merged(_ ranges: [Range<Int>], gap: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in ranges {
            if let last = out.last, r.lowerBound - last.upperBound < gap {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}
