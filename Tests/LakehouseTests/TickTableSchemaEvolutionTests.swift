import Foundation
import ObjectStore
import Testing
import TestSupport
@testable import Lakehouse

/// Schema evolution on the tick table: the same metadata-only commit; the tick scans and the
/// reference readers go on reading it, older files giving nulls for the new column.
@Suite struct TickTableSchemaEvolutionTests {
    @Test func addingANullableColumnToTheTickTableKeepsEveryReaderWorking() async throws {
        let (store, dir) = try TickFixtures.localStore("ticks-evolution")
        let ticks = try await Lake.open(store: store).ticks()
        try await ticks.append(TickFixtures.records(count: 5))
        let version = try await ticks.delta.addColumns([DeltaSchema.Field(name: "venue", type: .string)])
        #expect(try await ticks.snapshot().delta.schema.field("venue")?.nullable == true)
        #expect(try await ticks.snapshot().delta.files.count == (try await ticks.snapshot(version: version - 1)).delta.files.count)
        try await ticks.append(TickFixtures.records(count: 5, offset: 5))
        #expect(try await ticks.ticks().count == 60)

        let output = try ProcessRunner.oracle("lakehouse/delta_oracle.py", ["summary", dir.appendingPathComponent("ticks").path]).stdout
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]]
        #expect(try TableSummary(json: json?["latest"]?["deltalake"]).rows == 60, "\(output)")
        #expect(try TableSummary(json: json?["latest"]?["duckdb_delta_scan"]).rows == 60, "\(output)")
        let types = json?["latest"]?["duckdb_types"] as? [String: String]
        #expect(types?["venue"] == "VARCHAR", "\(String(describing: types))")
    }
}
