/// The `metaData` action: table identity, schema and partitioning (Delta PROTOCOL.md,
/// "Change Metadata").
public struct DeltaMetadata: Sendable, Hashable, Codable {
    /// The data file format; always `parquet` in Delta.
    public struct Format: Sendable, Hashable, Codable {
        public var provider: String
        public var options: [String: String]
        /// Parquet with no options, the only format Delta defines.
        public init(provider: String = "parquet", options: [String: String] = [:]) {
            self.provider = provider
            self.options = options
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            provider = try c.decode(String.self, forKey: .provider)
            options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        }
    }

    /// A unique id (UUID) for the table.
    public var id: String
    public var name: String?
    public var description: String?
    public var format: Format
    /// The table schema as a Spark `StructType` serialized to JSON.
    public var schemaString: String
    public var partitionColumns: [String]
    /// Creation time, Unix ms.
    public var createdTime: Int64?
    public var configuration: [String: String]

    /// Table metadata; `schemaString` must be a Delta StructType JSON.
    public init(id: String, name: String? = nil, description: String? = nil, format: Format = Format(),
                schemaString: String, partitionColumns: [String], createdTime: Int64?,
                configuration: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.description = description
        self.format = format
        self.schemaString = schemaString
        self.partitionColumns = partitionColumns
        self.createdTime = createdTime
        self.configuration = configuration
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        format = try c.decodeIfPresent(Format.self, forKey: .format) ?? Format()
        schemaString = try c.decode(String.self, forKey: .schemaString)
        partitionColumns = try c.decodeIfPresent([String].self, forKey: .partitionColumns) ?? []
        createdTime = try c.decodeIfPresent(Int64.self, forKey: .createdTime)
        // Values may be null in logs written by other clients; a null setting is no setting.
        let raw = try c.decodeIfPresent([String: String?].self, forKey: .configuration) ?? [:]
        configuration = raw.compactMapValues { $0 }
    }

    /// The parsed schema.
    public func schema() throws -> DeltaSchema {
        try DeltaSchema(json: schemaString)
    }
}
