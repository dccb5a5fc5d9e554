import Alerts
import ArgumentParser
import Foundation

/// `cryptoviz alerts test FILE`: checks a rules file (or one rule) with the server's own
/// validation, offline, so a bad `--alerts` file is caught before a start.
struct AlertsTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Check a rules file (or one rule) without a server; exit 1 naming the field at fault.")

    @Argument(help: "A rules file {\"version\": 1, \"rules\": [...]} or one rule.") var file: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let isRulesFile = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["rules"] != nil
        do {
            if isRulesFile {
                let set = try AlertRuleSet.decode(data)
                for rule in set.rules { print(rule.summary) }
                for hook in set.webhooks { print("webhook\t\(hook.id)\t\(hook.url)\tmax_attempts \(hook.maxAttempts)") }
                print("\(file): \(set.rules.count) rules, \(set.webhooks.count) webhooks: valid")
            } else {
                print(try AlertRule.decode(Array(data)).summary)
                print("\(file): valid rule")
            }
        } catch {
            throw error.commandError
        }
    }
}
