import Foundation
import Parquet
import TestSupport

/// The nested test schema of `Tests/Oracles/parquet/nested_parquet.py`, a seeded generator of
/// its records, and the canonical tree both sides are compared in.
enum NestedTable {
    static let fields: [ParquetField] = [
        .primitive("id", .int64, optional: false),
        .primitive("name", .string),
        .group("point", [.primitive("x", .double, optional: false), .primitive("y", .int32), .primitive("label", .string)]),
        .map("tags", key: .string, value: .primitive(.string)),
        .list("values", element: .primitive(.int64)),
        .list("items", element: .group([.primitive("k", .string, optional: false), .list("v", element: .primitive(.string))])),
        .list("flags", element: .primitive(.boolean), elementOptional: false, optional: false),
        .map("scores", key: .string, value: .group([.primitive("a", .int32), .list("b", element: .primitive(.boolean))])),
    ]

    static let words = ["btc", "eth", "ünïcode", "日本", "ключ", "", "a/b", String(repeating: "x", count: 40)]

    static func records(seed: UInt64, count: Int) -> [ParquetRecord] {
        var g = SeededGenerator(seed: seed)
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &g) < p }
        func word() -> NestedValue { .string(words.randomElement(using: &g)! + "\(Int.random(in: 0..<5, using: &g))") }
        func length() -> Int { [0, 1, 2, 3, 5].randomElement(using: &g)! }
        func uniqueKeys() -> [NestedValue] {
            var seen = Set<NestedValue>()
            return (0..<[0, 1, 2, 4].randomElement(using: &g)!).map { _ in word() }.filter { seen.insert($0).inserted }
        }
        return (0..<count).map { i in
            var r: ParquetRecord = ["id": .int64(Int64(i))]
            if !chance(0.3) { r["name"] = word() }
            if !chance(0.3) {
                var p: [String: NestedValue] = ["x": .value(.double(Double.random(in: -1e6..<1e6, using: &g)))]
                if !chance(0.4) { p["y"] = .int32(Int32.random(in: .min ... .max, using: &g)) }
                if !chance(0.4) { p["label"] = word() }
                r["point"] = .group(p)
            }
            if !chance(0.3) { r["tags"] = .map(uniqueKeys().map { .init(key: $0, value: chance(0.3) ? .null : word()) }) }
            if !chance(0.3) { r["values"] = .list((0..<length()).map { _ in chance(0.3) ? .null : .int64(Int64.random(in: .min ... .max, using: &g)) }) }
            if !chance(0.3) {
                r["items"] = .list((0..<length()).map { _ in
                    if chance(0.2) { return .null }
                    var item: [String: NestedValue] = ["k": word()]
                    if !chance(0.3) { item["v"] = .list((0..<length()).map { _ in chance(0.2) ? .null : word() }) }
                    return .group(item)
                })
            }
            r["flags"] = .list((0..<length()).map { _ in .boolean(chance(0.5)) })
            if !chance(0.3) {
                r["scores"] = .map(uniqueKeys().map { key in
                    if chance(0.2) { return .init(key: key, value: .null) }
                    var s: [String: NestedValue] = [:]
                    if !chance(0.3) { s["a"] = .int32(Int32.random(in: -1000..<1000, using: &g)) }
                    if !chance(0.3) { s["b"] = .list((0..<length()).map { _ in chance(0.3) ? .null : .boolean(chance(0.5)) }) }
                    return .init(key: key, value: .group(s))
                })
            }
            return r
        }
    }

    /// A value as the oracle prints it: canonical strings at the leaves, structs with every field.
    indirect enum Tree: Decodable, Equatable, CustomStringConvertible {
        case null
        case leaf(String)
        case array([Tree])
        case object([String: Tree])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let s = try? c.decode(String.self) { self = .leaf(s) }
            else if let a = try? c.decode([Tree].self) { self = .array(a) }
            else { self = .object(try c.decode([String: Tree].self)) }
        }

        var description: String {
            switch self {
            case .null: "null"
            case .leaf(let s): "\"\(s)\""
            case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
            case .object(let o): "{" + o.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
            }
        }
    }

    static func tree(_ record: ParquetRecord, _ fields: [ParquetField]) -> Tree {
        .object(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, tree(record[$0.name] ?? .null, $0)) }))
    }

    static func tree(_ value: NestedValue, _ field: ParquetField) -> Tree {
        switch (value, field.kind) {
        case (.null, _): return .null
        case (.value(let v), _):
            switch v {
            case .boolean(let b): return .leaf(b ? "true" : "false")
            case .int32(let x): return .leaf("\(x)")
            case .int64(let x): return .leaf("\(x)")
            case .float(let x): return .leaf("\(x.bitPattern)")
            case .double(let x): return .leaf("\(x.bitPattern)")
            case .string(let s): return .leaf(s)
            case .binary(let b): return .leaf(b.map { String(format: "%02x", $0) }.joined())
            }
        case (.group(let g), .group(let children)): return tree(g, children)
        case (.list(let items), .list(let element)): return .array(items.map { tree($0, element) })
        case (.map(let entries), .map(let key, let v)): return .array(entries.map { .array([tree($0.key, key), tree($0.value, v)]) })
        default: return .leaf("<\(value) does not fit \(field.kind)>")
        }
    }

    struct Dump: Decodable {
        var types: [String: String]
        var rows: [Tree]
    }

    static func dump(_ path: String) throws -> Dump {
        let result = try ProcessRunner.oracle("parquet/nested_parquet.py", ["dump", path])
        return try JSONDecoder().decode(Dump.self, from: Data(result.stdout.utf8))
    }
}
