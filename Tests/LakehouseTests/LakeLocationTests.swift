import Foundation
import Lakehouse
import ObjectStore
import Testing
import TestSupport

/// The lake commands find the table as `up` does: `--lake`, else `CRYPTOVIZ_LAKE`, else
/// `<--data or CRYPTOVIZ_DATA or ./cryptoviz-data>/lake`.
@Suite struct LakeLocationTests {
    func info(_ arguments: [String], environment: [String: String]) throws -> CommandResult {
        try ProcessRunner.run(try TestEnvironment.cryptovizBinary(), ["lake", "info"] + arguments,
                              environment: environment, check: false)
    }

    /// A data directory holding a table of `appends` x 60 rows in its lake/ folder.
    func dataDirectory(_ label: String, appends: Int) async throws -> URL {
        let data = try TestEnvironment.temporaryDirectory(label)
        let store = try LocalFileStore(root: data.appendingPathComponent("lake").path)
        let table = try await Lake.open(store: store).ticks()
        for batch in 0..<appends { try await table.append(TickFixtures.records(count: 10, offset: batch * 10)) }
        return data
    }

    @Test func environmentAndFlagsChooseTheTableInUpsOrder() async throws {
        let one = try await dataDirectory("lake-env-one", appends: 1)
        let two = try await dataDirectory("lake-env-two", appends: 2)
        let lakeOf = { (data: URL) in "file://\(data.appendingPathComponent("lake").path)" }

        let byData = try info([], environment: ["CRYPTOVIZ_DATA": one.path])
        #expect(byData.status == 0 && byData.stdout.contains("rows         60"), "\(byData.stdout)\(byData.stderr)")
        #expect(byData.stdout.contains("table        \(lakeOf(one))"), "\(byData.stdout)")

        let byLake = try info([], environment: ["CRYPTOVIZ_DATA": one.path, "CRYPTOVIZ_LAKE": lakeOf(two)])
        #expect(byLake.stdout.contains("rows         120"), "CRYPTOVIZ_LAKE beats CRYPTOVIZ_DATA: \(byLake.stdout)\(byLake.stderr)")

        let byFlag = try info(["--lake", lakeOf(one)], environment: ["CRYPTOVIZ_LAKE": lakeOf(two)])
        #expect(byFlag.stdout.contains("rows         60"), "--lake beats CRYPTOVIZ_LAKE: \(byFlag.stdout)\(byFlag.stderr)")

        let byDataFlag = try info(["--data", two.path], environment: ["CRYPTOVIZ_DATA": one.path])
        #expect(byDataFlag.stdout.contains("rows         120"), "--data beats CRYPTOVIZ_DATA: \(byDataFlag.stdout)\(byDataFlag.stderr)")

        let config = one.appendingPathComponent("config.json")
        try Data(#"{"lake": "\#(lakeOf(two))"}"#.utf8).write(to: config)
        let byConfig = try info(["--config", config.path], environment: [:])
        #expect(byConfig.stdout.contains("rows         120"), "\(byConfig.stdout)\(byConfig.stderr)")
    }

    @Test func aMissingLocalTableIsAnErrorAndNothingIsCreated() throws {
        let data = try TestEnvironment.temporaryDirectory("lake-env-missing")
        let result = try info([], environment: ["CRYPTOVIZ_DATA": data.path])
        #expect(result.status != 0 && result.stderr.contains("no Delta table at"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("lake").path))
    }
}
