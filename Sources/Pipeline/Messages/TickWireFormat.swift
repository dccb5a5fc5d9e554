import CryptoVizCore

/// The tick message's JSON, field by field: keys in a fixed order, numbers shortest
/// round-trip, strings escaped per RFC 8259, absent optionals omitted.
///
///     {"schema_version":1,"type":"tick","produced_at_ms":…,"tick":{"source":…,"asset":…,
///      "symbol":…,"quote_currency":…,"price":…,"market_cap":…,"volume_24h":…,"change_1h":…,
///      "change_24h":…,"change_7d":…,"source_time_ms":…,"collected_time_ms":…}}
public enum TickWireFormat {
    static func encode(_ message: TickMessage) throws -> [UInt8] {
        if message.schemaVersion == TickMessage.currentSchemaVersion && message.type == "tick" {
            return try encodeCanonical(message)
        }
        return try encodeByMembers(message)
    }

    /// What `encodeByMembers` writes for a current tick message, byte for byte, with each key
    /// and its separators copied as one literal (the mirror of `decodeCanonical`).
    static func encodeCanonical(_ message: TickMessage) throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 320)
        let tick = message.tick
        func optional(_ key: StaticString, _ value: Double?, _ name: String) throws {
            guard let value else { return }
            out.raw(key)
            try out.double(value, field: name)
        }
        out.raw(#"{"schema_version":1,"type":"tick","produced_at_ms":"#)
        out.int(message.producedAtMillis)
        out.raw(#","tick":{"source":"#)
        out.string(tick.source.rawValue)
        out.raw(#","asset":"#)
        out.string(tick.asset.rawValue)
        out.raw(#","symbol":"#)
        out.string(tick.symbol)
        out.raw(#","quote_currency":"#)
        out.string(tick.quoteCurrency)
        out.raw(#","price":"#)
        try out.double(tick.price, field: "price")
        try optional(#","market_cap":"#, tick.marketCap, "market_cap")
        try optional(#","volume_24h":"#, tick.volume24h, "volume_24h")
        try optional(#","change_1h":"#, tick.change1h, "change_1h")
        try optional(#","change_24h":"#, tick.change24h, "change_24h")
        try optional(#","change_7d":"#, tick.change7d, "change_7d")
        out.raw(#","source_time_ms":"#)
        out.int(tick.sourceTimeMillis)
        out.raw(#","collected_time_ms":"#)
        out.int(tick.collectedTimeMillis)
        out.raw("}}")
        return out.bytes
    }

    /// The message member by member, whatever its version and type.
    static func encodeByMembers(_ message: TickMessage) throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 320)
        try MessageEnvelope.write(into: &out, schemaVersion: message.schemaVersion, type: message.type,
                                  producedAtMillis: message.producedAtMillis, bodyKey: "tick") { try writeTick(message.tick, into: &$0) }
        return out.bytes
    }

    /// The tick object alone (`Tick`'s JSON, as its `CodingKeys` spell it): the message's
    /// `tick` field, and the data of the server's live events.
    public static func writeTick(_ tick: Tick, into out: inout JSONByteWriter) throws {
        try out.object { out in
            out.member("source", tick.source.rawValue)
            out.member("asset", tick.asset.rawValue)
            out.member("symbol", tick.symbol)
            out.member("quote_currency", tick.quoteCurrency)
            try out.member("price", tick.price)
            try out.member("market_cap", tick.marketCap)
            try out.member("volume_24h", tick.volume24h)
            try out.member("change_1h", tick.change1h)
            try out.member("change_24h", tick.change24h)
            try out.member("change_7d", tick.change7d)
            out.member("source_time_ms", tick.sourceTimeMillis)
            out.member("collected_time_ms", tick.collectedTimeMillis)
        }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(MessageDecodingError) -> TickMessage {
        if let message = decodeCanonical(bytes) { return message }
        return try decodeAnyLayout(bytes)
    }

    /// Any valid layout (keys in any order, unknown keys, spaces, nulls); every error.
    static func decodeAnyLayout(_ bytes: UnsafeBufferPointer<UInt8>) throws(MessageDecodingError) -> TickMessage {
        let read = try MessageEnvelope.read(bytes, type: "tick") { (reader: inout JSONByteReader) throws(MessageDecodingError) in
            try readTick(&reader)
        }
        var message = TickMessage(tick: read.body, producedAtMillis: read.producedAtMillis)
        message.schemaVersion = read.schemaVersion
        return message
    }

    /// The message when it is laid out exactly as `encode` writes it (keys in that order, no
    /// spaces, absent optionals left out), read by matching each key with its separators as
    /// one literal; nil at the first difference, and the general reader then decides (so any
    /// error, and any other valid layout, is its). Looking each key up was a third of decoding.
    static func decodeCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> TickMessage? {
        var reader = JSONByteReader(bytes)
        func optionalDouble(_ key: StaticString) throws(JSONByteReader.Failure) -> Double? {
            reader.skip(key) ? try reader.readDouble() : nil
        }
        do throws(JSONByteReader.Failure) {
            guard reader.skip(#"{"schema_version":1,"type":"tick","produced_at_ms":"#) else { return nil }
            let producedAt = try reader.readInt64()
            guard reader.skip(#","tick":{"source":"#) else { return nil }
            let source = try reader.readString()
            guard reader.skip(#","asset":"#) else { return nil }
            let asset = try reader.readString()
            guard reader.skip(#","symbol":"#) else { return nil }
            let symbol = try reader.readString()
            guard reader.skip(#","quote_currency":"#) else { return nil }
            let quoteCurrency = try reader.readString()
            guard reader.skip(#","price":"#) else { return nil }
            let price = try reader.readDouble()
            let marketCap = try optionalDouble(#","market_cap":"#)
            let volume24h = try optionalDouble(#","volume_24h":"#)
            let change1h = try optionalDouble(#","change_1h":"#)
            let change24h = try optionalDouble(#","change_24h":"#)
            let change7d = try optionalDouble(#","change_7d":"#)
            guard reader.skip(#","source_time_ms":"#) else { return nil }
            let sourceTime = try reader.readInt64()
            guard reader.skip(#","collected_time_ms":"#) else { return nil }
            let collectedTime = try reader.readInt64()
            guard reader.skip("}}") else { return nil }
            try reader.expectEnd()
            let tick = Tick(source: ProviderID(source), asset: AssetID(asset), symbol: symbol, quoteCurrency: quoteCurrency,
                            price: price, marketCap: marketCap, volume24h: volume24h, change1h: change1h,
                            change24h: change24h, change7d: change7d, sourceTimeMillis: sourceTime, collectedTimeMillis: collectedTime)
            return TickMessage(tick: tick, producedAtMillis: producedAt)
        } catch {
            return nil
        }
    }

    /// The tick object's fields.
    enum Field: Sendable {
        case source, asset, symbol, quoteCurrency, price, marketCap, volume24h, change1h, change24h, change7d
        case sourceTime, collectedTime
    }

    static let fields = WireKeys<Field>(object: "tick", table: [
        ("source", .source), ("asset", .asset), ("symbol", .symbol), ("quote_currency", .quoteCurrency),
        ("price", .price), ("market_cap", .marketCap), ("volume_24h", .volume24h), ("change_1h", .change1h),
        ("change_24h", .change24h), ("change_7d", .change7d), ("source_time_ms", .sourceTime),
        ("collected_time_ms", .collectedTime),
    ])

    private static func readTick(_ reader: inout JSONByteReader) throws(MessageDecodingError) -> Tick {
        var source, asset, symbol, quoteCurrency: String?
        var price, marketCap, volume24h, change1h, change24h, change7d: Double?
        var sourceTime, collectedTime: Int64?
        try fields.read(&reader) { (field, reader: inout JSONByteReader) throws(JSONByteReader.Failure) in
            switch field {
            case .source: source = try reader.readString()
            case .asset: asset = try reader.readString()
            case .symbol: symbol = try reader.readString()
            case .quoteCurrency: quoteCurrency = try reader.readString()
            case .price: price = try reader.readDouble()
            case .marketCap: marketCap = try reader.readNull() ? nil : reader.readDouble()
            case .volume24h: volume24h = try reader.readNull() ? nil : reader.readDouble()
            case .change1h: change1h = try reader.readNull() ? nil : reader.readDouble()
            case .change24h: change24h = try reader.readNull() ? nil : reader.readDouble()
            case .change7d: change7d = try reader.readNull() ? nil : reader.readDouble()
            case .sourceTime: sourceTime = try reader.readInt64()
            case .collectedTime: collectedTime = try reader.readInt64()
            }
        }
        guard let source else { throw fields.missing("source") }
        guard let asset else { throw fields.missing("asset") }
        guard let symbol else { throw fields.missing("symbol") }
        guard let quoteCurrency else { throw fields.missing("quote_currency") }
        guard let price else { throw fields.missing("price") }
        guard let sourceTime else { throw fields.missing("source_time_ms") }
        guard let collectedTime else { throw fields.missing("collected_time_ms") }
        return Tick(source: ProviderID(source), asset: AssetID(asset), symbol: symbol, quoteCurrency: quoteCurrency,
                    price: price, marketCap: marketCap, volume24h: volume24h, change1h: change1h,
                    change24h: change24h, change7d: change7d, sourceTimeMillis: sourceTime, collectedTimeMillis: collectedTime)
    }
}
