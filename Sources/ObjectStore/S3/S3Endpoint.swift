/// The scheme, host and port of an S3 service, parsed from `http(s)://host[:port][/]`.
public struct S3Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var useTLS: Bool
    public var host: String
    public var port: Int

    public init(useTLS: Bool, host: String, port: Int? = nil) {
        self.useTLS = useTLS
        self.host = host
        self.port = port ?? (useTLS ? 443 : 80)
    }

    /// Parses `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com`; a path other than
    /// `/`, credentials in the URL, or a missing host are configuration errors.
    public init(parsing text: String) throws {
        let scheme: Bool
        var rest: Substring
        if text.hasPrefix("https://") {
            scheme = true
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            scheme = false
            rest = text.dropFirst(7)
        } else {
            throw ObjectStoreError(.configuration, "S3 endpoint '\(text)' must start with http:// or https://")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("@"), !rest.contains("?") else {
            throw ObjectStoreError(.configuration, "S3 endpoint '\(text)' must be scheme://host[:port] only")
        }
        var host = rest
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            host = rest[..<colon]
            guard let parsed = Int(rest[rest.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw ObjectStoreError(.configuration, "S3 endpoint '\(text)' has an invalid port")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw ObjectStoreError(.configuration, "S3 endpoint '\(text)' has no host") }
        self.init(useTLS: scheme, host: String(host), port: port)
    }

    /// AWS's regional endpoint.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(useTLS: true, host: "s3.\(region).amazonaws.com")
    }

    /// `host` or `host:port` when the port is not the scheme's default: the `Host` header.
    func authority(host: String) -> String {
        port == (useTLS ? 443 : 80) ? host : "\(host):\(port)"
    }

    public var description: String { "\(useTLS ? "https" : "http")://\(authority(host: host))" }
}
