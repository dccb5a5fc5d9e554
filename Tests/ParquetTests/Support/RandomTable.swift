import Parquet
import TestSupport

/// A random table over every type the writer supports, with nulls, NaN, infinities, signed
/// zeros, empty and non-ASCII strings (including canonically-equivalent but byte-distinct
/// ones), extreme integers and timestamps from 1900 to 2200.
struct RandomTable {
    var schema: ParquetSchema
    var columns: [ColumnData]

    static let strings = ["", "a", "BTC", "ETH", "héllo", "he\u{301}llo", "日本語", "🚀 moon", String(repeating: "x", count: 40), "Zürich", "\u{0}nul"]

    static func make(seed: UInt64, rows: Int) -> RandomTable {
        var g = SeededGenerator(seed: seed)
        func optional<T>(_ make: (inout SeededGenerator) -> T) -> [T?] {
            (0..<rows).map { _ in Double.random(in: 0..<1, using: &g) < 0.2 ? nil : make(&g) }
        }
        func required<T>(_ make: (inout SeededGenerator) -> T) -> [T] {
            (0..<rows).map { _ in make(&g) }
        }
        func double(_ g: inout SeededGenerator) -> Double {
            switch Int.random(in: 0..<20, using: &g) {
            case 0: .nan
            case 1: .infinity
            case 2: -.infinity
            case 3: -0.0
            case 4: 0.0
            case 5: .greatestFiniteMagnitude
            case 6: -.leastNonzeroMagnitude
            default: Double.random(in: -1e6...1e6, using: &g)
            }
        }
        func text(_ g: inout SeededGenerator) -> String {
            if Bool.random(using: &g) { return strings.randomElement(using: &g)! }
            let alphabet = Array("abcxyz€ß漢🙂")
            return String((0..<Int.random(in: 0...20, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
        }
        let msRange: ClosedRange<Int64> = -2_208_988_800_000...7_258_118_400_000
        let schema = ParquetSchema(columns: [
            ParquetColumn(name: "flag", type: .boolean, optional: true),
            ParquetColumn(name: "tiny", type: .int8, optional: true),
            ParquetColumn(name: "small", type: .int16),
            ParquetColumn(name: "count", type: .int32, optional: true),
            ParquetColumn(name: "big", type: .int64),
            ParquetColumn(name: "ratio", type: .float, optional: true),
            ParquetColumn(name: "price", type: .double),
            ParquetColumn(name: "note", type: .string, optional: true),
            ParquetColumn(name: "symbol", type: .string),
            ParquetColumn(name: "blob", type: .binary, optional: true),
            ParquetColumn(name: "day", type: .date, optional: true),
            ParquetColumn(name: "at_ms", type: .timestampMillis, optional: true),
            ParquetColumn(name: "at_us", type: .timestampMicros),
        ])
        let columns: [ColumnData] = [
            .boolean(optional { Bool.random(using: &$0) }),
            .int32(optional { Int32(Int8.random(in: .min ... .max, using: &$0)) }),
            ColumnData(.int32(required { Int32(Int16.random(in: .min ... .max, using: &$0)) })),
            .int32(optional { [Int32.min, Int32.max, 0, Int32.random(in: -1000...1000, using: &$0)].randomElement(using: &$0)! }),
            ColumnData(.int64(required { [Int64.min, Int64.max, Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &$0)].randomElement(using: &$0)! })),
            .float(optional { Float(double(&$0)) }),
            ColumnData(.double(required(double))),
            .string(optional(text)),
            ColumnData(.string(required { ["BTC", "ETH", "SOL", "héllo"].randomElement(using: &$0)! })),
            .binary(optional { g in (0..<Int.random(in: 0...8, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) } }),
            .int32(optional { Int32.random(in: -40_000...60_000, using: &$0) }),
            .int64(optional { Int64.random(in: msRange, using: &$0) }),
            ColumnData(.int64(required { Int64.random(in: msRange, using: &$0) * 1000 + Int64.random(in: 0..<1000, using: &$0) })),
        ]
        return RandomTable(schema: schema, columns: columns)
    }
}
