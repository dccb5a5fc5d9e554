import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard files and the OpenAPI document, loaded once from the module bundle.
///
/// Loading at start means a broken install fails at launch, not on the first page view, and
/// serving needs no file-system access per request (no path traversal surface).
public struct StaticAssets: Sendable {
    /// One file: URL path ("/js/api.js"), media type and bytes.
    public struct Asset: Sendable {
        public var path: String
        public var contentType: String
        public var bytes: [UInt8]
    }

    public let assets: [Asset]

    /// Loads every file under the bundle's `Assets` folder.
    public static func load() throws -> StaticAssets {
        guard let root = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw APIError(.internal, "dashboard assets are missing from the bundle")
        }
        let rootPath = root.standardizedFileURL.path
        var assets: [Asset] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(rootPath) else { continue }
            let relative = String(full.dropFirst(rootPath.count))
            let bytes = try [UInt8](Data(contentsOf: url))
            assets.append(Asset(path: relative.hasPrefix("/") ? relative : "/" + relative, contentType: contentType(for: relative), bytes: bytes))
        }
        return StaticAssets(assets: assets.sorted { $0.path < $1.path })
    }

    /// The asset served at `path`, if any.
    public func asset(at path: String) -> Asset? { assets.first { $0.path == path } }

    static func contentType(for path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// The response for one asset, with headers that keep the dashboard self-contained.
    static func response(_ asset: Asset) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if asset.contentType.hasPrefix("text/html") {
            headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"
            headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
