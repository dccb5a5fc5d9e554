import CryptoVizCore
import Foundation

/// The asset directory's CoinGecko listings on disk: one JSON document, replaced atomically.
///
/// Identity comes from CoinGecko's listing; keeping the last one lets every other provider
/// resolve canonical ids at start-up while CoinGecko is down, instead of delivering nothing.
public struct AssetDirectoryFile: Sendable {
    public let url: URL

    /// Why the file could not be read or written.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(url: URL) {
        self.url = url
    }

    private struct Document: Codable {
        var savedAtMillis: Int64
        var listings: [CoinGeckoListing]
        enum CodingKeys: String, CodingKey {
            case savedAtMillis = "saved_at_ms"
            case listings
        }
    }

    /// The stored listings; empty when there is no file. A damaged file is an error the caller
    /// reports (and then works without it).
    public func load() throws -> [CoinGeckoListing] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try Data(contentsOf: url)
        do {
            return try JSONDecoder().decode(Document.self, from: data).listings
        } catch {
            throw FileError(message: "stored asset directory \(url.path) is unreadable: \(error)")
        }
    }

    /// Writes `listings` to a temporary file and renames it over the old one (never half-written).
    public func save(_ listings: [CoinGeckoListing]) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(Document(savedAtMillis: currentUnixMillis(), listings: listings))
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FileError(message: "cannot store the asset directory at \(url.path): \(reason)")
        }
    }
}
