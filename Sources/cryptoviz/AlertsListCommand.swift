import Alerts
import ArgumentParser
import Foundation

/// `cryptoviz alerts list [--fired]`: the server's rules, or its latest alerts.
struct AlertsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the server's alert rules (--fired: its latest alerts).")

    @OptionGroup var options: AlertsServerOptions
    @Flag(help: "List fired and resolved alerts, newest first, instead of rules.") var fired = false
    @Option(help: "With --fired: how many (1-1000).") var limit = 50

    func run() async throws {
        let client = options.client()
        do {
            if fired {
                let formatter = ISO8601DateFormatter()
                for event in try await client.alerts(limit: limit) {
                    let at = formatter.string(from: Date(timeIntervalSince1970: Double(event.atMillis) / 1000))
                    let series = [event.asset?.rawValue, event.source?.rawValue].compactMap { $0 }.joined(separator: "/")
                    print("\(at)\t\(event.kind.rawValue)\t\(event.alertID)\t\(event.severity.rawValue)\t\(series)\tvalue \(event.value) threshold \(event.threshold)")
                }
            } else {
                for rule in try await client.rules() { print(rule.summary) }
            }
        } catch {
            throw error.commandError
        }
    }
}
