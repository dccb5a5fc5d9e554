import ArgumentParser
import Foundation
import Logging
import Pipeline

/// Flags shared by `up`, `process` and `serve`; each overrides the environment
/// (`CRYPTOVIZ_*`) and the optional `--config` JSON file.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "JSON config file (keys: bus, lake, data, host, port, token, interval, assets, group, providers).")
    var config: String?

    @Option(help: "Bus: 'memory' (in-process), kafka://host:port[,host:port], or 'none' (serve only: a read-only server over --lake).")
    var bus: String?

    @Option(help: "Lake: file:///path or s3://bucket/prefix (default: <data>/lake).")
    var lake: String?

    @Option(help: "Directory for local state (default ./cryptoviz-data).")
    var data: String?

    @Option(help: "Address to serve on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to serve on (default 8501).")
    var port: Int?

    @Option(help: "Bearer token for management and SQL (generated when binding beyond loopback).")
    var token: String?

    @Option(help: "Collector poll interval, seconds (default 30).")
    var interval: Double?

    @Option(help: "Watch the top N assets by market cap (default 100).")
    var assets: Int?

    @Option(help: "Consumer group of the stream processors.")
    var group: String?

    @Option(help: "Comma-separated providers (default: every configured one).")
    var providers: String?

    @Option(help: "Venues also collected over WebSocket streams, comma-separated (binance, coinbase, kraken; empty for none). Default: all three with --demo, none live.")
    var streams: String?

    @Option(name: .customLong("drain-timeout"), help: "Seconds each stage may finish its I/O after a stop signal before the rest is spilled (default 30).")
    var drainTimeout: Double?

    @Option(help: "Live 1-minute candles from the processor into <lake>/candles: on or off (default on).")
    var rollups: String?

    @Option(help: "Alert rules file loaded at start by the serving process (up, serve); rules and alert state are kept under <data>/alerts.")
    var alerts: String?

    @Option(name: .customLong("auto-compact"), help: "Seconds between compactions of the lake's small files by the process writing them; 0 is off (default 120).")
    var autoCompact: Double?

    @Option(name: .customLong("auto-compact-files"), help: "Small files a partition must hold for a scheduled compaction to rewrite it (default 10).")
    var autoCompactFiles: Int?

    @Option(name: .customLong("auto-vacuum"), help: "Hours between vacuums of the lake by the process compacting it; 0 is off (default 24).")
    var autoVacuum: Double?

    @Option(name: .customLong("vacuum-retention"), help: "Hours of table versions a vacuum keeps readable, at least 24 (default 168).")
    var vacuumRetention: Double?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    /// Defaults, then the config file, then the environment, then these flags.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RuntimeSettings {
        var settings = RuntimeSettings()
        if let config { try settings.apply(configFile: URL(fileURLWithPath: config)) }
        try settings.apply(environment: environment)
        if let bus { settings.bus = bus }
        if let lake { settings.lake = lake }
        if let data { settings.dataDirectory = data }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let token { settings.token = token }
        if let interval { settings.intervalSeconds = interval }
        if let assets { settings.assets = assets }
        if let group { settings.group = group }
        if let drainTimeout { settings.drainTimeoutSeconds = drainTimeout }
        if let alerts { settings.alertsFile = alerts }
        if let autoCompact { settings.autoCompactSeconds = autoCompact }
        if let autoCompactFiles { settings.autoCompactFiles = autoCompactFiles }
        if let autoVacuum { settings.autoVacuumHours = autoVacuum }
        if let vacuumRetention { settings.vacuumRetentionHours = vacuumRetention }
        if let rollups {
            guard let on = RuntimeSettings.parseSwitch(rollups) else { throw ValidationError("--rollups must be on or off, got '\(rollups)'") }
            settings.rollups = on
        }
        if let providers { settings.providers = providers.split(separator: ",").map(String.init) }
        if let streams { settings.streams = streams.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        try settings.validate()
        return settings
    }

    func bootstrapLogging() {
        CommandLogging.bootstrap(level: logLevel)
    }
}
