import Lakehouse

/// Gathers pages from concurrent series into large commits, each carrying the `txn` version
/// (last open time) of every series it contains.
///
/// Each series adds its pages in order, so a commit always holds a contiguous continuation of
/// each series and its version is exact. Commits run one at a time; while one is in flight new
/// pages keep collecting, and adders wait once two commits' worth is pending (backpressure).
/// A failed commit fails the queue: later pages of the same series must not commit a version
/// past the lost ones, so the run stops and a restart resumes from the table.
actor CommitQueue {
    let sink: any CandleSink
    let commitRows: Int
    private var pending: [CandleRecord] = []
    private var versions: [String: Int64] = [:]
    private var committing = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var failure: (any Error)?
    private(set) var committedRows = 0
    private(set) var commits = 0

    init(sink: any CandleSink, commitRows: Int) {
        self.sink = sink
        self.commitRows = max(1, commitRows)
    }

    /// Adds one page of a series (whose last open time is `version`); may run a commit.
    func add(_ records: [CandleRecord], appId: String, version: Int64) async throws {
        while committing, pending.count >= 2 * commitRows, failure == nil { await waitForCommit() }
        if let failure { throw failure }
        pending += records
        versions[appId] = version
        if pending.count >= commitRows, !committing { try await commit() }
    }

    /// Commits whatever is pending (at the end of a run).
    func flush() async throws {
        while committing, failure == nil { await waitForCommit() }
        if let failure { throw failure }
        if !pending.isEmpty || !versions.isEmpty { try await commit() }
    }

    private func waitForCommit() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    private func commit() async throws {
        committing = true
        let batch = pending, transactions = versions
        pending = []
        versions = [:]
        do {
            try await sink.append(batch, transactions: transactions)
            committedRows += batch.count
            commits += 1
        } catch {
            failure = error
        }
        committing = false
        let resumed = waiters
        waiters = []
        for waiter in resumed { waiter.resume() }
        if let failure { throw failure }
    }
}
