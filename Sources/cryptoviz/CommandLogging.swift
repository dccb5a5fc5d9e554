import ArgumentParser
import Logging

/// Log lines to standard error at one level, for every command that logs.
enum CommandLogging {
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// `--log-level` takes the level names; any other word is refused with the list, rather than
/// quietly logging at another level than asked.
extension Logger.Level: @retroactive ExpressibleByArgument {}
