import CryptoVizCore

/// The tick message's JSON, field by field: keys in a fixed order, numbers shortest
/// round-trip, strings escaped per RFC 8259, absent optionals omitted.
///
///     {"schema_version":1,"type":"tick","produced_at_ms":…,"tick":{"source":…,"asset":…,
///      "symbol":…,"quote_currency":…,"price":…,"market_cap":…,"volume_24h":…,"change_1h":…,
///      "change_24h":…,"change_7d":…,"source_time_ms":…,"collected_time_ms":…}}
public enum TickWireFormat {
    static func encode(_ message: TickMessage) throws -> [UInt8] {
        let tick = message.tick
        var out = JSONByteWriter(capacity: 320)
        out.raw("{\"schema_version\":")
        out.int(Int64(message.schemaVersion))
        out.raw(",\"type\":")
        out.string(message.type)
        out.raw(",\"produced_at_ms\":")
        out.int(message.producedAtMillis)
        out.raw(",\"tick\":")
        try writeTick(tick, into: &out)
        out.raw("}")
        return out.bytes
    }

    /// The tick object alone (`Tick`'s JSON, as its `CodingKeys` spell it): the message's
    /// `tick` field, and the data of the server's live events.
    public static func writeTick(_ tick: Tick, into out: inout JSONByteWriter) throws {
        out.raw("{\"source\":")
        out.string(tick.source.rawValue)
        out.raw(",\"asset\":")
        out.string(tick.asset.rawValue)
        out.raw(",\"symbol\":")
        out.string(tick.symbol)
        out.raw(",\"quote_currency\":")
        out.string(tick.quoteCurrency)
        out.raw(",\"price\":")
        try out.double(tick.price, field: "price")
        try out.optional(",\"market_cap\":", tick.marketCap, field: "market_cap")
        try out.optional(",\"volume_24h\":", tick.volume24h, field: "volume_24h")
        try out.optional(",\"change_1h\":", tick.change1h, field: "change_1h")
        try out.optional(",\"change_24h\":", tick.change24h, field: "change_24h")
        try out.optional(",\"change_7d\":", tick.change7d, field: "change_7d")
        out.raw(",\"source_time_ms\":")
        out.int(tick.sourceTimeMillis)
        out.raw(",\"collected_time_ms\":")
        out.int(tick.collectedTimeMillis)
        out.raw("}")
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(MessageDecodingError) -> TickMessage {
        var reader = JSONByteReader(bytes)
        var schemaVersion: Int64?
        var type: String?
        var producedAt: Int64?
        var tick: Result<Tick, MessageDecodingError>?
        do {
            try reader.readObject { (reader: inout JSONByteReader, key) throws(JSONByteReader.Failure) in
                switch Key(key) {
                case .schemaVersion: schemaVersion = try reader.readInt64()
                case .type: type = try reader.readString()
                case .producedAt: producedAt = try reader.readInt64()
                case .tick:
                    // A tick that does not parse is judged after the header: an unknown schema
                    // version or type is the better reason, and its tick may have another shape.
                    let start = reader.position
                    do throws(MessageDecodingError) {
                        tick = .success(try TickFields.read(&reader))
                    } catch {
                        tick = .failure(error)
                        reader.position = start
                        try reader.skipValue()
                    }
                default:
                    try JSONByteReader.requireUTF8(key, at: reader.position)
                    try reader.skipValue()
                }
            }
            try reader.expectEnd()
        } catch {
            throw MessageDecodingError(kind: .malformed, detail: "not a JSON object with schema_version and type: \(error)")
        }
        guard let schemaVersion, let type else {
            throw MessageDecodingError(kind: .malformed, detail: "not a JSON object with schema_version and type")
        }
        guard schemaVersion == TickMessage.currentSchemaVersion else {
            throw MessageDecodingError(kind: .unknownSchemaVersion, detail: "schema_version \(schemaVersion)")
        }
        guard type == "tick" else { throw MessageDecodingError(kind: .unknownType, detail: "type '\(type)'", messageType: type) }
        guard let producedAt else { throw MessageDecodingError(kind: .malformed, detail: "missing field produced_at_ms") }
        guard let tick else { throw MessageDecodingError(kind: .malformed, detail: "missing field tick") }
        var message = TickMessage(tick: try tick.get(), producedAtMillis: producedAt)
        message.schemaVersion = Int(schemaVersion)
        return message
    }

    /// The keys this format knows, recognised by their bytes.
    enum Key {
        case schemaVersion, type, producedAt, tick
        case source, asset, symbol, quoteCurrency, price, marketCap, volume24h, change1h, change24h, change7d
        case sourceTime, collectedTime
        case unknown

        /// The key as the wire spells it.
        var wireName: String { Self.table.first { $0.1 == self }.map { "\($0.0)" } ?? "unknown" }

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self = Self.table.first { Self.equal($0.0, bytes) }?.1 ?? .unknown
        }

        private static func equal(_ name: StaticString, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard name.utf8CodeUnitCount == bytes.count else { return false }
            for i in 0..<bytes.count where name.utf8Start[i] != bytes[i] { return false }
            return true
        }

        private static let table: [(StaticString, Key)] = [
            ("schema_version", .schemaVersion), ("type", .type), ("produced_at_ms", .producedAt), ("tick", .tick),
            ("source", .source), ("asset", .asset), ("symbol", .symbol), ("quote_currency", .quoteCurrency),
            ("price", .price), ("market_cap", .marketCap), ("volume_24h", .volume24h), ("change_1h", .change1h),
            ("change_24h", .change24h), ("change_7d", .change7d), ("source_time_ms", .sourceTime),
            ("collected_time_ms", .collectedTime),
        ]
    }
}

