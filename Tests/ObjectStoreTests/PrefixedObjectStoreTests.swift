import ObjectStore
import TestSupport
import Testing

@Suite struct PrefixedObjectStoreTests {
    @Test func keysLiveUnderThePrefixAndComeBackWithoutIt() async throws {
        let base = try LocalFileStore(root: try TestEnvironment.temporaryDirectory("prefixed").path)
        let store = try PrefixedObjectStore(base: base, prefix: "tables/trades/")
        try await base.put("tables/other/x", [0])
        try await store.put("_delta_log/0.json", [1])
        #expect(try await store.putIfAbsent("_delta_log/1.json", [2]))
        #expect(try await base.get("tables/trades/_delta_log/0.json") == [1])
        #expect(try await store.listAll(prefix: "").map(\.key) == ["_delta_log/0.json", "_delta_log/1.json"])
        let folded = try await store.list(prefix: "", delimiter: "/", continuationToken: nil, maxKeys: 10)
        #expect(folded.commonPrefixes == ["_delta_log/"])
        #expect(try await store.head("_delta_log/1.json")?.key == "_delta_log/1.json")
        let missing = await #expect(throws: ObjectStoreError.self) { try await store.get("nope") }
        #expect(missing?.code == .notFound)
        #expect(missing?.key == "nope")
        try await store.delete(["_delta_log/0.json"])
        #expect(try await base.listAll(prefix: "").map(\.key) == ["tables/other/x", "tables/trades/_delta_log/1.json"])
    }

    @Test func keysCannotEscapeThePrefix() async throws {
        let base = try LocalFileStore(root: try TestEnvironment.temporaryDirectory("prefixed").path)
        let store = try PrefixedObjectStore(base: base, prefix: "a")
        #expect(store.prefix == "a/")
        let error = await #expect(throws: ObjectStoreError.self) { try await store.put("../b", [1]) }
        #expect(error?.code == .invalidKey)
        #expect(throws: ObjectStoreError.self) { try PrefixedObjectStore(base: base, prefix: "../up") }
    }
}
