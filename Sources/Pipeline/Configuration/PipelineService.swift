import ServiceLifecycle

/// A long-running pipeline stage as a swift-service-lifecycle `Service`.
///
/// A `ServiceGroup` shuts its services down in reverse order, one after the other; listing
/// server, tail, processor, publisher, collectors in that order stops the collectors first and
/// lets every later stage drain what the earlier ones handed it before it is itself stopped.
public struct PipelineService: Service, CustomStringConvertible {
    public let description: String
    private let operation: @Sendable () async throws -> Void

    public init(_ name: String, _ operation: @escaping @Sendable () async throws -> Void) {
        self.description = name
        self.operation = operation
    }

    public func run() async throws {
        // The stages treat cancellation as "finish up": drain, commit, then return.
        try await cancelWhenGracefulShutdown { try await operation() }
    }
}
