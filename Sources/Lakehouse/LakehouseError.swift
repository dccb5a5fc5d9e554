/// A lake table operation failed; `message` names the table path, version or file.
public struct LakehouseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "lakehouse: \(message)" }
}
