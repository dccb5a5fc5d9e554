import Alerts
import ArgumentParser
import Foundation

/// `cryptoviz alerts add FILE` (or `-` for standard input): adds one rule, given as JSON.
struct AlertsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an alert rule (JSON from a file, or - for standard input).")

    @OptionGroup var options: AlertsServerOptions
    @Argument(help: "A file holding one rule as JSON, or - for standard input.") var file: String

    func run() async throws {
        let bytes: [UInt8]
        if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            bytes = Array(data)
        }
        do {
            print("added\t" + (try await options.client().add(ruleJSON: bytes)).summary)
        } catch {
            throw error.commandError
        }
    }
}
