/// Rebuilds records from decoded leaf columns and their levels (Dremel record assembly,
/// Parquet spec "Nested Encoding").
///
/// Reading a node consumes exactly one level entry from each leaf under it when the node is
/// null or an empty list/map, and at least one otherwise; a list continues while its first
/// leaf's next entry repeats at the list's level. Every read is bounds-checked and each record
/// must start at repetition level 0 in every column, so corrupt levels throw instead of
/// misaligning silently, and every loop consumes input (no hang).
struct RecordAssembler {
    /// One decoded leaf with a read position.
    struct Column {
        let leaf: LeafColumn
        let data: ColumnData
        let levels: PageIterator.Levels
        var position = 0

        init(leaf: LeafColumn, data: ColumnData, levels: PageIterator.Levels) {
            self.leaf = leaf
            self.data = data
            self.levels = levels
        }

        var remaining: Bool { position < data.count }

        func definition(_ i: Int) -> Int {
            if leaf.maxDefinition == 0 { return 0 }
            if leaf.keepsLevels { return Int(levels.definition[i]) }
            return data.isNull(i) ? 0 : 1
        }

        func repetition(_ i: Int) -> Int {
            leaf.maxRepetition == 0 ? 0 : Int(levels.repetition[i])
        }
    }

    private var columns: [Column?]

    init(columns: [Column?]) {
        self.columns = columns
    }

    /// Appends `rows` records of the top-level `nodes` to `records`, then checks every column
    /// was consumed exactly.
    mutating func assemble(_ nodes: [SchemaNode], rows: Int, into records: inout [ParquetRecord]) throws {
        let used = nodes.flatMap(\.leaves)
        for c in used {
            guard let column = columns[c] else { throw ParquetError("column \(c) was not decoded") }
            if column.leaf.keepsLevels {
                let n = column.data.count
                guard (column.leaf.maxDefinition == 0 || column.levels.definition.count == n),
                      (column.leaf.maxRepetition == 0 || column.levels.repetition.count == n) else {
                    throw ParquetError("column \(column.leaf.name): level count differs from its \(n) values")
                }
            }
        }
        records.reserveCapacity(records.count + rows)
        for row in 0..<rows {
            for c in used {
                guard let column = columns[c], column.remaining, column.repetition(column.position) == 0 else {
                    throw ParquetError("column \(columns[c]?.leaf.name ?? "?"): record \(row) does not start at a record boundary")
                }
            }
            var record = ParquetRecord()
            for node in nodes {
                let value = try read(node)
                if !value.isNull { record[node.name] = value }
            }
            records.append(record)
        }
        for c in used where columns[c]?.remaining == true {
            throw ParquetError("column \(columns[c]?.leaf.name ?? "?"): values left over after \(rows) records")
        }
    }

    private func peekDefinition(_ node: SchemaNode) throws -> Int {
        guard let first = node.leaves.first, let column = columns[first] else {
            throw ParquetError("schema node \(node.name) has no columns")
        }
        guard column.remaining else { throw ParquetError("column \(column.leaf.name) ended inside a record") }
        return column.definition(column.position)
    }

    /// Whether the next entry of the node's first column continues the list at its level.
    private func continues(_ node: SchemaNode) -> Bool {
        guard let first = node.leaves.first, let column = columns[first], column.remaining else { return false }
        return column.repetition(column.position) == node.maxRepetition
    }

    /// Consumes the single entry each column under `node` holds for an absent value.
    private mutating func skip(_ node: SchemaNode) throws {
        for c in node.leaves {
            guard columns[c]?.remaining == true else {
                throw ParquetError("column \(columns[c]?.leaf.name ?? "?") ended inside a record")
            }
            columns[c]?.position += 1
        }
    }

    private mutating func read(_ node: SchemaNode) throws -> NestedValue {
        if node.repetition == .repeated {
            return .list(try readRepeated(node) { try $0.readInstance(node) })
        }
        if node.repetition == .optional, try peekDefinition(node) < node.maxDefinition {
            try skip(node)
            return .null
        }
        return try readInstance(node)
    }

    private mutating func readInstance(_ node: SchemaNode) throws -> NestedValue {
        switch node.shape {
        case .leaf(let c):
            guard var column = columns[c] else { throw ParquetError("column \(c) was not decoded") }
            guard column.remaining else { throw ParquetError("column \(column.leaf.name) ended inside a record") }
            let i = column.position
            column.position += 1
            let present = column.definition(i) == column.leaf.maxDefinition
            columns[c] = column
            return present ? (column.data.value(at: i).map(NestedValue.value) ?? .null) : .null
        case .group:
            var fields: [String: NestedValue] = [:]
            for child in node.children {
                let value = try read(child)
                if !value.isNull { fields[child.name] = value }
            }
            return .group(fields)
        case .list:
            let repeated = node.children[0]
            let element = node.elementNode(listName: node.name)
            let itemIsRepeated = element.repetition == .repeated
            return .list(try readRepeated(repeated) { try itemIsRepeated ? $0.readInstance(element) : $0.read(element) })
        case .map:
            let pairs = node.children[0]
            let entries = try readRepeated(pairs) { a in
                let key = try a.read(pairs.children[0])
                let value = pairs.children.count > 1 ? try a.read(pairs.children[1]) : .null
                return NestedValue.Entry(key: key, value: value)
            }
            return .map(entries)
        }
    }

    /// Reads the items of repeated `node`: none when its parent is present but empty.
    private mutating func readRepeated<T>(_ node: SchemaNode, _ item: (inout RecordAssembler) throws -> T) throws -> [T] {
        if try peekDefinition(node) < node.maxDefinition {
            try skip(node)
            return []
        }
        var items: [T] = []
        repeat {
            items.append(try item(&self))
        } while continues(node)
        return items
    }
}
