/// One node of a file's schema tree with the levels record shredding and assembly need
/// (Parquet spec: "Nested Encoding"; Dremel definition and repetition levels).
///
/// `maxDefinition` is the definition level at which this node is present (it counts every
/// optional or repeated node from the root down to and including this one); `maxRepetition`
/// counts the repeated ones. `leaves` are the indices (in footer column order) of the
/// primitive columns under the node.
struct SchemaNode: Sendable {
    /// How a group's children are presented as a value.
    enum Shape: Sendable {
        /// A primitive column: index into the file's leaf columns.
        case leaf(Int)
        case group
        /// Annotated LIST with one repeated child (the standard or a legacy form).
        case list
        /// Annotated MAP / MAP_KEY_VALUE with one repeated key/value child group.
        case map
    }

    var name: String
    var repetition: Repetition
    var shape: Shape
    var children: [SchemaNode]
    var maxDefinition: Int
    var maxRepetition: Int
    var leaves: [Int]

    /// Deeper schemas are refused: recursion over the tree (shredding, assembly) stays bounded.
    static let maxDepth = 64

    /// Parses the footer's depth-first element list into top-level nodes and leaf columns.
    /// Every count is checked against the elements that remain, so a hostile footer throws.
    static func parse(_ elements: [SchemaElement]) throws -> (roots: [SchemaNode], leaves: [LeafColumn]) {
        guard let root = elements.first else { throw ParquetError("footer has an empty schema") }
        var index = 1
        var leaves: [LeafColumn] = []
        let count = Int(root.numChildren ?? 0)
        guard count >= 0, count <= elements.count - 1 else {
            throw ParquetError("schema root declares \(count) children, footer holds \(elements.count - 1) elements")
        }
        var roots: [SchemaNode] = []
        for _ in 0..<count {
            roots.append(try parseNode(elements, &index, &leaves, path: [], definition: 0, repetition: 0, depth: 1))
        }
        guard index == elements.count else {
            throw ParquetError("schema root declares \(count) columns, footer holds \(elements.count - 1) elements (\(elements.count - index) left over)")
        }
        return (roots, leaves)
    }

    private static func parseNode(_ elements: [SchemaElement], _ index: inout Int, _ leaves: inout [LeafColumn],
                                  path: [String], definition: Int, repetition: Int, depth: Int) throws -> SchemaNode {
        guard depth <= maxDepth else { throw ParquetError("schema nested deeper than \(maxDepth) levels") }
        guard index < elements.count else { throw ParquetError("schema ends inside group \(path.joined(separator: "."))") }
        let e = elements[index]
        index += 1
        guard let rep = Repetition(rawValue: e.repetition ?? Repetition.required.rawValue) else {
            throw ParquetError("schema element \(e.name): unknown repetition \(e.repetition ?? -1)")
        }
        let path = path + [e.name]
        let def = definition + (rep == .required ? 0 : 1)
        let repLevel = repetition + (rep == .repeated ? 1 : 0)
        let childCount = Int(e.numChildren ?? 0)
        if e.type != nil && childCount == 0 {
            let leaf = try LeafColumn(e, path: path, repetition: rep, maxDefinition: def, maxRepetition: repLevel)
            leaves.append(leaf)
            return SchemaNode(name: e.name, repetition: rep, shape: .leaf(leaves.count - 1), children: [],
                              maxDefinition: def, maxRepetition: repLevel, leaves: [leaves.count - 1])
        }
        guard childCount > 0, childCount <= elements.count - index else {
            throw ParquetError("schema group \(path.joined(separator: ".")) declares \(childCount) children, \(elements.count - index) elements remain")
        }
        var children: [SchemaNode] = []
        for _ in 0..<childCount {
            children.append(try parseNode(elements, &index, &leaves, path: path, definition: def, repetition: repLevel, depth: depth + 1))
        }
        var shape = Shape.group
        let onlyRepeatedChild = children.count == 1 && children[0].repetition == .repeated
        if e.logicalType == .list || e.convertedType == ConvertedTypeCode.list, onlyRepeatedChild {
            shape = .list
        } else if e.logicalType == .map || e.convertedType == ConvertedTypeCode.map || e.convertedType == ConvertedTypeCode.mapKeyValue,
                  onlyRepeatedChild, case .group = children[0].shape, (1...2).contains(children[0].children.count) {
            shape = .map
        }
        return SchemaNode(name: e.name, repetition: rep, shape: shape, children: children, maxDefinition: def,
                          maxRepetition: repLevel, leaves: children.flatMap(\.leaves))
    }

    /// The node with only the leaves in `selected` (nil when none is under it). A list or map
    /// is kept whole once any of its leaves is selected, so its items stay complete.
    func pruned(to selected: Set<Int>) -> SchemaNode? {
        guard leaves.contains(where: selected.contains) else { return nil }
        switch shape {
        case .leaf, .list, .map: return self
        case .group:
            var copy = self
            copy.children = children.compactMap { $0.pruned(to: selected) }
            copy.leaves = copy.children.flatMap(\.leaves)
            return copy
        }
    }

    /// The public description of this node.
    func field(_ leafColumns: [LeafColumn]) -> ParquetField {
        let kind: ParquetField.Kind
        switch shape {
        case .leaf(let i): kind = .primitive(leafColumns[i].type)
        case .group: kind = .group(children.map { $0.field(leafColumns) })
        case .list:
            var element = elementNode(listName: name)
            if element.repetition == .repeated { element.repetition = .required }
            kind = .list(element: element.field(leafColumns))
        case .map:
            let kv = children[0]
            kind = .map(key: kv.children[0].field(leafColumns),
                        value: kv.children.count > 1 ? kv.children[1].field(leafColumns) : ParquetField("value", .group([])))
        }
        if repetition == .repeated {
            // A bare repeated field is a required list of required items.
            var item = self
            item.repetition = .required
            return ParquetField(name, .list(element: item.field(leafColumns)), optional: false)
        }
        return ParquetField(name, kind, optional: repetition == .optional)
    }

    /// The node holding one item of this LIST node, following the backward-compatibility rules
    /// of LogicalTypes.md: the repeated child's only child, unless the repeated child is a
    /// primitive, has several fields, or is named `array` / `<list>_tuple` (then it is the item).
    func elementNode(listName: String) -> SchemaNode {
        let repeated = children[0]
        if case .group = repeated.shape, repeated.children.count == 1, repeated.name != "array", repeated.name != listName + "_tuple" {
            return repeated.children[0]
        }
        return repeated
    }
}
