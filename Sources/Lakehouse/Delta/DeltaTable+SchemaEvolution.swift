/// Schema evolution: adding nullable columns is a metadata-only commit (Delta PROTOCOL.md,
/// "Change Metadata" and "Schema Serialization Format"; column mapping is not needed to add).
extension DeltaTable {
    /// Commits a new `metaData` whose schema is the current one followed by `fields`, and
    /// returns the version. No data file is touched: files written before it lack the
    /// columns, which every reader (this one, delta-rs, DuckDB) then reads as nulls.
    ///
    /// Throws `.invalidArgument` for a non-nullable field, a name the table already has
    /// (compared case-insensitively, as Spark and delta-rs resolve columns), a duplicate
    /// within `fields`, or none at all; `.concurrentModification` when another writer
    /// changed the metadata meanwhile.
    @discardableResult
    public func addColumns(_ fields: [DeltaSchema.Field]) async throws -> Int64 {
        guard !fields.isEmpty else { throw LakehouseError(.invalidArgument, "addColumns needs at least one column") }
        let snapshot = try await latestSnapshot()
        var schema = snapshot.schema
        var names = Set(schema.fields.map { $0.name.lowercased() })
        for field in fields {
            guard field.nullable else {
                throw LakehouseError(.invalidArgument,
                    "column '\(field.name)' must be nullable: rows written before it have no value for it")
            }
            guard !field.name.isEmpty, names.insert(field.name.lowercased()).inserted else {
                throw LakehouseError(.invalidArgument, "column '\(field.name)' already exists in table \(root.isEmpty ? "at the root" : root)")
            }
            schema.fields.append(field)
        }
        var metadata = snapshot.metadata
        metadata.schemaString = try schema.jsonString()
        let added = fields.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        let version = try await commit(.init(
            actions: [.metadata(metadata)], operation: "ADD COLUMNS",
            parameters: ["columns": .string(Self.jsonArrayString(fields.map(\.name)))], readVersion: snapshot.version))
        logger.info("added columns", metadata: ["table": "\(root)", "version": "\(version)", "columns": "\(added)"])
        return version
    }
}
