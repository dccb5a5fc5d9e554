import CryptoVizCore
import Foundation

extension AlertRule: Codable {
    private static let commonKeys: Set<String> = [
        "version", "id", "name", "type", "scope", "severity", "cooldown_seconds", "hysteresis", "quiet_hours", "enabled",
    ]

    /// The fields each type adds to the common ones.
    private static func typeKeys(_ type: String) -> Set<String> {
        switch type {
        case "price_above", "price_below": ["level"]
        case "change": ["percent", "minutes", "direction"]
        case "anomaly": ["z", "window_minutes", "return_seconds"]
        case "spread": ["percent", "max_quote_age_seconds"]
        default: ["seconds"]
        }
    }

    public init(from decoder: any Decoder) throws {
        let f = try RuleFields(decoder)
        let version = try f.int("version") ?? Self.currentVersion
        guard version == Self.currentVersion else {
            throw AlertsError.invalid("version", "must be \(Self.currentVersion) (this server reads rule format \(Self.currentVersion))")
        }
        guard let type = try f.string("type") else { throw AlertsError.invalid("type", "is required") }
        guard AlertCondition.typeNames.contains(type) else {
            throw AlertsError.invalid("type", "'\(type.prefix(40))' is not one of \(AlertCondition.typeNames.joined(separator: ", "))")
        }
        let allowed = Self.commonKeys.union(Self.typeKeys(type))
        if let unknown = f.keys.first(where: { !allowed.contains($0) }) {
            throw AlertsError.invalid(unknown, "is not a field of a '\(type)' rule")
        }
        let condition: AlertCondition
        switch type {
        case "price_above": condition = .priceAbove(level: try f.requiredDouble("level"))
        case "price_below": condition = .priceBelow(level: try f.requiredDouble("level"))
        case "change":
            let raw = try f.string("direction") ?? "either"
            guard let direction = AlertCondition.ChangeDirection(rawValue: raw) else {
                throw AlertsError.invalid("direction", "must be up, down or either")
            }
            condition = .change(percent: try f.requiredDouble("percent"), minutes: try f.requiredInt("minutes"), direction: direction)
        case "anomaly":
            condition = .anomaly(z: try f.requiredDouble("z"), windowMinutes: try f.requiredInt("window_minutes"),
                                 returnSeconds: try f.int("return_seconds") ?? 60)
        case "spread":
            condition = .spread(percent: try f.requiredDouble("percent"), maxQuoteAgeSeconds: try f.int("max_quote_age_seconds") ?? 120)
        case "stale_source": condition = .staleSource(seconds: try f.requiredInt("seconds"))
        default: condition = .lakeFreshness(seconds: try f.requiredInt("seconds"))
        }
        guard let id = try f.string("id") else { throw AlertsError.invalid("id", "is required") }
        let severityName = try f.string("severity") ?? AlertSeverity.warning.rawValue
        guard let severity = AlertSeverity(rawValue: severityName) else {
            throw AlertsError.invalid("severity", "must be info, warning or critical")
        }
        self.init(
            id: id, name: try f.string("name"), condition: condition, scope: try f.scope(),
            severity: severity, cooldownSeconds: try f.int("cooldown_seconds") ?? 300,
            hysteresis: try f.double("hysteresis") ?? 0, quietHours: try f.quietHours(),
            enabled: try f.bool("enabled") ?? true)
        try validate()
    }

