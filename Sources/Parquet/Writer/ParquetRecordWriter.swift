/// Writes a nested Parquet file from records: a schema of `ParquetField`s (groups, lists,
/// maps, optional or required) and rows of `ParquetRecord`, shredded into one column per
/// primitive leaf with definition and repetition levels (Parquet spec: "Nested Encoding",
/// LogicalTypes.md "Lists" and "Maps", written in their standard 3-level forms).
///
/// Pages, dictionaries, compression and statistics are the flat writer's (`ColumnChunkEncoder`);
/// pages of repeated columns start at record boundaries. Read back with
/// `ParquetFileReader.readRecords`.
public enum ParquetRecordWriter {
    /// The file bytes of `rows` under `fields`. A record may omit optional fields (null);
    /// a null or missing required field, an unknown field name or a value of the wrong shape
    /// throws, naming the field.
    public static func write(fields: [ParquetField], rows: [ParquetRecord],
                             options: ParquetWriterOptions = ParquetWriterOptions()) throws -> [UInt8] {
        guard !fields.isEmpty else { throw ParquetError("schema: no columns") }
        var elements = [SchemaElement()]
        elements[0].name = "schema"
        elements[0].numChildren = Int32(fields.count)
        try checkUnique(fields, in: "schema")
        for field in fields { try appendElements(field, repetition: nil, into: &elements, depth: 1) }
        let (roots, leaves) = try SchemaNode.parse(elements)

        var out = Array("PAR1".utf8)
        var rowGroups: [RowGroupFormat] = []
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + options.rowGroupRowLimit)
            var shredder = Shredder(leaves: leaves)
            for row in rows[start..<end] {
                for key in row.keys where !roots.contains(where: { $0.name == key }) {
                    throw ParquetError("record has field \(key), which the schema lacks")
                }
                for node in roots { try shredder.shred(node, row[node.name], definition: 0, repetition: 0) }
            }
            var group = RowGroupFormat()
            group.numRows = Int64(end - start)
            group.fileOffset = Int64(out.count)
            group.ordinal = Int16(truncatingIfNeeded: rowGroups.count)
            let groupStart = out.count
            for (i, leaf) in leaves.enumerated() {
                let data = try shredder.columnData(i)
                var encoder = ColumnChunkEncoder(column: ParquetColumn(name: leaf.name, type: leaf.type, optional: leaf.optional), options: options)
                encoder.nested = .init(path: leaf.path, maxDefinition: leaf.maxDefinition, maxRepetition: leaf.maxRepetition,
                                       definition: shredder.definition[i], repetition: shredder.repetition[i])
                let result = try encoder.encode(data, into: &out)
                group.columns.append(result.metadata)
                group.totalByteSize += result.metadata.totalUncompressedSize
            }
            group.totalCompressedSize = Int64(out.count - groupStart)
            rowGroups.append(group)
            start = end
        }

        var meta = FileMetaDataFormat()
        meta.version = 2
        meta.schema = elements
        meta.numRows = Int64(rows.count)
        meta.rowGroups = rowGroups
        meta.keyValueMetadata = options.keyValueMetadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        meta.createdBy = options.createdBy
        meta.hasTypeDefinedColumnOrders = true
        meta.appendFooter(to: &out)
        return out
    }

    private static func checkUnique(_ fields: [ParquetField], in parent: String) throws {
        var seen = Set<String>()
        for f in fields {
            guard !f.name.isEmpty else { throw ParquetError("schema: empty field name in \(parent)") }
            guard seen.insert(f.name).inserted else { throw ParquetError("schema: duplicate field \(f.name) in \(parent)") }
        }
    }

    /// Appends the depth-first schema elements of `field` (lists and maps in 3-level form).
    private static func appendElements(_ field: ParquetField, repetition: Repetition?, into elements: inout [SchemaElement],
                                       depth: Int) throws {
        guard depth <= SchemaNode.maxDepth / 2 else { throw ParquetError("schema: field \(field.name) nested too deeply") }
        let rep = repetition ?? (field.optional ? .optional : .required)
        switch field.kind {
        case .primitive(let type):
            var e = ParquetWriter.schemaElement(ParquetColumn(name: field.name, type: type, optional: false))
            e.repetition = rep.rawValue
            elements.append(e)
        case .group(let children):
            guard !children.isEmpty else { throw ParquetError("schema: group \(field.name) has no fields") }
            try checkUnique(children, in: field.name)
            elements.append(group(field.name, rep, children: children.count))
            for child in children { try appendElements(child, repetition: nil, into: &elements, depth: depth + 1) }
        case .list(let element):
            var e = group(field.name, rep, children: 1)
            e.convertedType = ConvertedTypeCode.list
            e.logicalType = .list
            elements.append(e)
            elements.append(group("list", .repeated, children: 1))
            var item = element
            item.name = "element"
            try appendElements(item, repetition: nil, into: &elements, depth: depth + 1)
        case .map(let key, let value):
            guard !key.optional else { throw ParquetError("schema: map \(field.name) has an optional key") }
            var e = group(field.name, rep, children: 1)
            e.convertedType = ConvertedTypeCode.map
            e.logicalType = .map
            elements.append(e)
            elements.append(group("key_value", .repeated, children: 2))
            var k = key
            k.name = "key"
            var v = value
            v.name = "value"
            try appendElements(k, repetition: nil, into: &elements, depth: depth + 1)
            try appendElements(v, repetition: nil, into: &elements, depth: depth + 1)
        }
    }

    private static func group(_ name: String, _ repetition: Repetition, children: Int) -> SchemaElement {
        var e = SchemaElement()
        e.name = name
        e.repetition = repetition.rawValue
        e.numChildren = Int32(children)
        return e
    }
}

