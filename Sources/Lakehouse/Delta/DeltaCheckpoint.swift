import Parquet

/// A classic single-file Delta checkpoint: the reconciled state of one version as a Parquet
/// file `_delta_log/<version>.checkpoint.parquet`, one action per row in a struct column per
/// action type (Delta PROTOCOL.md, "Checkpoints", "Checkpoint Schema").
///
/// The schema mirrors what delta-rs writes (add/remove/metaData/protocol/txn plus the
/// optional domainMetadata/sidecar columns, all nullable at the top), so delta-rs, DuckDB and
/// Spark read CryptoViz checkpoints; `partitionValues` is `map<string,string>` and `stats` a
/// JSON string. Reading projects only the members CryptoViz uses, so `stats_parsed`,
/// `partitionValues_parsed` and deletion vectors of foreign checkpoints cost nothing.
public enum DeltaCheckpoint {
    /// The Parquet schema of a checkpoint written by CryptoViz.
    public static let fields: [ParquetField] = {
        let stringMap = ParquetField.map("partitionValues", key: .string, value: .primitive(.string), optional: false)
        let tags = ParquetField.map("tags", key: .string, value: .primitive(.string))
        let deletionVector = ParquetField.group("deletionVector", [
            .primitive("storageType", .string, optional: false),
            .primitive("pathOrInlineDv", .string, optional: false),
            .primitive("offset", .int32),
            .primitive("sizeInBytes", .int32, optional: false),
            .primitive("cardinality", .int64, optional: false),
        ])
        let requiredStringMap = { (name: String) in
            ParquetField.map(name, key: .string, value: .primitive(.string), valueOptional: false, optional: false)
        }
        let features = { (name: String) in ParquetField.list(name, element: .primitive(.string), elementOptional: false) }
        var removePartitionValues = stringMap
        removePartitionValues.optional = true
        return [
            .group("add", [
                .primitive("path", .string, optional: false), stringMap,
                .primitive("size", .int64, optional: false), .primitive("modificationTime", .int64, optional: false),
                .primitive("dataChange", .boolean, optional: false), .primitive("stats", .string), tags, deletionVector,
                .primitive("baseRowId", .int64), .primitive("defaultRowCommitVersion", .int64), .primitive("clusteringProvider", .string),
            ]),
            .group("remove", [
                .primitive("path", .string, optional: false), .primitive("deletionTimestamp", .int64),
                .primitive("dataChange", .boolean, optional: false), .primitive("extendedFileMetadata", .boolean),
                removePartitionValues, .primitive("size", .int64), .primitive("stats", .string), tags, deletionVector,
                .primitive("baseRowId", .int64), .primitive("defaultRowCommitVersion", .int64),
            ]),
            .group("metaData", [
                .primitive("id", .string, optional: false), .primitive("name", .string), .primitive("description", .string),
                .group("format", [.primitive("provider", .string, optional: false), requiredStringMap("options")], optional: false),
                .primitive("schemaString", .string, optional: false),
                .list("partitionColumns", element: .primitive(.string), elementOptional: false, optional: false),
                .primitive("createdTime", .int64), requiredStringMap("configuration"),
            ]),
            .group("protocol", [
                .primitive("minReaderVersion", .int32, optional: false), .primitive("minWriterVersion", .int32, optional: false),
                features("readerFeatures"), features("writerFeatures"),
            ]),
            .group("txn", [
                .primitive("appId", .string, optional: false), .primitive("version", .int64, optional: false),
                .primitive("lastUpdated", .int64),
            ]),
            .group("domainMetadata", [
                .primitive("domain", .string, optional: false), .primitive("configuration", .string, optional: false),
                .primitive("removed", .boolean, optional: false),
            ]),
            .group("sidecar", [
                .primitive("path", .string, optional: false), .primitive("sizeInBytes", .int64, optional: false),
                .primitive("modificationTime", .int64, optional: false), tags,
            ]),
        ]
    }()

