import Alerts
import ArgumentParser

/// `cryptoviz alerts remove ID`.
struct AlertsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an alert rule by id.")

    @OptionGroup var options: AlertsServerOptions
    @Argument(help: "The rule's id.") var id: String

    func run() async throws {
        do {
            try await options.client().remove(id: id)
            print("removed\t\(id)")
        } catch {
            throw error.commandError
        }
    }
}