    private enum Key: String, CodingKey {
        case version, id, name, type, scope, severity, cooldown_seconds, hysteresis, quiet_hours, enabled
        case level, percent, minutes, direction, z, window_minutes, return_seconds, max_quote_age_seconds, seconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Self.currentVersion, forKey: .version)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(condition.typeName, forKey: .type)
        switch condition {
        case .priceAbove(let level), .priceBelow(let level): try c.encode(level, forKey: .level)
        case .change(let percent, let minutes, let direction):
            try c.encode(percent, forKey: .percent)
            try c.encode(minutes, forKey: .minutes)
            try c.encode(direction, forKey: .direction)
        case .anomaly(let z, let window, let returnSeconds):
            try c.encode(z, forKey: .z)
            try c.encode(window, forKey: .window_minutes)
            try c.encode(returnSeconds, forKey: .return_seconds)
        case .spread(let percent, let age):
            try c.encode(percent, forKey: .percent)
            try c.encode(age, forKey: .max_quote_age_seconds)
        case .staleSource(let seconds), .lakeFreshness(let seconds): try c.encode(seconds, forKey: .seconds)
        }
        try c.encode(scope, forKey: .scope)
        try c.encode(severity, forKey: .severity)
        try c.encode(cooldownSeconds, forKey: .cooldown_seconds)
        try c.encode(hysteresis, forKey: .hysteresis)
        try c.encodeIfPresent(quietHours, forKey: .quiet_hours)
        try c.encode(enabled, forKey: .enabled)
    }
}

/// Typed access to a rule's JSON fields in which every failure is an `AlertsError` naming the
/// field (Foundation's `DecodingError` names coding paths, not what the user wrote).
struct RuleFields {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let container: KeyedDecodingContainer<AnyKey>

    init(_ decoder: any Decoder) throws {
        do {
            container = try decoder.container(keyedBy: AnyKey.self)
        } catch {
            throw AlertsError(.invalidRule, "a rule must be a JSON object")
        }
    }

    var keys: [String] { container.allKeys.map(\.stringValue) }

    func value<T: Decodable>(_ name: String, _ type: T.Type, _ expected: String, prefix: String = "") throws -> T? {
        let key = AnyKey(stringValue: name)
        guard container.contains(key) else { return nil }
        do {
            return try container.decode(T.self, forKey: key)
        } catch let error as AlertsError {
            throw error
        } catch {
            throw AlertsError.invalid(prefix + name, "must be \(expected)")
        }
    }

    func string(_ name: String) throws -> String? { try value(name, String.self, "a string") }
    func bool(_ name: String) throws -> Bool? { try value(name, Bool.self, "a boolean") }
    func double(_ name: String) throws -> Double? { try value(name, Double.self, "a number") }
    func int(_ name: String) throws -> Int? { try value(name, Int.self, "an integer") }

    func requiredDouble(_ name: String) throws -> Double {
        guard let v = try double(name) else { throw AlertsError.invalid(name, "is required") }
        return v
    }

    func requiredInt(_ name: String) throws -> Int {
        guard let v = try int(name) else { throw AlertsError.invalid(name, "is required") }
        return v
    }

    func scope() throws -> AlertScope {
        guard let raw = try value("scope", StrictScope.self, "an object with 'assets' and 'sources' lists of ids") else { return AlertScope() }
        return AlertScope(assets: raw.assets.map { AssetID($0) }, sources: raw.sources.map { ProviderID($0) })
    }

    /// `{"assets": [...], "sources": [...]}`, both optional, nothing else (not even null).
    private struct StrictScope: Decodable {
        var assets: [String] = []
        var sources: [String] = []

        init(from decoder: any Decoder) throws {
            let f = try RuleFields(decoder)
            if let unknown = f.keys.first(where: { $0 != "assets" && $0 != "sources" }) {
                throw AlertsError.invalid("scope.\(unknown)", "is not a field of a scope (assets, sources)")
            }
            assets = try f.value("assets", [String].self, "a list of asset ids", prefix: "scope.") ?? []
            sources = try f.value("sources", [String].self, "a list of source ids", prefix: "scope.") ?? []
        }
    }

    func quietHours() throws -> QuietHours? {
        try value("quiet_hours", QuietHours.self, "an object {\"start\": \"HH:MM\", \"end\": \"HH:MM\"} (UTC)")
    }

    /// A short account of a decoding failure, without Swift type names.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): (context.underlyingError.map { "\($0.localizedDescription)" }) ?? context.debugDescription
        default: "\(error)".prefix(200).description
        }
    }
}
