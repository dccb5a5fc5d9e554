import ArgumentParser

/// `cryptoviz serve`: the dashboard and REST API over a shared bus (live tail) and lake; with
/// `--bus none`, a read-only analysis server over any lake (no live ticks).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard and REST API from a Kafka bus and a lake (--bus none: the lake alone, read-only).")

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        try await SharedBusRole.run(.serve, options: options, command: "serve")
    }
}
