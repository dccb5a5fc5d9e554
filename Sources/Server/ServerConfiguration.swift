/// Where the Server listens and how it protects management and SQL endpoints.
///
/// Loopback binds are trusted (the user's own machine); on any other address management POSTs
/// and SQL require `Authorization: Bearer <token>`. A configured token is required on loopback
/// too. Use `withGeneratedTokenIfNeeded()` before binding to a public address.
public struct ServerConfiguration: Sendable {
    /// Address to bind; default loopback only.
    public var host: String
    /// TCP port; 0 picks a free one (reported through `onRunning`).
    public var port: Int
    /// Bearer token for management and SQL; nil means none configured.
    public var token: String?
    /// How often the live SSE feed sends a heartbeat comment (keeps proxies from closing it).
    public var heartbeatInterval: Duration
    /// Most rows one SQL request may return (the request's `limit` is capped to it).
    public var sqlRowLimit: Int
    /// Longest SQL statement accepted, in bytes.
    public var maxSQLLength: Int
    /// What the data is, for the dashboard's header badge (`/api/v1/status`).
    public var mode: ServerMode = .live

    public init(
        host: String = "127.0.0.1", port: Int = 8501, token: String? = nil,
        heartbeatInterval: Duration = .seconds(15), sqlRowLimit: Int = 10_000, maxSQLLength: Int = 20_000
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.heartbeatInterval = heartbeatInterval
        self.sqlRowLimit = sqlRowLimit
        self.maxSQLLength = maxSQLLength
    }

    /// True when `host` only accepts connections from this machine.
    public var isLoopback: Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    /// True when management and SQL requests must carry the bearer token.
    public var requiresToken: Bool { token != nil || !isLoopback }

    /// This configuration with a fresh random token when one is required but missing; the
    /// generated token is returned so the caller (the CLI) can print it once.
    public func withGeneratedTokenIfNeeded() -> (configuration: ServerConfiguration, generatedToken: String?) {
        guard !isLoopback, token?.isEmpty ?? true else { return (self, nil) }
        var copy = self
        let token = Self.generateToken()
        copy.token = token
        return (copy, token)
    }

    /// 32 random bytes as 64 lower-case hex digits, from the system CSPRNG.
    public static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

/// Where the served data comes from.
public enum ServerMode: String, Sendable, Codable {
    /// A simulated market (`up --demo`): prices are not real.
    case demo
    /// Providers polled or streamed now.
    case live
    /// A lake read without a bus (`serve --bus none`): history only, nothing new arrives.
    case history
}
