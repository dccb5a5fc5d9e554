/// The outcome of checking every data file of one table version (`DeltaTable.checkDataFiles`).
public struct IntegrityReport: Sendable {
    /// The version whose files were checked.
    public var version: Int64
    /// Data files the snapshot references, all of them checked.
    public var filesChecked: Int
    /// Bytes the log says those files hold.
    public var bytesChecked: Int64
    /// The files that failed, in path order.
    public var problems: [DataFileProblem]

    public init(version: Int64, filesChecked: Int, bytesChecked: Int64, problems: [DataFileProblem]) {
        self.version = version
        self.filesChecked = filesChecked
        self.bytesChecked = bytesChecked
        self.problems = problems
    }

    /// True when every file passed.
    public var isClean: Bool { problems.isEmpty }

    /// Rows of the failed files according to the log's statistics (files without a count add nothing).
    public var rowsInProblemFiles: Int64 { problems.reduce(0) { $0 + ($1.rows ?? 0) } }

    /// Failed files whose row count the log does not record.
    public var problemFilesWithoutRowCount: Int { problems.filter { $0.rows == nil }.count }
}
