import Parquet

/// A row of one of several batches.
struct RowRef: Sendable, Hashable {
    var batch: Int32
    var row: Int32
}

/// The column kernels of compaction: the order of rows of several batches merged by (asset,
/// source time), and each column gathered in that order, without a record per row.
///
/// Data files are written sorted by asset then time, so each batch is a sequence of runs, one
/// per asset, each sorted by time; the merge visits assets in byte order and, per asset, merges
/// the batches' runs (concatenated when they do not overlap in time, the usual case for
/// micro-batches, else by a k-way heap merge). A batch that is not sorted (a file another
/// writer made) is sorted on its own first.
enum TickMerge {
    /// A batch's rows of one asset: positions `start..<end` of the batch's sorted order.
    private struct Run {
        var batch: Int
        var start: Int
        var end: Int
    }

    /// The rows of `batches` in (asset bytes, source time) order. Every batch must have the
    /// asset and source time columns without nulls (compaction checks that first).
    static func order(_ batches: [TickBatch]) -> [RowRef] {
        var orders: [[Int32]?] = []
        var times: [[Int64]] = []
        var assets: [[String]] = []
        for batch in batches {
            let a = batch.strings(.asset) ?? []
            let t = batch.int64s(.sourceTime) ?? []
            assets.append(a)
            times.append(t)
            orders.append(isSorted(a, t) ? nil : sortedOrder(a, t))
        }
        // Runs per distinct asset; assets are then visited in byte order.
        var runsByAsset: [String: [Run]] = [:]
        for b in batches.indices {
            let a = assets[b]
            let order = orders[b]
            var start = 0
            while start < a.count {
                let asset = a[Int(order?[start] ?? Int32(start))]
                var end = start + 1
                while end < a.count && a[Int(order?[end] ?? Int32(end))] == asset { end += 1 }
                runsByAsset[asset, default: []].append(Run(batch: b, start: start, end: end))
                start = end
            }
        }
        var out: [RowRef] = []
        out.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        for asset in runsByAsset.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            merge(runsByAsset[asset]!, times: times, orders: orders, into: &out)
        }
        return out
    }

    private static func isSorted(_ assets: [String], _ times: [Int64]) -> Bool {
        guard assets.count > 1 else { return true }
        for i in 1..<assets.count {
            if assets[i] == assets[i - 1] {
                if times[i] < times[i - 1] { return false }
            } else if !assets[i - 1].utf8.lexicographicallyPrecedes(assets[i].utf8) {
                return false
            }
        }
        return true
    }

    private static func sortedOrder(_ assets: [String], _ times: [Int64]) -> [Int32] {
        (0..<Int32(assets.count)).sorted { x, y in
            let (a, b) = (assets[Int(x)], assets[Int(y)])
            if a != b { return a.utf8.lexicographicallyPrecedes(b.utf8) }
            return times[Int(x)] < times[Int(y)]
        }
    }

    /// Appends the rows of one asset's runs in time order.
    private static func merge(_ runs: [Run], times: [[Int64]], orders: [[Int32]?], into out: inout [RowRef]) {
        func row(_ b: Int, _ position: Int) -> Int { Int(orders[b]?[position] ?? Int32(position)) }
        func time(_ b: Int, _ position: Int) -> Int64 { times[b][row(b, position)] }
        let byStart = runs.sorted { (time($0.batch, $0.start), $0.batch) < (time($1.batch, $1.start), $1.batch) }
        var disjoint = true
        for i in 1..<max(1, byStart.count) where time(byStart[i - 1].batch, byStart[i - 1].end - 1) > time(byStart[i].batch, byStart[i].start) {
            disjoint = false
            break
        }
        if disjoint {
            for run in byStart {
                for p in run.start..<run.end { out.append(RowRef(batch: Int32(run.batch), row: Int32(row(run.batch, p)))) }
            }
            return
        }
        // k-way merge: a binary min-heap of the runs' next positions, keyed by (time, batch).
        var heap = byStart
        func less(_ x: Run, _ y: Run) -> Bool { (time(x.batch, x.start), x.batch) < (time(y.batch, y.start), y.batch) }
        func siftDown(_ i: Int) {
            var i = i
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[l], heap[m]) { m = l }
                if r < heap.count && less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        while !heap.isEmpty {
            let top = heap[0]
            out.append(RowRef(batch: Int32(top.batch), row: Int32(row(top.batch, top.start))))
            if top.start + 1 < top.end {
                heap[0].start += 1
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }

    /// Column `column` of the rows `order` as the tick file codec writes it: the column's
    /// Parquet storage, timestamps in microseconds, validity only for nullable columns.
    static func gather(_ column: TickColumn, from batches: [TickBatch], order: ArraySlice<RowRef>) -> ColumnData {
        let name = column.rawValue
        let parts = batches.map { $0.columns[name] }
        var validity: [Bool]?
        if column.nullable, parts.contains(where: { $0 == nil || $0!.nullCount > 0 }) {
            // A file without the column (written before it existed) holds nulls there.
            let flags = zip(parts, batches).map { part, batch in
                part.map { $0.validity ?? [Bool](repeating: true, count: $0.count) } ?? [Bool](repeating: false, count: batch.count)
            }
            validity = gathered(flags, order: order)
        }
        switch TickFileCodec.parquetType(column).storage {
        case .string where parts.contains(where: { if case .utf8? = $0?.values { true } else { false } }):
            let buffers = zip(parts, batches).map { part, batch -> ByteStrings in
                switch part?.values {
                case .utf8(let v)?: v
                case let values?: ByteStrings(values.strings ?? [])
                case nil: ByteStrings([String](repeating: "", count: batch.count))
                }
            }
            let picked = order.withUnsafeBufferPointer { refs in
                ByteStrings.gathered(buffers, count: refs.count) { (Int(refs[$0].batch), Int(refs[$0].row)) }
            }
            return ColumnData(.utf8(picked), validity: validity)
        case .string:
            let columns = batches.map { $0.strings(column) ?? [String](repeating: "", count: $0.count) }
            return ColumnData(.string(order.map { columns[Int($0.batch)][Int($0.row)] }), validity: validity)
        case .double:
            let columns = batches.map { $0.doubles(column) ?? [Double](repeating: 0, count: $0.count) }
            return ColumnData(.double(gathered(columns, order: order)), validity: validity)
        case .int32:
            let columns = batches.map { $0.int64s(column) ?? [Int64](repeating: 0, count: $0.count) }
            return ColumnData(.int32(gathered(columns, order: order).map { Int32(truncatingIfNeeded: $0) }), validity: validity)
        default:
            let columns = batches.map { $0.int64s(column) ?? [Int64](repeating: 0, count: $0.count) }
            var values = gathered(columns, order: order)
            if column.isTimestamp { for i in values.indices { values[i] &*= 1000 } }
            return ColumnData(.int64(values), validity: validity)
        }
    }

    /// The values at `order` of fixed-width `columns`, one per batch. The batches are first laid
    /// end to end in one array (a bulk copy), so the gather reads through one pointer: indexing
    /// the array of arrays per row cost a bounds check and a retain of the inner array each
    /// (`gather` was 13 % of `cryptoviz compact` in `perf`).
    static func gathered<T: BitwiseCopyable>(_ columns: [[T]], order: ArraySlice<RowRef>) -> [T] {
        var starts: [Int] = []
        starts.reserveCapacity(columns.count)
        var flat: [T] = []
        flat.reserveCapacity(columns.reduce(0) { $0 + $1.count })
        for c in columns {
            starts.append(flat.count)
            flat.append(contentsOf: c)
        }
        return flat.withUnsafeBufferPointer { values in
            starts.withUnsafeBufferPointer { starts in
                [T](unsafeUninitializedCapacity: order.count) { out, count in
                    for (i, ref) in order.enumerated() {
                        out[i] = values[starts[Int(ref.batch)] + Int(ref.row)]
                    }
                    count = order.count
                }
            }
        }
    }
}
