/// The simulator was configured with something it cannot serve (e.g. a bad fault spec).
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "simulator: \(message)" }
}
