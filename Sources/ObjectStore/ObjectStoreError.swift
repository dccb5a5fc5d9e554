/// A failed store operation, with the key and the store's own words.
public struct ObjectStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound, accessDenied, invalidKey, preconditionFailed, throttled, io, http, malformedResponse, configuration
    }

    public var code: Code
    public var key: ObjectKey?
    public var message: String

    public init(_ code: Code, key: ObjectKey? = nil, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "object store \(code.rawValue) for '\(key)': \(message)" }
        return "object store \(code.rawValue): \(message)"
    }
}