    /// The members read back; everything else in a checkpoint is skipped undecoded.
    static let projection = [
        "add.path", "add.partitionValues", "add.size", "add.modificationTime", "add.dataChange", "add.stats", "add.tags",
        "add.deletionVector.storageType",
        "remove.path", "remove.deletionTimestamp", "remove.dataChange", "remove.extendedFileMetadata",
        "remove.partitionValues", "remove.size",
        "metaData", "protocol", "txn",
    ]

    /// The checkpoint file of `snapshot`: protocol, metaData, every txn, every active file and
    /// the tombstones deleted after `tombstoneCutoffMillis` (older ones may already be vacuumed,
    /// PROTOCOL.md "Checkpoints"). Rows are in a fixed order, so two writers checkpointing the
    /// same version at the same cutoff write the same bytes. Returns the bytes, the number of
    /// actions (rows) and of add actions, for `_last_checkpoint`.
    public static func encode(_ snapshot: DeltaSnapshot, tombstoneCutoffMillis: Int64) throws -> (bytes: [UInt8], actions: Int, adds: Int) {
        var rows: [ParquetRecord] = []
        let p = snapshot.protocolAction
        var proto: [String: NestedValue] = [
            "minReaderVersion": .int32(Int32(clamping: p.minReaderVersion)),
            "minWriterVersion": .int32(Int32(clamping: p.minWriterVersion)),
        ]
        proto["readerFeatures"] = .stringList(p.readerFeatures)
        proto["writerFeatures"] = .stringList(p.writerFeatures)
        rows.append(["protocol": .group(proto)])
        let m = snapshot.metadata
        rows.append(["metaData": .group([
            "id": .string(m.id), "name": .string(m.name), "description": .string(m.description),
            "format": .group(["provider": .string(m.format.provider), "options": .stringMap(m.format.options)]),
            "schemaString": .string(m.schemaString), "partitionColumns": .stringList(m.partitionColumns),
            "createdTime": .int64(m.createdTime), "configuration": .stringMap(m.configuration),
        ])])
        for appId in snapshot.transactions.keys.sorted() {
            guard let t = snapshot.transactions[appId] else { continue }
            rows.append(["txn": .group(["appId": .string(t.appId), "version": .int64(t.version), "lastUpdated": .int64(t.lastUpdated)])])
        }
        for a in snapshot.files {
            rows.append(["add": .group([
                "path": .string(a.path), "partitionValues": .stringMap(a.partitionValues), "size": .int64(a.size),
                "modificationTime": .int64(a.modificationTime), "dataChange": .boolean(a.dataChange),
                "stats": .string(a.stats), "tags": a.tags.map { .stringMap($0) } ?? .null,
            ])])
        }
        for key in snapshot.tombstones.keys.sorted() {
            guard let r = snapshot.tombstones[key], (r.deletionTimestamp ?? Int64.max) > tombstoneCutoffMillis else { continue }
            rows.append(["remove": .group([
                "path": .string(r.path), "deletionTimestamp": .int64(r.deletionTimestamp), "dataChange": .boolean(r.dataChange),
                "extendedFileMetadata": .boolean(r.extendedFileMetadata), "partitionValues": .stringMap(r.partitionValues),
                "size": .int64(r.size),
            ])])
        }
        let bytes = try ParquetRecordWriter.write(fields: fields, rows: rows, options: ParquetWriterOptions(
            keyValueMetadata: ["writer": "cryptoviz-lakehouse"]))
        return (bytes, rows.count, snapshot.activeFiles.count)
    }

