import CryptoVizCore
import Foundation

/// A file of scripted market events (`cryptoviz simulate --events FILE`, `up --demo --events FILE`):
///
///     {"version": 1, "events": [
///       {"at_seconds": 20, "type": "jump", "asset": "bitcoin", "percent": 10, "for_seconds": 30},
///       {"at_seconds": 20, "type": "drift", "asset": "ethereum", "percent": -5, "over_seconds": 60},
///       {"at_seconds": 40, "type": "silence", "source": "coinbase", "for_seconds": 15},
///       {"at_seconds": 60, "type": "diverge", "asset": "bitcoin", "source": "coinbase", "percent": 4, "for_seconds": 20}
///     ]}
///
/// Times count from the simulator's start. Jumps and drifts reach every source, the WebSocket
/// streams included; a divergence and a silence act on the source's REST answers only (its
/// stream, if collected, goes on unchanged, so script them on a polled source).
public struct MarketEventScript: Sendable, Hashable {
    public static let currentVersion = 1
    /// Sources an event may name (the simulator's providers).
    public static let sources = ["coingecko", "coinmarketcap", "binance", "coinbase", "kraken"]

    public var events: [MarketEvent]

    public init(events: [MarketEvent] = []) {
        self.events = events
    }

    public static let none = MarketEventScript()

    /// Parses and validates a script; errors name the event and field (`events[2].percent`).
    public init(json bytes: some Collection<UInt8>) throws(SimulatorError) {
        let root: [String: JSONValue]
        do {
            guard case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
                throw SimulatorError("events: expected an object with \"version\" and \"events\"")
            }
            root = fields
        } catch let error as SimulatorError {
            throw error
        } catch {
            throw SimulatorError("events: not JSON (\(error.localizedDescription))")
        }
        for key in root.keys where key != "version" && key != "events" {
            throw SimulatorError("events: unknown field '\(key)'")
        }
        guard case .int(let version) = root["version"], version == Self.currentVersion else {
            throw SimulatorError("events.version: must be \(Self.currentVersion)")
        }
        guard case .array(let list) = root["events"] else { throw SimulatorError("events.events: must be an array") }
        var events: [MarketEvent] = []
        for (index, item) in list.enumerated() {
            guard case .object(let fields) = item else { throw SimulatorError("events[\(index)]: must be an object") }
            events.append(try Self.event(fields, path: "events[\(index)]"))
        }
        self.events = events
    }

    /// Reads and validates the file at `path`.
    public init(contentsOfFile path: String) throws(SimulatorError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SimulatorError("events: cannot read \(path): \(error.localizedDescription)")
        }
        do { try self.init(json: data) } catch { throw SimulatorError("\(path): \(error.message)") }
    }

    /// Every named asset must exist in the market (CoinGecko ids); nil when all do.
    public func unknownAsset(in known: Set<String>) -> String? {
        events.lazy.compactMap(\.asset).first { !known.contains($0) }
    }

    private static func event(_ f: [String: JSONValue], path: String) throws(SimulatorError) -> MarketEvent {
        func fail(_ field: String, _ why: String) -> SimulatorError { SimulatorError("\(path).\(field): \(why)") }
        guard case .string(let type) = f["type"] else { throw fail("type", "must be one of jump, drift, silence, diverge") }
        let allowed: Set<String> = switch type {
        case "jump": ["asset", "percent", "for_seconds"]
        case "drift": ["asset", "percent", "over_seconds"]
        case "silence": ["source", "for_seconds"]
        case "diverge": ["asset", "source", "percent", "for_seconds"]
        default: throw fail("type", "'\(type)' is not one of jump, drift, silence, diverge")
        }
        for key in f.keys where key != "type" && key != "at_seconds" && !allowed.contains(key) {
            throw fail(key, "not a field of a \(type) event (fields: \(allowed.sorted().joined(separator: ", ")))")
        }
        func number(_ key: String) throws(SimulatorError) -> Double? {
            switch f[key] {
            case nil: return nil
            case .int(let n): return Double(n)
            case .double(let d) where d.isFinite: return d
            default: throw fail(key, "must be a number")
            }
        }
        func seconds(_ key: String, required: Bool) throws(SimulatorError) -> Double? {
            guard let value = try number(key) else {
                if required { throw fail(key, "is required") }
                return nil
            }
            guard value > 0 else { throw fail(key, "must be > 0") }
            return value
        }
        func percent() throws(SimulatorError) -> Double {
            guard let value = try number("percent") else { throw fail("percent", "is required") }
            guard value > -100, value != 0, value <= 10_000 else { throw fail("percent", "must be > -100, not 0, and <= 10000") }
            return value
        }
        func text(_ key: String) throws(SimulatorError) -> String {
            guard case .string(let value) = f[key], !value.isEmpty else { throw fail(key, "is required (a string)") }
            return value
        }
        func source() throws(SimulatorError) -> String {
            let value = try text("source")
            guard sources.contains(value) else { throw fail("source", "'\(value)' is not one of \(sources.joined(separator: ", "))") }
            return value
        }
        guard let at = try number("at_seconds") else { throw fail("at_seconds", "is required") }
        guard at >= 0 else { throw fail("at_seconds", "must be >= 0") }
        let kind: MarketEvent.Kind = switch type {
        case "jump": .jump(asset: try text("asset"), percent: try percent(), forSeconds: try seconds("for_seconds", required: false))
        case "drift": .drift(asset: try text("asset"), percent: try percent(), overSeconds: try seconds("over_seconds", required: true)!)
        case "silence": .silence(source: try source(), forSeconds: try seconds("for_seconds", required: true)!)
        default: .diverge(asset: try text("asset"), source: try source(), percent: try percent(),
                          forSeconds: try seconds("for_seconds", required: false))
        }
        return MarketEvent(atSeconds: at, kind: kind)
    }

    /// The silences as fault rules (503 from the source inside the window), first in the plan.
    var silenceFaults: [FaultRule] {
        events.compactMap { event in
            guard case .silence(let source, let duration) = event.kind else { return nil }
            return FaultRule(provider: source, kind: .serverError,
                             trigger: .window(fromSeconds: event.atSeconds, toSeconds: event.atSeconds + duration))
        }
    }

    /// Price factors at `elapsed` seconds by asset index, for the given source (nil: shared).
    func factors(at elapsed: Double, source: String?, index: [String: Int]) -> [Int: Double] {
        var out: [Int: Double] = [:]
        for event in events {
            guard let asset = event.asset, let i = index[asset] else { continue }
            let f = event.factor(at: elapsed, source: source)
            if f != 1 { out[i, default: 1] *= f }
        }
        return out
    }
}
