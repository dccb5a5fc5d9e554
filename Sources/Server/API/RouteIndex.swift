import Synchronization

/// The (method, path template) pairs the router serves, so an unmatched request can be told
/// apart: unknown path (404) or known path with another method (405 with `Allow`).
final class RouteIndex: Sendable {
    private let routes = Mutex<[(method: String, segments: [Substring])]>([])

    func add(method: String, path: String) {
        let segments = path.split(separator: "/")
        routes.withLock { $0.append((method, segments)) }
    }

    /// The methods served at `path` (templates' `{name}` segments match any one segment).
    func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/")
        return routes.withLock { all in
            all.filter { route in
                route.segments.count == parts.count
                    && zip(route.segments, parts).allSatisfy { $0.first == "{" || $0 == $1 }
            }.map(\.method)
        }
    }
}