/// The `tick` object's fields as they are read.
private struct TickFields {
    var source: String?
    var asset: String?
    var symbol: String?
    var quoteCurrency: String?
    var price: Double?
    var marketCap: Double?
    var volume24h: Double?
    var change1h: Double?
    var change24h: Double?
    var change7d: Double?
    var sourceTime: Int64?
    var collectedTime: Int64?

    static func read(_ reader: inout JSONByteReader) throws(MessageDecodingError) -> Tick {
        var f = TickFields()
        // Only the key is remembered per field; its text is built if an error needs it (an
        // interpolated string per field was half of the decoder's time).
        var current: TickWireFormat.Key?
        var unknownKey = ""
        do {
            try reader.readObject { (reader: inout JSONByteReader, key) throws(JSONByteReader.Failure) in
                let name = TickWireFormat.Key(key)
                current = name
                switch name {
                case .source: f.source = try reader.readString()
                case .asset: f.asset = try reader.readString()
                case .symbol: f.symbol = try reader.readString()
                case .quoteCurrency: f.quoteCurrency = try reader.readString()
                case .price: f.price = try reader.readDouble()
                case .marketCap: f.marketCap = try reader.readNull() ? nil : reader.readDouble()
                case .volume24h: f.volume24h = try reader.readNull() ? nil : reader.readDouble()
                case .change1h: f.change1h = try reader.readNull() ? nil : reader.readDouble()
                case .change24h: f.change24h = try reader.readNull() ? nil : reader.readDouble()
                case .change7d: f.change7d = try reader.readNull() ? nil : reader.readDouble()
                case .sourceTime: f.sourceTime = try reader.readInt64()
                case .collectedTime: f.collectedTime = try reader.readInt64()
                default:
                    try JSONByteReader.requireUTF8(key, at: reader.position)
                    unknownKey = String(decoding: key, as: UTF8.self)
                    try reader.skipValue()
                }
            }
        } catch {
            let field = current.map { $0 == .unknown ? "tick.\(unknownKey)" : "tick.\($0.wireName)" } ?? "tick"
            throw MessageDecodingError(kind: .malformed, detail: "wrong type or syntax at \(field): \(error)")
        }
        guard let source = f.source else { throw missing("source") }
        guard let asset = f.asset else { throw missing("asset") }
        guard let symbol = f.symbol else { throw missing("symbol") }
        guard let quoteCurrency = f.quoteCurrency else { throw missing("quote_currency") }
        guard let price = f.price else { throw missing("price") }
        guard let sourceTime = f.sourceTime else { throw missing("source_time_ms") }
        guard let collectedTime = f.collectedTime else { throw missing("collected_time_ms") }
        return Tick(source: ProviderID(source), asset: AssetID(asset), symbol: symbol, quoteCurrency: quoteCurrency,
                    price: price, marketCap: f.marketCap, volume24h: f.volume24h, change1h: f.change1h,
                    change24h: f.change24h, change7d: f.change7d, sourceTimeMillis: sourceTime, collectedTimeMillis: collectedTime)
    }

    private static func missing(_ name: String) -> MessageDecodingError {
        MessageDecodingError(kind: .malformed, detail: "missing field tick.\(name)")
    }
}
