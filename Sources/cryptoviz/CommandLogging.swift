import Logging

/// Log lines to standard error at one level, for every command that logs.
enum CommandLogging {
    /// Bootstraps swift-log once per process; an unknown level name falls back to `info`.
    static func bootstrap(level name: String) {
        bootstrap(level: Logger.Level(rawValue: name) ?? .info)
    }

    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
