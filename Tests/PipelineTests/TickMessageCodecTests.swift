import CryptoVizCore
import Testing
@testable import Pipeline

@Suite struct TickMessageCodecTests {
    let codec = TickMessageCodec()
    let tick = Tick(source: .binance, asset: "bitcoin", symbol: "BTC", quoteCurrency: "USDT", price: 97_000.5,
                    volume24h: 1.5e9, change24h: -1.25, sourceTimeMillis: 1_764_115_200_000,
                    collectedTimeMillis: 1_764_115_200_100)

    @Test func roundTripsAndKeysByAsset() throws {
        let message = try codec.encode(tick, topic: BusTopics.rawData, producedAtMillis: 42)
        #expect(message.key == Array("bitcoin".utf8))
        let decoded = try codec.decode(message.value)
        #expect(decoded.tick == tick)
        #expect(decoded.producedAtMillis == 42)
        #expect(decoded.schemaVersion == 1)
    }

    @Test(arguments: [
        ("not json", MessageDecodingError.Kind.malformed),
        ("[]", .malformed),
        (#"{"schema_version":2,"type":"tick"}"#, .unknownSchemaVersion),
        (#"{"schema_version":1,"type":"trade"}"#, .unknownType),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":1}"#, .malformed),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":1,"tick":{"source":"x"}}"#, .malformed),
    ])
    func refusesUnusableMessages(text: String, kind: MessageDecodingError.Kind) {
        #expect { try codec.decode(Array(text.utf8)) } throws: { ($0 as? MessageDecodingError)?.kind == kind }
    }
}
