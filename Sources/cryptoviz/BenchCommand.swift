import ArgumentParser

/// `cryptoviz bench <area>`: reproducible benchmarks whose figures go in docs/BENCHMARKS.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark and print its figures.",
        subcommands: [
            BenchKafkaCommand.self,
            BenchParquetCommand.self,
            BenchLakeCommand.self,
            BenchCompactCommand.self,
            BenchPipelineCommand.self,
            BenchServerCommand.self,
            BenchCandlesCommand.self,
            BenchLoadCommand.self,
            BenchAlertsCommand.self,
        ]
    )
}
