/// One field of a nested schema: a primitive column, a group (struct), a list or a map, each
/// required or optional (Parquet spec: LogicalTypes.md, "Nested Types").
///
/// Lists and maps are written in the standard 3-level forms (`<list> LIST { repeated group
/// list { element } }`, `<map> MAP { repeated group key_value { key; value } }`); any of the
/// backward-compatible forms is accepted when reading.
public struct ParquetField: Sendable, Hashable {
    /// What the field holds.
    public indirect enum Kind: Sendable, Hashable {
        case primitive(ParquetType)
        /// A struct of uniquely named fields, in order.
        case group([ParquetField])
        /// A list of `element` (an optional element allows null items).
        case list(element: ParquetField)
        /// A map; the key must be required (Parquet forbids null keys).
        case map(key: ParquetField, value: ParquetField)
    }

    /// The field's name in its parent (unique there).
    public var name: String
    /// Whether the field itself may be null (its parent then has no value for it).
    public var optional: Bool
    /// What the field holds.
    public var kind: Kind

    /// A field named `name` of `kind`.
    public init(_ name: String, _ kind: Kind, optional: Bool = true) {
        self.name = name
        self.kind = kind
        self.optional = optional
    }

    /// A primitive column.
    public static func primitive(_ name: String, _ type: ParquetType, optional: Bool = true) -> ParquetField {
        ParquetField(name, .primitive(type), optional: optional)
    }

    /// A struct of `fields`.
    public static func group(_ name: String, _ fields: [ParquetField], optional: Bool = true) -> ParquetField {
        ParquetField(name, .group(fields), optional: optional)
    }

    /// A list whose items are of `element` (named "element" in the file).
    public static func list(_ name: String, element: ParquetField.Kind, elementOptional: Bool = true,
                            optional: Bool = true) -> ParquetField {
        ParquetField(name, .list(element: ParquetField("element", element, optional: elementOptional)), optional: optional)
    }

    /// A map from `key` (required) to `value`.
    public static func map(_ name: String, key: ParquetType, value: ParquetField.Kind, valueOptional: Bool = true,
                           optional: Bool = true) -> ParquetField {
        ParquetField(name, .map(key: .primitive("key", key, optional: false),
                                value: ParquetField("value", value, optional: valueOptional)), optional: optional)
    }
}
