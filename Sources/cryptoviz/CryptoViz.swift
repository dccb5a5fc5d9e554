import ArgumentParser

/// The `cryptoviz` command: one binary for every role (embedded, collector, processor, server).
@main
struct CryptoViz: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cryptoviz",
        abstract: "Real-time cryptocurrency market-data lakehouse.",
        version: "0.1.0",
        subcommands: [
            UpCommand.self,
            ProcessCommand.self,
            ServeCommand.self,
            BenchCommand.self,
            CollectCommand.self,
            BackfillCommand.self,
            SimulateCommand.self,
            LakeCommand.self,
            CompactCommand.self,
            VacuumCommand.self,
            AlertsCommand.self,
        ]
    )

    static func main() async {
        AllocatorPolicy.apply()
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
