import CryptoVizCore
import Foundation

/// A table schema in Delta's JSON form, a Spark `StructType` (Delta PROTOCOL.md, "Schema
/// Serialization Format").
public struct DeltaSchema: Sendable, Hashable, Codable {
    /// One column.
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var type: DeltaDataType
        public var nullable: Bool
        public var metadata: [String: JSONValue]

        /// A column; nullable by default like the columns Spark and delta-rs declare.
        public init(name: String, type: DeltaDataType, nullable: Bool = true, metadata: [String: JSONValue] = [:]) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.metadata = metadata
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            type = try c.decode(DeltaDataType.self, forKey: .type)
            nullable = try c.decodeIfPresent(Bool.self, forKey: .nullable) ?? true
            metadata = try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
        }
    }

    public var type: String = "struct"
    public var fields: [Field]

    /// A struct schema of `fields`, in order.
    public init(fields: [Field]) { self.fields = fields }

    /// Parses a `schemaString`.
    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(DeltaSchema.self, from: Data(json.utf8))
        } catch {
            throw LakehouseError(.corruptLog, "schemaString is not a Delta StructType: \(error)")
        }
        guard type == "struct" else { throw LakehouseError(.corruptLog, "schema type is '\(type)', not 'struct'") }
    }

    /// The compact JSON for `metaData.schemaString`.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The field named `name`, if any.
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// A column type: a primitive name (`string`, `long`, `integer`, `double`, `timestamp`,
/// `date`, `boolean`, `decimal(p,s)`, ...) or a nested struct/array/map kept as JSON.
public enum DeltaDataType: Sendable, Hashable, Codable {
    case primitive(String)
    case nested(JSONValue)

    public static let string = DeltaDataType.primitive("string")
    public static let long = DeltaDataType.primitive("long")
    public static let integer = DeltaDataType.primitive("integer")
    public static let double = DeltaDataType.primitive("double")
    public static let timestamp = DeltaDataType.primitive("timestamp")
    public static let date = DeltaDataType.primitive("date")
    public static let boolean = DeltaDataType.primitive("boolean")

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let name = try? c.decode(String.self) {
            self = .primitive(name)
        } else {
            self = .nested(try c.decode(JSONValue.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .primitive(let name): try c.encode(name)
        case .nested(let value): try c.encode(value)
        }
    }
}

extension DeltaDataType: CustomStringConvertible {
    /// The primitive's name (`string`, `timestamp`, ...) or the nested type's JSON.
    public var description: String {
        switch self {
        case .primitive(let name): name
        case .nested(let value): "\(value)"
        }
    }
}
