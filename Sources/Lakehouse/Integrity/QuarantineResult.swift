import ObjectStore

/// What `DeltaTable.quarantine` did (or, on a dry run, would do).
public struct QuarantineResult: Sendable {
    /// The version that removed the files; nil on a dry run or when there was nothing to remove.
    public var version: Int64?
    /// The files taken out of the table.
    public var files: [DataFileProblem]
    /// Where each damaged file's bytes were copied (missing files have nothing to copy).
    public var copies: [ObjectKey]

    public init(version: Int64?, files: [DataFileProblem], copies: [ObjectKey]) {
        self.version = version
        self.files = files
        self.copies = copies
    }

    /// Rows the removed files held according to the log's statistics.
    public var rows: Int64 { files.reduce(0) { $0 + ($1.rows ?? 0) } }

    /// Removed files whose row count the log does not record.
    public var filesWithoutRowCount: Int { files.filter { $0.rows == nil }.count }
}
