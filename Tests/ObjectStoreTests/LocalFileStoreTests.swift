import Foundation
import ObjectStore
import TestSupport
import Testing

@Suite struct LocalFileStoreTests {
    private func makeStore() throws -> LocalFileStore {
        try LocalFileStore(root: try TestEnvironment.temporaryDirectory("localstore").path)
    }

    private func filesBelow(_ root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let next = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(next)
            }
        }
        return files.sorted()
    }

    @Test func putThenGetReturnsTheBytesAndHeadTheSize() async throws {
        let store = try makeStore()
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await store.put("a/b/c.bin", bytes)
        #expect(try await store.get("a/b/c.bin") == bytes)
        let head = try #require(try await store.head("a/b/c.bin"))
        #expect(head.key == "a/b/c.bin")
        #expect(head.size == 10_000)
        #expect(abs(head.lastModifiedMillis - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000)
    }

    @Test func missingObjectIsNotFoundForGetAndNilForHead() async throws {
        let store = try makeStore()
        try await store.put("dir/present", [1])
        await #expect(throws: ObjectStoreError.self) { try await store.get("dir/absent") }
        do {
            _ = try await store.get("dir/absent")
        } catch let error as ObjectStoreError {
            #expect(error.code == .notFound)
            #expect(error.key == "dir/absent")
        }
        #expect(try await store.head("dir/absent") == nil)
        // A "directory" of other objects is not itself an object.
        #expect(try await store.head("dir") == nil)
        let directoryRead = await #expect(throws: ObjectStoreError.self) { try await store.get("dir") }
        #expect(directoryRead?.code == .notFound)
        let underFile = await #expect(throws: ObjectStoreError.self) { try await store.get("dir/present/x") }
        #expect(underFile?.code == .notFound)
    }

    @Test func rangeReadsAreHalfOpenAndClampedToTheSize() async throws {
        let store = try makeStore()
        let bytes = Array(0..<100).map(UInt8.init)
        try await store.put("r", bytes)
        #expect(try await store.get("r", range: 10..<20) == Array(bytes[10..<20]))
        #expect(try await store.get("r", range: 90..<500) == Array(bytes[90...]))
        #expect(try await store.get("r", range: 100..<200) == [])
        #expect(try await store.get("r", range: 5..<5) == [])
    }

    @Test func putReplacesTheObjectAndLeavesNoTemporaryFiles() async throws {
        let store = try makeStore()
        try await store.put("k/v", [1, 2, 3])
        try await store.put("k/v", [9])
        #expect(try await store.get("k/v") == [9])
        #expect(filesBelow(store.root) == ["k/v"])
    }

    @Test func putIfAbsentWritesOnlyTheFirstTime() async throws {
        let store = try makeStore()
        #expect(try await store.putIfAbsent("log/00.json", [1]))
        #expect(try await store.putIfAbsent("log/00.json", [2]) == false)
        #expect(try await store.get("log/00.json") == [1])
        #expect(filesBelow(store.root) == ["log/00.json"])
    }

    @Test(arguments: ["", "/abs/path", "a//b", "a/../b", "..", "a/./b", "a/", "x/.cryptoviz-tmp-1", "nul\u{0}byte"])
    func rejectsInvalidKeys(_ raw: String) async throws {
        let store = try makeStore()
        let put = await #expect(throws: ObjectStoreError.self) { try await store.put(ObjectKey(raw), [1]) }
        #expect(put?.code == .invalidKey)
        let get = await #expect(throws: ObjectStoreError.self) { try await store.get(ObjectKey(raw)) }
        #expect(get?.code == .invalidKey)
        let delete = await #expect(throws: ObjectStoreError.self) { try await store.delete([ObjectKey(raw)]) }
        #expect(delete?.code == .invalidKey)
        #expect(filesBelow(store.root).isEmpty)
    }

    @Test func keyThatWouldEscapeTheRootNeverTouchesTheParent() async throws {
        let parent = try TestEnvironment.temporaryDirectory("localstore-parent")
        let store = try LocalFileStore(root: parent.appendingPathComponent("store").path)
        await #expect(throws: ObjectStoreError.self) { try await store.put("../outside", [1]) }
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("outside").path))
    }

    @Test func listPagesThroughKeysInByteOrder() async throws {
        let store = try makeStore()
        let keys = ["b", "a/2", "a/10", "a/1", "ab", "a-", "z/y/x", "A", "é", "a/1/", "_delta_log/00.json"]
            .filter { !$0.hasSuffix("/") }
        for key in keys { try await store.put(ObjectKey(key), Array(key.utf8)) }
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await store.list(prefix: "", delimiter: nil, continuationToken: token, maxKeys: 3)
            #expect(page.objects.count <= 3)
            #expect(page.commonPrefixes.isEmpty)
            seen += page.objects.map(\.key.rawValue)
            token = page.continuationToken
            pages += 1
        } while token != nil
        let byteOrder = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(seen == byteOrder)
        #expect(pages == (keys.count + 2) / 3)
        let sizes = try await store.listAll(prefix: "a/").map { "\($0.key)=\($0.size)" }
        #expect(sizes == ["a/1=3", "a/10=4", "a/2=3"])
        #expect(try await store.listAll(prefix: "a/1").map(\.key) == ["a/1", "a/10"])
        #expect(try await store.listAll(prefix: "nothing/here").isEmpty)
    }

    @Test func listWithDelimiterFoldsCommonPrefixes() async throws {
        let store = try makeStore()
        for key in ["t/_delta_log/0.json", "t/date=1/a.parquet", "t/date=1/b.parquet", "t/date=2/c.parquet", "t/top", "u/x"] {
            try await store.put(ObjectKey(key), [0])
        }
        let page = try await store.list(prefix: "t/", delimiter: "/", continuationToken: nil, maxKeys: 100)
        #expect(page.objects.map(\.key) == ["t/top"])
        #expect(page.commonPrefixes == ["t/_delta_log/", "t/date=1/", "t/date=2/"])
        #expect(page.continuationToken == nil)

        let partial = try await store.list(prefix: "t/date", delimiter: "/", continuationToken: nil, maxKeys: 100)
        #expect(partial.commonPrefixes == ["t/date=1/", "t/date=2/"])

        // Prefixes and objects share one page budget and one order.
        var entries: [String] = []
        var token: String?
        repeat {
            let page = try await store.list(prefix: "t/", delimiter: "/", continuationToken: token, maxKeys: 1)
            #expect(page.objects.count + page.commonPrefixes.count == 1)
            entries += page.commonPrefixes + page.objects.map(\.key.rawValue)
            token = page.continuationToken
        } while token != nil
        #expect(entries == ["t/_delta_log/", "t/date=1/", "t/date=2/", "t/top"])

        // Any delimiter string, not only "/".
        let dashed = try await store.list(prefix: "t/date", delimiter: "=", continuationToken: nil, maxKeys: 100)
        #expect(dashed.commonPrefixes == ["t/date="])
        #expect(dashed.objects.isEmpty)
    }

    @Test func emptiedDirectoriesDisappearFromListings() async throws {
        let store = try makeStore()
        try await store.put("p/q/r", [1])
        try await store.put("p/s", [1])
        try await store.delete(["p/q/r"])
        let page = try await store.list(prefix: "p/", delimiter: "/", continuationToken: nil, maxKeys: 10)
        #expect(page.commonPrefixes.isEmpty)
        #expect(page.objects.map(\.key) == ["p/s"])
        #expect(!FileManager.default.fileExists(atPath: store.root + "/p/q"))
    }

    @Test func batchDeleteIgnoresMissingKeys() async throws {
        let store = try makeStore()
        try await store.put("d/1", [1])
        try await store.put("d/2", [2])
        try await store.put("d/3", [3])
        try await store.delete(["d/1", "d/404", "d/3", "missing/dir/key"])
        #expect(try await store.listAll(prefix: "").map(\.key) == ["d/2"])
        try await store.delete([])
    }

    @Test func objectAndDirectoryOfTheSameNameConflictWithAnIOError() async throws {
        let store = try makeStore()
        try await store.put("a/b", [1])
        let error = await #expect(throws: ObjectStoreError.self) { try await store.put("a/b/c", [2]) }
        #expect(error?.code == .io)
        let absent = await #expect(throws: ObjectStoreError.self) { try await store.putIfAbsent("a", [2]) }
        #expect(absent?.code == .io)
    }

    @Test func readersSeeWholeOldOrWholeNewBytesWhileAWriterReplaces() async throws {
        let store = try makeStore()
        let size = 64 * 1024
        try await store.put("hot", [UInt8](repeating: 0, count: size))
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for round in 1...15 { try await store.put("hot", [UInt8](repeating: UInt8(round), count: size)) }
                return 0
            }
            for _ in 0..<2 {
                group.addTask {
                    var torn = 0
                    for _ in 0..<30 {
                        let bytes = try await store.get("hot")
                        if bytes.count != size || bytes.contains(where: { $0 != bytes[0] }) { torn += 1 }
                    }
                    return torn
                }
            }
            var torn = 0
            for try await count in group { torn += count }
            #expect(torn == 0)
        }
        #expect(try await store.get("hot") == [UInt8](repeating: 15, count: size))
        #expect(filesBelow(store.root) == ["hot"])
    }

    @Test func putIfAbsentRaceAcrossTasksAndProcessesHasExactlyOneWinnerPerKey() async throws {
        let store = try makeStore()
        let keyCount = 60
        let control = try TestEnvironment.temporaryDirectory("localstore-race")
        let go = control.appendingPathComponent("go").path
        var processes: [(Process, URL)] = []
        for writer in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try TestEnvironment.python())
            let ready = control.appendingPathComponent("ready-\(writer)").path
            process.arguments = [
                TestEnvironment.oracle("objectstore/local_put_if_absent.py"), store.root, "py-\(writer)",
                String(keyCount), ready, go,
            ]
            let output = control.appendingPathComponent("out-\(writer)")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
            try process.run()
            processes.append((process, output))
        }
        for writer in 0..<3 {
            let ready = control.appendingPathComponent("ready-\(writer)").path
            var waited = 0
            while !FileManager.default.fileExists(atPath: ready) {
                try await Task.sleep(for: .milliseconds(20))
                waited += 1
                try #require(waited < 1500, "python writer \(writer) never became ready")
            }
        }
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        var winners: [String: [String]] = [:]
        try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            for writer in 0..<3 {
                group.addTask {
                    // Separate instances, as separate writers would have.
                    let racer = try LocalFileStore(root: store.root)
                    var won: [String] = []
                    for i in 0..<keyCount {
                        let key = ObjectKey(String(format: "race/%05d.json", i))
                        if try await racer.putIfAbsent(key, Array("swift-\(writer)".utf8)) { won.append(key.rawValue) }
                    }
                    return ("swift-\(writer)", won)
                }
            }
            for try await (writer, won) in group {
                for key in won { winners[key, default: []].append(writer) }
            }
        }
        for (process, output) in processes {
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            #expect(process.terminationStatus == 0)
            let writer = "py-\(processes.firstIndex { $0.0 === process }!)"
            let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
            for key in lines { winners[String(key), default: []].append(writer) }
        }
        #expect(winners.count == keyCount)
        for i in 0..<keyCount {
            let key = String(format: "race/%05d.json", i)
            let keyWinners = winners[key] ?? []
            #expect(keyWinners.count == 1, "\(key) won by \(keyWinners)")
            if let winner = keyWinners.first {
                #expect(try await store.get(ObjectKey(key)) == Array(winner.utf8))
            }
        }
        #expect(filesBelow(store.root).count == keyCount)
    }
}
