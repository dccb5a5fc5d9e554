import Alerts
import ArgumentParser
import Foundation

/// `cryptoviz alerts <subcommand>`: manage a running server's alert rules, or check a rules
/// file before giving it to `--alerts`.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List, add and remove a running server's alert rules; check a rules file.",
        subcommands: [AlertsListCommand.self, AlertsAddCommand.self, AlertsRemoveCommand.self, AlertsTestCommand.self]
    )
}

/// Where the server is and how to authorize writes.
struct AlertsServerOptions: ParsableArguments {
    @Option(help: "Server base URL (default: CRYPTOVIZ_SERVER, else http://127.0.0.1:8501).")
    var server: String?

    @Option(help: "Bearer token for writes (default: CRYPTOVIZ_TOKEN).")
    var token: String?

    func client(environment: [String: String] = ProcessInfo.processInfo.environment) -> AlertsAPIClient {
        AlertsAPIClient(
            baseURL: server ?? environment["CRYPTOVIZ_SERVER"] ?? "http://127.0.0.1:8501",
            token: token ?? environment["CRYPTOVIZ_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

extension AlertRule {
    /// One line for a terminal: id, condition, scope and behaviour.
    var summary: String {
        let condition = switch self.condition {
        case .priceAbove(let level): "price_above \(level)"
        case .priceBelow(let level): "price_below \(level)"
        case .change(let percent, let minutes, let direction): "change \(percent)% in \(minutes)m (\(direction.rawValue))"
        case .anomaly(let z, let window, let returnSeconds): "anomaly z>\(z) of \(returnSeconds)s returns over \(window)m"
        case .spread(let percent, let age): "spread >\(percent)% (quotes <\(age)s old)"
        case .staleSource(let seconds): "stale_source >\(seconds)s"
        case .lakeFreshness(let seconds): "lake_freshness >\(seconds)s"
        }
        let assets = scope.assets.isEmpty ? "all assets" : scope.assets.map(\.rawValue).joined(separator: ",")
        let sources = scope.sources.isEmpty ? "all sources" : scope.sources.map(\.rawValue).joined(separator: ",")
        let quiet = quietHours.map { " quiet \(QuietHours.format($0.startMinute))-\(QuietHours.format($0.endMinute))Z" } ?? ""
        return "\(id)\t\(condition)\t\(assets)\t\(sources)\t\(severity.rawValue) cooldown \(cooldownSeconds)s hysteresis \(hysteresis)\(quiet)\(enabled ? "" : " (disabled)")"
    }
}

extension AlertsError {
    /// As a command's failure: the message and the field it names on standard error, exit 1
    /// (a usage text would suggest the command line was wrong, not the rule or the server).
    var commandError: ExitCode {
        FileHandle.standardError.write(Data(("error: " + (field.map { "\($0): \(message)" } ?? message) + "\n").utf8))
        return ExitCode.failure
    }
}