    /// The actions of a checkpoint file (any single-file checkpoint, e.g. delta-rs's);
    /// throws `.corruptLog` naming the problem.
    public static func decode(_ bytes: [UInt8], version: Int64) throws -> [DeltaAction] {
        let records: [ParquetRecord]
        do {
            records = try ParquetFileReader(bytes: bytes).readRecords(columns: projection)
        } catch let error as ParquetError {
            throw LakehouseError(.corruptLog, "checkpoint \(version): \(error.message)")
        }
        var actions: [DeltaAction] = []
        actions.reserveCapacity(records.count)
        for (row, record) in records.enumerated() {
            func fail(_ what: String) -> LakehouseError {
                LakehouseError(.corruptLog, "checkpoint \(version) row \(row): \(what)")
            }
            if let a = record["add"] {
                guard a["deletionVector"] == nil else {
                    throw LakehouseError(.unsupportedProtocol, "checkpoint \(version) row \(row): deletion vectors are not supported")
                }
                guard let path = a["path"]?.stringValue, let size = a["size"]?.int64Value else { throw fail("add without path or size") }
                actions.append(.add(AddFile(
                    path: path, partitionValues: try stringMap(a["partitionValues"]) ?? [:], size: size,
                    modificationTime: a["modificationTime"]?.int64Value ?? 0, dataChange: a["dataChange"]?.boolValue ?? true,
                    stats: a["stats"]?.stringValue, tags: try stringMap(a["tags"])?.compactMapValues { $0 })))
            } else if let r = record["remove"] {
                guard let path = r["path"]?.stringValue else { throw fail("remove without path") }
                actions.append(.remove(RemoveFile(
                    path: path, deletionTimestamp: r["deletionTimestamp"]?.int64Value, dataChange: r["dataChange"]?.boolValue ?? true,
                    extendedFileMetadata: r["extendedFileMetadata"]?.boolValue, partitionValues: try stringMap(r["partitionValues"]),
                    size: r["size"]?.int64Value)))
            } else if let m = record["metaData"] {
                guard let id = m["id"]?.stringValue, let schema = m["schemaString"]?.stringValue else {
                    throw fail("metaData without id or schemaString")
                }
                let format = m["format"]
                actions.append(.metadata(DeltaMetadata(
                    id: id, name: m["name"]?.stringValue, description: m["description"]?.stringValue,
                    format: DeltaMetadata.Format(provider: format?["provider"]?.stringValue ?? "parquet",
                                                 options: try stringMap(format?["options"])?.compactMapValues { $0 } ?? [:]),
                    schemaString: schema, partitionColumns: try stringList(m["partitionColumns"]) ?? [],
                    createdTime: m["createdTime"]?.int64Value,
                    configuration: try stringMap(m["configuration"])?.compactMapValues { $0 } ?? [:])))
            } else if let p = record["protocol"] {
                guard let reader = p["minReaderVersion"]?.int64Value, let writer = p["minWriterVersion"]?.int64Value else {
                    throw fail("protocol without versions")
                }
                actions.append(.protocol(DeltaProtocol(
                    minReaderVersion: Int(reader), minWriterVersion: Int(writer),
                    readerFeatures: try stringList(p["readerFeatures"]), writerFeatures: try stringList(p["writerFeatures"]))))
            } else if let t = record["txn"] {
                guard let appId = t["appId"]?.stringValue, let v = t["version"]?.int64Value else { throw fail("txn without appId or version") }
                actions.append(.txn(TransactionAction(appId: appId, version: v, lastUpdated: t["lastUpdated"]?.int64Value)))
            }
        }
        return actions
    }

    private static func stringMap(_ value: NestedValue?) throws -> [String: String?]? {
        guard let value else { return nil }
        guard let entries = value.mapValue else { throw LakehouseError(.corruptLog, "checkpoint map column holds \(value)") }
        var out: [String: String?] = [:]
        for e in entries {
            guard let key = e.key.stringValue else { throw LakehouseError(.corruptLog, "checkpoint map key \(e.key) is not a string") }
            out[key] = e.value.stringValue
        }
        return out
    }

    private static func stringList(_ value: NestedValue?) throws -> [String]? {
        guard let value else { return nil }
        guard let items = value.listValue else { throw LakehouseError(.corruptLog, "checkpoint list column holds \(value)") }
        return items.compactMap(\.stringValue)
    }
}
