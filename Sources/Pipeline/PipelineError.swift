/// A pipeline stage failed; `message` says which stage and record.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "pipeline: \(message)" }
}
