import Foundation

/// The settings every role of `cryptoviz` shares, resolved from (highest first) command-line
/// flags, environment variables, an optional JSON config file, and the documented defaults.
///
/// Keeping resolution here, not in the CLI, lets tests check precedence and masking.
public struct RuntimeSettings: Sendable, Equatable {
    /// `memory` (in-process) or `kafka://host:port[,host:port]`.
    public var bus: String = "memory"
    /// `file:///path` or `s3://bucket/prefix`; nil means `<data>/lake`.
    public var lake: String?
    /// Local state: the lake by default, spill files, dead letters.
    public var dataDirectory: String = "./cryptoviz-data"
    public var host: String = "127.0.0.1"
    public var port: Int = 8501
    /// Bearer token for management and SQL on non-loopback binds.
    public var token: String?
    /// Poll interval of every collector, seconds; nil keeps each provider's default (30 s, and
    /// 300 s for CoinMarketCap, whose free plan has a monthly call budget).
    public var intervalSeconds: Double?
    /// Top-N assets by market cap to watch.
    public var assets: Int = 100
    /// Consumer group of the stream processors.
    public var group: String = "cryptoviz-processor"
    /// Providers to run; empty means every one that is configured.
    public var providers: [String] = []
    /// Venues also collected over WebSocket streams (`binance`, `kraken`); nil means the mode's
    /// default: both in `--demo` (against its simulator), none in live mode.
    public var streams: [String]?
    /// Ticks a collector keeps in memory while the bus refuses them; beyond, a spill file.
    public var publishBufferTicks: Int = 100_000
    /// How long the Kafka producer retries a record before the publisher takes it back.
    public var deliveryTimeoutSeconds: Double = 120
    /// How long each stage may keep finishing its I/O (last sends, last lake commit) after a
    /// stop signal; what is still unsent then is spilled, not dropped.
    public var drainTimeoutSeconds: Double = 30
    /// Whether the stream processor also writes live 1-minute candles (`LiveRollup`) to the
    /// lake's candles table.
    public var rollups: Bool = true
    /// A rules file (`{"version": 1, "rules": [...], "webhooks": [...]}`) the serving process
    /// loads at start on top of the rules saved under `<data>/alerts`.
    public var alertsFile: String?
    /// Seconds between scheduled compactions of the lake's tables by the process that writes
    /// them (`LakeCompactionSchedule`); 0 turns them off.
    public var autoCompactSeconds: Double = 120
    /// Small files a partition must hold for a scheduled compaction to rewrite it.
    public var autoCompactFiles: Int = 10
    /// Hours between vacuums of both tables by the process that compacts them (files no version
    /// of the last `vacuumRetentionHours` refers to are deleted); 0 turns them off.
    public var autoVacuumHours: Double = 24
    public var vacuumRetentionHours: Double = 168

    public init() {}

