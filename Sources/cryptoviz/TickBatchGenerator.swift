import Parquet
import CryptoVizCore

/// Generates tick-shaped rows column by column, deterministically from a seed: ids unique,
/// sources/assets/symbols low-cardinality, prices random, about 10% nulls in optional columns.
struct TickBatchGenerator {
    static let schema = ParquetSchema(columns: [
        ParquetColumn(name: "event_id", type: .string),
        ParquetColumn(name: "source", type: .string),
        ParquetColumn(name: "asset", type: .string),
        ParquetColumn(name: "symbol", type: .string),
        ParquetColumn(name: "quote_currency", type: .string),
        ParquetColumn(name: "price", type: .double),
        ParquetColumn(name: "market_cap", type: .double, optional: true),
        ParquetColumn(name: "volume_24h", type: .double, optional: true),
        ParquetColumn(name: "change_1h", type: .double, optional: true),
        ParquetColumn(name: "change_24h", type: .double, optional: true),
        ParquetColumn(name: "change_7d", type: .double, optional: true),
        ParquetColumn(name: "source_time", type: .timestampMillis),
        ParquetColumn(name: "collected_time", type: .timestampMillis),
        ParquetColumn(name: "ingested_time", type: .timestampMillis),
        ParquetColumn(name: "processed_time", type: .timestampMillis),
        ParquetColumn(name: "bus_topic", type: .string),
        ParquetColumn(name: "bus_partition", type: .int32),
        ParquetColumn(name: "bus_offset", type: .int64),
    ])

    private static let sources = ["coingecko", "coincap", "binance"]
    private static let assets: [(String, String)] = (0..<50).map { ("asset-\($0)", "SYM\($0)") }
    private static let hex = Array("0123456789abcdef".utf8)

    private var generator: SplitMix64
    private var row: Int64 = 0

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    private mutating func next64() -> UInt64 { generator.next() }

    private mutating func unit() -> Double { Double(next64() >> 11) / Double(1 << 53) }

    private mutating func uuid() -> String {
        var a = next64()
        var b = next64()
        var chars = [UInt8]()
        chars.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { chars.append(UInt8(ascii: "-")) }
            if i < 16 {
                chars.append(Self.hex[Int(a & 15)])
                a >>= 4
            } else {
                chars.append(Self.hex[Int(b & 15)])
                b >>= 4
            }
        }
        return String(decoding: chars, as: UTF8.self)
    }

    private mutating func optionalDouble(_ scale: Double, into values: inout [Double], _ validity: inout [Bool]) {
        if unit() < 0.1 {
            values.append(0)
            validity.append(false)
        } else {
            values.append((unit() - 0.5) * scale)
            validity.append(true)
        }
    }

    mutating func next(_ n: Int) -> [ColumnData] {
        var eventID = [String](), source = [String](), asset = [String](), symbol = [String](), quote = [String]()
        var price = [Double](), topic = [String](), partition = [Int32](), offset = [Int64]()
        var optionals = [[Double]](repeating: [], count: 5)
        var validities = [[Bool]](repeating: [], count: 5)
        var times = [[Int64]](repeating: [], count: 4)
        for i in 0..<5 {
            optionals[i].reserveCapacity(n)
            validities[i].reserveCapacity(n)
        }
        let base: Int64 = 1_764_000_000_000
        for _ in 0..<n {
            let s = Self.sources[Int(next64() % 3)]
            let a = Self.assets[Int(next64() % UInt64(Self.assets.count))]
            eventID.append(uuid())
            source.append(s)
            asset.append(a.0)
            symbol.append(a.1)
            quote.append("usd")
            price.append(unit() * 60_000)
            optionalDouble(2e12, into: &optionals[0], &validities[0])
            optionalDouble(1e10, into: &optionals[1], &validities[1])
            optionalDouble(10, into: &optionals[2], &validities[2])
            optionalDouble(20, into: &optionals[3], &validities[3])
            optionalDouble(40, into: &optionals[4], &validities[4])
            let t = base + row * 10 + Int64(next64() % 10)
            times[0].append(t)
            times[1].append(t + Int64(next64() % 500))
            times[2].append(t + 500 + Int64(next64() % 500))
            times[3].append(t + 1000 + Int64(next64() % 500))
            topic.append("ticks.\(s)")
            partition.append(Int32(next64() % 12))
            offset.append(row)
            row += 1
        }
        var columns: [ColumnData] = [
            // Event ids in one buffer, as the processor hands them to the writer (and Arrow holds strings).
            ColumnData(.utf8(ByteStrings(eventID))), ColumnData(.string(source)), ColumnData(.string(asset)),
            ColumnData(.string(symbol)), ColumnData(.string(quote)), ColumnData(.double(price)),
        ]
        for i in 0..<5 { columns.append(ColumnData(.double(optionals[i]), validity: validities[i])) }
        for i in 0..<4 { columns.append(ColumnData(.int64(times[i]))) }
        columns.append(ColumnData(.string(topic)))
        columns.append(ColumnData(.int32(partition)))
        columns.append(ColumnData(.int64(offset)))
        return columns
    }
}