/// Turns records into per-leaf value slots and levels: a present value at the leaf's maximum
/// definition level, an absent one (null, or an empty list/map) as one slot at the level of
/// its deepest present ancestor in every leaf below it.
private struct Shredder {
    let leaves: [LeafColumn]
    var values: [[ParquetValue?]]
    var definition: [[UInt8]]
    var repetition: [[UInt8]]

    init(leaves: [LeafColumn]) {
        self.leaves = leaves
        values = leaves.map { _ in [] }
        definition = leaves.map { _ in [] }
        repetition = leaves.map { _ in [] }
    }

    private mutating func append(_ leaf: Int, _ value: ParquetValue?, _ def: Int, _ rep: Int) {
        values[leaf].append(value)
        if leaves[leaf].maxDefinition > 0 { definition[leaf].append(UInt8(def)) }
        if leaves[leaf].maxRepetition > 0 { repetition[leaf].append(UInt8(rep)) }
    }

    private mutating func absent(_ node: SchemaNode, _ def: Int, _ rep: Int) {
        for leaf in node.leaves { append(leaf, nil, def, rep) }
    }

    /// Shreds `value` of `node`, whose parent is present at level `definition`.
    mutating func shred(_ node: SchemaNode, _ value: NestedValue?, definition def: Int, repetition rep: Int) throws {
        let value = value ?? .null
        if value.isNull {
            guard node.repetition == .optional else { throw ParquetError("required field \(node.name) is null") }
            absent(node, def, rep)
            return
        }
        switch node.shape {
        case .leaf(let i):
            guard case .value(let v) = value else { throw ParquetError("field \(node.name) needs a primitive value, got \(value)") }
            append(i, v, node.maxDefinition, rep)
        case .group:
            guard case .group(let fields) = value else { throw ParquetError("field \(node.name) needs a struct, got \(value)") }
            for key in fields.keys where !node.children.contains(where: { $0.name == key }) {
                throw ParquetError("struct \(node.name) has no field \(key)")
            }
            for child in node.children { try shred(child, fields[child.name], definition: node.maxDefinition, repetition: rep) }
        case .list:
            guard case .list(let items) = value else { throw ParquetError("field \(node.name) needs a list, got \(value)") }
            let repeated = node.children[0]
            if items.isEmpty { return absent(repeated, node.maxDefinition, rep) }
            for (k, item) in items.enumerated() {
                try shred(repeated.children[0], item, definition: repeated.maxDefinition, repetition: k == 0 ? rep : repeated.maxRepetition)
            }
        case .map:
            guard case .map(let entries) = value else { throw ParquetError("field \(node.name) needs a map, got \(value)") }
            let pairs = node.children[0]
            if entries.isEmpty { return absent(pairs, node.maxDefinition, rep) }
            for (k, entry) in entries.enumerated() {
                let r = k == 0 ? rep : pairs.maxRepetition
                try shred(pairs.children[0], entry.key, definition: pairs.maxDefinition, repetition: r)
                try shred(pairs.children[1], entry.value, definition: pairs.maxDefinition, repetition: r)
            }
        }
    }

    /// Leaf `i`'s slots as typed values with placeholders at absent slots.
    func columnData(_ i: Int) throws -> ColumnData {
        let leaf = leaves[i]
        let slots = values[i]
        func typed<T>(_ placeholder: T, _ extract: (ParquetValue) -> T?) throws -> ([T], [Bool]?) {
            var out = [T]()
            out.reserveCapacity(slots.count)
            var validity = [Bool]()
            validity.reserveCapacity(slots.count)
            var anyAbsent = false
            for slot in slots {
                if let slot {
                    guard let v = extract(slot) else { throw ParquetError("column \(leaf.name) of type \(leaf.type) given \(slot)") }
                    out.append(v)
                    validity.append(true)
                } else {
                    out.append(placeholder)
                    validity.append(false)
                    anyAbsent = true
                }
            }
            return (out, anyAbsent ? validity : nil)
        }
        switch leaf.type.storage {
        case .boolean:
            let (v, ok) = try typed(false) { if case .boolean(let x) = $0 { x } else { nil } }
            return ColumnData(.boolean(v), validity: ok)
        case .int32:
            let (v, ok) = try typed(Int32(0)) { if case .int32(let x) = $0 { x } else { nil } }
            return ColumnData(.int32(v), validity: ok)
        case .int64:
            let (v, ok) = try typed(Int64(0)) { if case .int64(let x) = $0 { x } else { nil } }
            return ColumnData(.int64(v), validity: ok)
        case .float:
            let (v, ok) = try typed(Float(0)) { if case .float(let x) = $0 { x } else { nil } }
            return ColumnData(.float(v), validity: ok)
        case .double:
            let (v, ok) = try typed(Double(0)) { if case .double(let x) = $0 { x } else { nil } }
            return ColumnData(.double(v), validity: ok)
        case .string:
            let (v, ok) = try typed("") { if case .string(let x) = $0 { x } else { nil } }
            return ColumnData(.string(v), validity: ok)
        case .binary:
            let (v, ok) = try typed([UInt8]()) { if case .binary(let x) = $0 { x } else { nil } }
            return ColumnData(.binary(v), validity: ok)
        }
    }
}
