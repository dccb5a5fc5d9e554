import CryptoVizCore
import Foundation
import Testing
@testable import Pipeline

/// The byte-level tick codec against Foundation's `JSONEncoder`/`JSONDecoder` on random and
/// hostile ticks, and a seeded fuzz run on the parser: it must agree where Foundation decodes,
/// and fail cleanly (never crash) on anything else.
@Suite struct TickWireFormatTests {
    let codec = TickMessageCodec()

    static func randomString(_ g: inout SplitMix64, maxLength: Int = 12) -> String {
        // Plain letters, JSON's specials, controls, non-ASCII and astral scalars.
        let pool: [Unicode.Scalar] = ["a", "Z", "0", "-", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}",
                                      "é", "ß", "中", "\u{2028}", "\u{FEFF}", "😀", "𝄞"]
        let length = Int.random(in: 0...maxLength, using: &g)
        return String(String.UnicodeScalarView((0..<length).map { _ in pool.randomElement(using: &g)! }))
    }

    static func randomDouble(_ g: inout SplitMix64) -> Double {
        let specials: [Double] = [0, -0.0, 1e-300, -1e-300, 5e-324, .leastNormalMagnitude, .greatestFiniteMagnitude,
                                  -.greatestFiniteMagnitude, 0.1, 1e16, 123_456_789.123_456_78, 1e22, 1e23, 9_007_199_254_740_993]
        switch Int.random(in: 0..<4, using: &g) {
        case 0: return specials.randomElement(using: &g)!
        case 1: return Double(bitPattern: g.next())  // any bit pattern; non-finite ones are replaced below
        case 2: return Double.random(in: -1e6...1e6, using: &g)
        default: return (Double(Int.random(in: 0..<1_000_000, using: &g)) / 100).rounded(.towardZero)
        }
    }

    static func finite(_ g: inout SplitMix64) -> Double {
        let value = randomDouble(&g)
        return value.isFinite ? value : 1.5
    }

    static func randomTick(_ g: inout SplitMix64) -> Tick {
        func optional(_ g: inout SplitMix64) -> Double? { Bool.random(using: &g) ? finite(&g) : nil }
        let times: [Int64] = [0, 1, -1, .max, .min, 1_764_115_200_123]
        return Tick(source: ProviderID(randomString(&g)), asset: AssetID(randomString(&g)), symbol: randomString(&g),
                    quoteCurrency: randomString(&g, maxLength: 4), price: finite(&g), marketCap: optional(&g),
                    volume24h: optional(&g), change1h: optional(&g), change24h: optional(&g), change7d: optional(&g),
                    sourceTimeMillis: times.randomElement(using: &g)!, collectedTimeMillis: Int64.random(in: .min ... .max, using: &g))
    }

    /// Equal including the sign of zero (`==` says -0.0 == 0.0).
    static func same(_ a: Tick, _ b: Tick) -> Bool {
        func bits(_ v: Double?) -> UInt64? { v?.bitPattern }
        return a == b && bits(a.price) == bits(b.price) && bits(a.marketCap) == bits(b.marketCap)
            && bits(a.change1h) == bits(b.change1h) && bits(a.change24h) == bits(b.change24h) && bits(a.change7d) == bits(b.change7d)
            && bits(a.volume24h) == bits(b.volume24h)
    }

    @Test func agreesWithFoundationOnRandomAndHostileTicks() throws {
        var g = SplitMix64(seed: 13)
        for _ in 0..<5_000 {
            let message = TickMessage(tick: Self.randomTick(&g), producedAtMillis: Int64.random(in: .min ... .max, using: &g))
            let ours = try codec.encodeValue(message)
            // What we write, Foundation reads as the same message...
            let byFoundation = try JSONDecoder().decode(TickMessage.self, from: Data(ours))
            #expect(Self.same(byFoundation.tick, message.tick) && byFoundation.producedAtMillis == message.producedAtMillis,
                    "\(String(decoding: ours, as: UTF8.self))")
            // ...and what Foundation writes, we read as the same message.
            let foundation = Array(try JSONEncoder().encode(message))
            let decoded = try codec.decode(foundation)
            #expect(Self.same(decoded.tick, message.tick) && decoded.producedAtMillis == message.producedAtMillis,
                    "\(String(decoding: foundation, as: UTF8.self))")
            #expect(Self.same(try codec.decode(ours).tick, message.tick))
        }
    }

    @Test func oneEncodingServesEveryTopic() throws {
        var g = SplitMix64(seed: 5)
        let message = TickMessage(tick: Self.randomTick(&g), producedAtMillis: 7)
        let out = try codec.outgoing(message, topics: [BusTopics.rawData, BusTopics.streaming])
        #expect(out.map(\.topic) == [BusTopics.rawData, BusTopics.streaming])
        #expect(out[0].value == out[1].value && out[0].key == Array(message.tick.asset.rawValue.utf8))
    }

    @Test func nonFiniteNumbersAreRefusedWhenEncoding() {
        var tick = Tick(source: .binance, asset: "bitcoin", symbol: "BTC", price: 1, sourceTimeMillis: 1, collectedTimeMillis: 1)
        tick.change1h = .nan
        #expect(throws: JSONByteWriter.NonFiniteNumber.self) { try codec.encodeValue(TickMessage(tick: tick, producedAtMillis: 1)) }
    }

    @Test(arguments: [
        // Unknown fields anywhere, other key orders, nulls for optionals, escaped keys and values.
        (#"{"tick":{"collected_time_ms":2,"source_time_ms":1,"price":1.5,"quote_currency":"USD","symbol":"B","asset":"b","source":"s","extra":[1,{"x":null}],"market_cap":null},"type":"tick","produced_at_ms":3,"schema_version":1,"more":true}"#, true),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b\u00e9\ud83d\ude00","symbol":"\"B\\","quote_currency":"USD","pri\u0063e":1e-300,"source_time_ms":-9223372036854775808,"collected_time_ms":9223372036854775807}}"#, true),
        (#"  {"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":-0.0,"source_time_ms":1,"collected_time_ms":2}}  "#, true),
        // Wrong types, huge integers, missing fields, syntax errors.
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":"1","source_time_ms":1,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":1,"source_time_ms":9223372036854775808,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":1,"source_time_ms":1.5,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","price":1,"source_time_ms":1,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":1e999,"source_time_ms":1,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":01,"source_time_ms":1,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"\ud800","symbol":"B","quote_currency":"USD","price":1,"source_time_ms":1,"collected_time_ms":2}}"#, false),
        (#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"b","symbol":"B","quote_currency":"USD","price":1,"source_time_ms":1,"collected_time_ms":2}} x"#, false),
    ])
    func decodesLikeFoundation(text: String, valid: Bool) throws {
        let bytes = Array(text.utf8)
        let foundation = try? JSONDecoder().decode(TickMessage.self, from: Data(bytes))
        #expect((foundation != nil) == valid, "Foundation disagrees with the expectation")
        if let foundation {
            let ours = try codec.decode(bytes)
            #expect(Self.same(ours.tick, foundation.tick) && ours.producedAtMillis == foundation.producedAtMillis)
        } else {
            #expect(throws: MessageDecodingError.self) { try codec.decode(bytes) }
        }
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Array(#"{"schema_version":1,"type":"tick","produced_at_ms":3,"tick":{"source":"s","asset":"XX","symbol":"B","quote_currency":"USD","price":1,"source_time_ms":1,"collected_time_ms":2}}"#.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "X"))!
        bytes[at] = 0xC3
        bytes[at + 1] = 0x28
        #expect(throws: MessageDecodingError.self) { try codec.decode(bytes) }
    }

    /// RFC 8259 allows `E` in exponents; Foundation's decoder on Linux refuses some (seen: `0E1`).
    /// We follow the RFC, so such inputs are not counted as disagreements.
    static func hasUpperCaseExponent(_ bytes: [UInt8]) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0.0 >= UInt8(ascii: "0") && $0.0 <= UInt8(ascii: "9") && $0.1 == UInt8(ascii: "E") }
    }

    /// Every prefix of a valid document fails; random mutations either fail or decode to what
    /// Foundation decodes. 200 000 inputs, seeded, so a failure reproduces.
    @Test func seededFuzzNeverCrashesAndNeverDisagreesWithFoundation() throws {
        var g = SplitMix64(seed: 2026)
        var disagreements: [String] = []
        for round in 0..<2_000 {
            let message = TickMessage(tick: Self.randomTick(&g), producedAtMillis: Int64(round))
            let valid = try codec.encodeValue(message)
            if round < 50 {
                for cut in 0..<valid.count {
                    #expect(throws: MessageDecodingError.self) { try codec.decode(Array(valid[..<cut])) }
                }
            }
            for _ in 0..<100 {
                var mutated = valid
                for _ in 0..<Int.random(in: 1...3, using: &g) {
                    let i = Int.random(in: 0..<mutated.count, using: &g)
                    switch Int.random(in: 0..<3, using: &g) {
                    case 0: mutated[i] = UInt8.random(in: 0...255, using: &g)
                    case 1: mutated.remove(at: i)
                    default: mutated.insert(Array(#"{}[]",:\0-e."#.utf8).randomElement(using: &g)!, at: i)
                    }
                    if mutated.isEmpty { break }
                }
                let ours = try? codec.decode(mutated)
                guard let ours else { continue }
                // What we accept, Foundation accepts with the same value.
                if let theirs = try? JSONDecoder().decode(TickMessage.self, from: Data(mutated)) {
                    if !(Self.same(ours.tick, theirs.tick) && ours.producedAtMillis == theirs.producedAtMillis) {
                        disagreements.append(String(decoding: mutated, as: UTF8.self))
                    }
                } else if !Self.hasUpperCaseExponent(mutated) {
                    disagreements.append(String(decoding: mutated, as: UTF8.self))
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) inputs: \(disagreements.prefix(5))")
    }

    /// The canonical reader (the layout `encode` writes) against the reader of any layout: on
    /// every encoded message it must answer, and on mutated ones it must either step aside (nil)
    /// or read exactly what the general reader reads.
    @Test func canonicalReaderAgreesWithTheGeneralReader() throws {
        var g = SplitMix64(seed: 4242)
        var canonicalAnswers = 0
        for round in 0..<2_000 {
            let message = TickMessage(tick: Self.randomTick(&g), producedAtMillis: Int64(round) - 1_000)
            let valid = try codec.encodeValue(message)
            let direct = valid.withUnsafeBufferPointer { TickWireFormat.decodeCanonical($0) }
            #expect(direct.map { Self.same($0.tick, message.tick) && $0.producedAtMillis == message.producedAtMillis } == true,
                    "\(String(decoding: valid, as: UTF8.self))")
            for _ in 0..<50 {
                var mutated = valid
                let i = Int.random(in: 0..<mutated.count, using: &g)
                switch Int.random(in: 0..<3, using: &g) {
                case 0: mutated[i] = Array(#"0123456789.e-+"{}, n\u"#.utf8).randomElement(using: &g)!
                case 1: mutated.remove(at: i)
                default: mutated.insert(Array(#"0 9.e-",:"#.utf8).randomElement(using: &g)!, at: i)
                }
                guard let fast = mutated.withUnsafeBufferPointer({ TickWireFormat.decodeCanonical($0) }) else { continue }
                canonicalAnswers += 1
                let general = try? mutated.withUnsafeBufferPointer { (b) throws(MessageDecodingError) in try TickWireFormat.decodeAnyLayout(b) }
                #expect(general.map { Self.same($0.tick, fast.tick) && $0.producedAtMillis == fast.producedAtMillis } == true,
                        "\(String(decoding: mutated, as: UTF8.self))")
            }
        }
        // Mutated digits keep many documents canonical: the comparison above did take place.
        #expect(canonicalAnswers > 10_000)
    }

    /// The literal-by-literal encoder writes what the member-by-member one writes, byte for byte.
    @Test func canonicalEncoderWritesWhatTheMemberWriterWrites() throws {
        var g = SplitMix64(seed: 31)
        for round in 0..<5_000 {
            let message = TickMessage(tick: Self.randomTick(&g), producedAtMillis: Int64(round) * 7_919 - 3)
            let canonical = try TickWireFormat.encodeCanonical(message)
            #expect(canonical == (try TickWireFormat.encodeByMembers(message)), "\(String(decoding: canonical, as: UTF8.self))")
        }
    }

    /// Doubles with a few decimals are printed in fixed point by a short path: they must read
    /// back as the same double, with no more digits than the general shortest form.
    @Test func fixedPointDoublesReadBackExactly() throws {
        var g = SplitMix64(seed: 99)
        var fixed = 0
        for _ in 0..<200_000 {
            let decimals = Int.random(in: 0...8, using: &g)
            let units = Double(Int64.random(in: -10_000_000_000...10_000_000_000, using: &g))
            var value = units
            for _ in 0..<decimals { value /= 10 }
            if Bool.random(using: &g) { value = Double(bitPattern: g.next() >> 2) }  // also arbitrary doubles
            guard value.isFinite else { continue }
            var writer = JSONByteWriter(capacity: 32)
            try writer.double(value, field: "x")
            let text = String(decoding: writer.bytes, as: UTF8.self)
            guard let back = Double(text), back.bitPattern == value.bitPattern else {
                Issue.record("\(value) was written \(text)")
                return
            }
            if JSONByteWriter.fixedPoint(value.magnitude) != nil {
                fixed += 1
                // Same significant digits as Swift's shortest form, or fewer.
                func significant(_ s: String) -> Int {
                    let mantissa = s.split(separator: "e")[0].filter { $0.isNumber }.drop { $0 == "0" }
                    return mantissa.reversed().drop { $0 == "0" }.count
                }
                #expect(significant(text) <= significant(value.description), "\(text) vs \(value.description)")
            }
        }
        #expect(fixed > 50_000)
    }
}
