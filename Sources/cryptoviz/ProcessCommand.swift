import ArgumentParser

/// `cryptoviz process`: a stream processor, one member of the consumer group that turns
/// `crypto-raw-data` into lake commits. Run several against one Kafka bus to scale out.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Consume crypto-raw-data and commit it to the lake exactly once.")

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        try await SharedBusRole.run(.process, options: options, command: "process")
    }
}
