import Testing
@testable import Lakehouse

@Suite struct DeltaActionTests {
    @Test func roundTripsEveryActionKind() throws {
        let add = AddFile(path: "date=2025-11-26/source=coingecko/part-1.snappy.parquet",
                          partitionValues: ["date": "2025-11-26", "source": nil], size: 1234, modificationTime: 5,
                          dataChange: true, stats: #"{"numRecords":3}"#)
        let actions: [DeltaAction] = [
            .commitInfo(["operation": .string("WRITE"), "timestamp": .int(9)]),
            .protocol(.cryptoViz),
            .metadata(DeltaMetadata(id: "abc", schemaString: #"{"type":"struct","fields":[]}"#,
                                    partitionColumns: ["date"], createdTime: 1)),
            .add(add),
            .remove(RemoveFile(removing: add, at: 77, dataChange: false)),
            .txn(TransactionAction(appId: "g/t/0", version: 41, lastUpdated: 8)),
        ]
        let bytes = try DeltaAction.encodeCommit(actions)
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == actions.count)
        #expect(try DeltaAction.decodeCommit(bytes, version: 0) == actions)
    }

    @Test func readsALineWrittenByDeltaRs() throws {
        let line = #"{"add":{"path":"date=2025-11-26/source=binance/part-00000-45-c000.snappy.parquet","partitionValues":{"source":"binance","date":"2025-11-26"},"size":7046,"modificationTime":1795654851454,"dataChange":true,"stats":"{\"numRecords\":24,\"minValues\":{\"asset\":\"bitcoin\",\"source_time\":\"2025-11-26T00:02:28Z\"},\"maxValues\":{\"asset\":\"solana\",\"source_time\":\"2025-11-26T00:30:01.5Z\"},\"nullCount\":{\"asset\":0}}","tags":null,"deletionVector":null,"baseRowId":null,"defaultRowCommitVersion":null,"clusteringProvider":null}}"#
        let actions = try DeltaAction.decodeCommit(Array(line.utf8), version: 3)
        guard case .add(let add)? = actions.first else { Issue.record("not an add: \(actions)"); return }
        #expect(add.size == 7046)
        let stats = try #require(add.parsedStatistics())
        #expect(stats.numRecords == 24)
        #expect(stats.stringRange("asset") == "bitcoin"..."solana")
        #expect(stats.timestampRange("source_time") == 1_764_115_348_000...1_764_117_001_501)
    }

    @Test func ignoresUnknownActionsAndBlankLines() throws {
        let text = "\n{\"domainMetadata\":{\"domain\":\"x\"}}\n\n{\"txn\":{\"appId\":\"a\",\"version\":1}}\n"
        let actions = try DeltaAction.decodeCommit(Array(text.utf8), version: 1)
        #expect(actions == [.unknown("domainMetadata"), .txn(TransactionAction(appId: "a", version: 1, lastUpdated: nil))])
    }

    @Test(arguments: [
        "{\"add\":{\"path\":\"x\"", // truncated
        "not json at all",
        "{\"add\":{\"size\":3}}", // no path
        "{\"add\":{\"path\":\"a\",\"size\":1},\"remove\":{\"path\":\"b\"}}", // two actions
        "[1,2,3]",
    ])
    func rejectsMalformedLinesWithCorruptLog(line: String) throws {
        let error = #expect(throws: LakehouseError.self) {
            try DeltaAction.decodeCommit(Array(line.utf8), version: 7)
        }
        #expect(error?.code == .corruptLog)
        #expect(error?.message.contains("commit 7") == true)
    }

    @Test func percentEncodedPathsDecodeToStoreKeys() {
        let key = "date=2025-11-26/source=a b:c/part-1.parquet"
        let encoded = DeltaPath.encode(key)
        #expect(encoded == "date=2025-11-26/source=a%20b%3Ac/part-1.parquet")
        #expect(DeltaPath.decode(encoded) == key)
        #expect(DeltaPath.decode("bad%zzescape%4") == "bad%zzescape%4")
    }

    @Test func timestampsRoundTripThroughStatisticsFormat() {
        #expect(DeltaTimestamp.isoString(millis: 1_764_115_348_007) == "2025-11-26T00:02:28.007Z")
        #expect(DeltaTimestamp.parseMillis("2025-11-26T00:02:28.007Z") == 1_764_115_348_007)
        #expect(DeltaTimestamp.parseMillis("2025-11-26 00:02:28.123456") == 1_764_115_348_123)
        #expect(DeltaTimestamp.parseMillis("1969-12-31T23:59:59.999Z") == -1)
        #expect(DeltaTimestamp.parseMillis("2025-13-26T00:02:28Z") == nil)
        #expect(DeltaTimestamp.parseMillis("2025-11-26T00:02") == nil)
        #expect(DeltaTimestamp.parseMillis("2025-11-26T00:02:28.Z") == nil)
    }
}