    /// `on`/`off` (also `true`/`false`, `1`/`0`) as a rollups switch; nil for anything else.
    public static func parseSwitch(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "1": true
        case "off", "false", "0": false
        default: nil
        }
    }

    /// Applies a JSON config file's keys (same names as the flags: `bus`, `lake`, `data`,
    /// `host`, `port`, `token`, `interval`, `assets`, `group`, `providers`, `publish_buffer`,
    /// `delivery_timeout`, `drain_timeout`, `rollups`, `auto_compact`, `auto_compact_files`,
    /// `auto_vacuum_hours`, `vacuum_retention_hours`, `streams`,
    /// `alerts`).
    public mutating func apply(configFile url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PipelineError("cannot read config file \(url.path): \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PipelineError("config file \(url.path) is not a JSON object")
        }
        for (key, value) in object {
            switch (key, value) {
            case ("bus", let v as String): bus = v
            case ("lake", let v as String): lake = v
            case ("data", let v as String): dataDirectory = v
            case ("host", let v as String): host = v
            case ("port", let v as Int): port = v
            case ("token", let v as String): token = v
            case ("interval", let v as Double): intervalSeconds = v
            case ("interval", let v as Int): intervalSeconds = Double(v)
            case ("assets", let v as Int): assets = v
            case ("group", let v as String): group = v
            case ("providers", let v as [String]): providers = v
            case ("streams", let v as [String]): streams = v
            case ("publish_buffer", let v as Int): publishBufferTicks = v
            case ("delivery_timeout", let v as Double): deliveryTimeoutSeconds = v
            case ("delivery_timeout", let v as Int): deliveryTimeoutSeconds = Double(v)
            case ("drain_timeout", let v as Double): drainTimeoutSeconds = v
            case ("drain_timeout", let v as Int): drainTimeoutSeconds = Double(v)
            case ("auto_compact", let v as Double): autoCompactSeconds = v
            case ("auto_compact", let v as Int): autoCompactSeconds = Double(v)
            case ("auto_compact_files", let v as Int): autoCompactFiles = v
            case ("auto_vacuum_hours", let v as Double): autoVacuumHours = v
            case ("auto_vacuum_hours", let v as Int): autoVacuumHours = Double(v)
            case ("vacuum_retention_hours", let v as Double): vacuumRetentionHours = v
            case ("vacuum_retention_hours", let v as Int): vacuumRetentionHours = Double(v)
            case ("rollups", let v as Bool): rollups = v
            case ("rollups", let v as String) where Self.parseSwitch(v) != nil: rollups = Self.parseSwitch(v)!
            case ("alerts", let v as String): alertsFile = v
            default:
                throw PipelineError("config file \(url.path): unknown key or wrong type for '\(key)'")
            }
        }
    }

    /// Applies `CRYPTOVIZ_*` variables from `environment`.
    public mutating func apply(environment: [String: String]) throws {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = value("CRYPTOVIZ_BUS") { bus = v }
        if let v = value("CRYPTOVIZ_LAKE") { lake = v }
        if let v = value("CRYPTOVIZ_DATA") { dataDirectory = v }
        if let v = value("CRYPTOVIZ_HOST") { host = v }
        if let v = value("CRYPTOVIZ_PORT") {
            guard let p = Int(v) else { throw PipelineError("CRYPTOVIZ_PORT must be a number, got '\(v)'") }
            port = p
        }
        if let v = value("CRYPTOVIZ_TOKEN") { token = v }
        if let v = value("CRYPTOVIZ_INTERVAL") {
            guard let s = Double(v) else { throw PipelineError("CRYPTOVIZ_INTERVAL must be seconds, got '\(v)'") }
            intervalSeconds = s
        }
        if let v = value("CRYPTOVIZ_ASSETS") {
            guard let n = Int(v) else { throw PipelineError("CRYPTOVIZ_ASSETS must be a number, got '\(v)'") }
            assets = n
        }
        if let v = value("CRYPTOVIZ_GROUP") { group = v }
        if let v = value("CRYPTOVIZ_PROVIDERS") { providers = v.split(separator: ",").map(String.init) }
        if let v = environment["CRYPTOVIZ_STREAMS"] { streams = v.split(separator: ",").map(String.init) }
        if let v = value("CRYPTOVIZ_PUBLISH_BUFFER") {
            guard let n = Int(v) else { throw PipelineError("CRYPTOVIZ_PUBLISH_BUFFER must be a number of ticks, got '\(v)'") }
            publishBufferTicks = n
        }
        if let v = value("CRYPTOVIZ_DELIVERY_TIMEOUT") {
            guard let s = Double(v) else { throw PipelineError("CRYPTOVIZ_DELIVERY_TIMEOUT must be seconds, got '\(v)'") }
            deliveryTimeoutSeconds = s
        }
        if let v = value("CRYPTOVIZ_ROLLUPS") {
            guard let on = Self.parseSwitch(v) else { throw PipelineError("CRYPTOVIZ_ROLLUPS must be on or off, got '\(v)'") }
            rollups = on
        }
        if let v = value("CRYPTOVIZ_ALERTS") { alertsFile = v }
        if let v = value("CRYPTOVIZ_AUTO_COMPACT") {
            guard let s = Double(v) else { throw PipelineError("CRYPTOVIZ_AUTO_COMPACT must be seconds, got '\(v)'") }
            autoCompactSeconds = s
        }
        if let v = value("CRYPTOVIZ_AUTO_VACUUM_HOURS") {
            guard let h = Double(v) else { throw PipelineError("CRYPTOVIZ_AUTO_VACUUM_HOURS must be hours, got '\(v)'") }
            autoVacuumHours = h
        }
        if let v = value("CRYPTOVIZ_VACUUM_RETENTION_HOURS") {
            guard let h = Double(v) else { throw PipelineError("CRYPTOVIZ_VACUUM_RETENTION_HOURS must be hours, got '\(v)'") }
            vacuumRetentionHours = h
        }
        if let v = value("CRYPTOVIZ_AUTO_COMPACT_FILES") {
            guard let n = Int(v) else { throw PipelineError("CRYPTOVIZ_AUTO_COMPACT_FILES must be a number of files, got '\(v)'") }
            autoCompactFiles = n
        }
        if let v = value("CRYPTOVIZ_DRAIN_TIMEOUT") {
            guard let s = Double(v) else { throw PipelineError("CRYPTOVIZ_DRAIN_TIMEOUT must be seconds, got '\(v)'") }
            drainTimeoutSeconds = s
        }
    }

    /// Checks ranges and formats; the message names the setting.
    public func validate() throws {
        guard (1...65535).contains(port) else { throw PipelineError("port must be 1-65535, got \(port)") }
        if let intervalSeconds, !(intervalSeconds >= 1) {
            throw PipelineError("interval must be at least 1 second, got \(intervalSeconds)")
        }
        guard assets >= 1 && assets <= 5_000 else { throw PipelineError("assets must be 1-5000, got \(assets)") }
        guard publishBufferTicks >= 1 else { throw PipelineError("publish_buffer must be at least 1 tick, got \(publishBufferTicks)") }
        guard deliveryTimeoutSeconds >= 1 else {
            throw PipelineError("delivery_timeout must be at least 1 second, got \(deliveryTimeoutSeconds)")
        }
        guard autoCompactSeconds == 0 || (autoCompactSeconds >= 1 && autoCompactSeconds <= 86_400) else {
            throw PipelineError("auto_compact must be 0 (off) or 1-86400 seconds, got \(autoCompactSeconds)")
        }
        guard autoCompactFiles >= 2 else { throw PipelineError("auto_compact_files must be at least 2, got \(autoCompactFiles)") }
        guard autoVacuumHours == 0 || (autoVacuumHours >= 0.001 && autoVacuumHours <= 8_760) else {
            throw PipelineError("auto_vacuum_hours must be 0 (off) or up to 8760 hours, got \(autoVacuumHours)")
        }
        // Below a day, a reader still on an older version (a long query, delta-rs) could lose its files.
        guard vacuumRetentionHours >= 24 else {
            throw PipelineError("vacuum_retention_hours must be at least 24, got \(vacuumRetentionHours)")
        }
        guard drainTimeoutSeconds >= 1 && drainTimeoutSeconds <= 3_600 else {
            throw PipelineError("drain_timeout must be 1-3600 seconds, got \(drainTimeoutSeconds)")
        }
        guard bus == "memory" || bus == "none" || bus.hasPrefix("kafka://") else {
            throw PipelineError("bus must be 'memory', 'none' (serve only) or kafka://host:port, got '\(bus)'")
        }
        if bus.hasPrefix("kafka://") { _ = try kafkaBootstrapServers() }
        if let lake, !(lake.hasPrefix("file://") || lake.hasPrefix("s3://") || lake.hasPrefix("/")) {
            throw PipelineError("lake must be file:///path or s3://bucket/prefix, got '\(lake)'")
        }
    }

    /// `host:port` entries of a `kafka://` bus.
    public func kafkaBootstrapServers() throws -> [String] {
        let servers = bus.dropFirst("kafka://".count).split(separator: ",").map(String.init)
        guard !servers.isEmpty, servers.allSatisfy({ $0.split(separator: ":").count == 2 && Int($0.split(separator: ":")[1]) != nil }) else {
            throw PipelineError("kafka bus needs host:port[,host:port], got '\(bus)'")
        }
        return servers
    }

    /// The lake URL in effect.
    public var effectiveLake: String {
        lake ?? "file://" + URL(fileURLWithPath: dataDirectory).appendingPathComponent("lake").standardizedFileURL.path
    }

    /// One `key = value` line per setting, secrets masked, for the start-up log.
    public func describe() -> String {
        [
            "bus = \(bus)", "lake = \(effectiveLake)", "data = \(dataDirectory)", "listen = \(host):\(port)",
            "token = \(token == nil ? "(none)" : "****")", "interval = \(intervalSeconds.map { "\($0)s" } ?? "(provider defaults)")", "assets = \(assets)",
            "group = \(group)", "providers = \(providers.isEmpty ? "(all configured)" : providers.joined(separator: ","))",
            "publish_buffer = \(publishBufferTicks)", "delivery_timeout = \(deliveryTimeoutSeconds)s",
            "drain_timeout = \(drainTimeoutSeconds)s", "rollups = \(rollups ? "on" : "off")", "auto_compact = \(autoCompactSeconds)s", "auto_compact_files = \(autoCompactFiles)",
            "auto_vacuum_hours = \(autoVacuumHours)", "vacuum_retention_hours = \(vacuumRetentionHours)",
            "alerts = \(alertsFile ?? "(rules saved under data/alerts)")",
        ].joined(separator: "\n")
    }
}
