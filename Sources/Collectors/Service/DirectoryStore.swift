import CryptoVizCore
import Foundation
import Logging

/// The shared `AssetDirectory` every poller reads, and where it comes from.
///
/// CoinGecko's listings are the source of canonical identity. They are kept on disk (when a
/// file is configured) and loaded at start, so the other providers resolve ids while CoinGecko
/// is down. With neither a CoinGecko listing nor a stored one, CoinMarketCap's listing stands
/// in *provisionally* (its slug as the id, which equals CoinGecko's id for most coins): the
/// first real CoinGecko listing replaces it whole, so no provisional id outlives the outage.
actor DirectoryStore {
    private(set) var directory: AssetDirectory
    /// True while the directory holds only CoinMarketCap's stand-in listings.
    private(set) var provisional = false
    private let file: AssetDirectoryFile?
    private let logger: Logger
    private var lastSavedMillis: Int64?
    /// At most one write per interval: listings are refreshed every CoinGecko poll.
    private let saveInterval: Int64 = 60_000

    init(file: AssetDirectoryFile? = nil, logger: Logger = Logger(label: "cryptoviz.collectors")) {
        self.file = file
        self.logger = logger
        var directory = AssetDirectory()
        if let file {
            do {
                let stored = try file.load()
                directory.merge(stored)
                if !stored.isEmpty {
                    logger.info("asset directory loaded from the last run", metadata: ["listings": "\(stored.count)", "file": "\(file.url.path)"])
                }
            } catch {
                logger.warning("stored asset directory ignored", metadata: ["error": "\(error)"])
            }
        }
        self.directory = directory
    }

    /// CoinGecko listings: canonical; they replace a provisional directory and are stored.
    func merge(_ listings: [CoinGeckoListing]) {
        guard !listings.isEmpty else { return }
        if provisional {
            directory = AssetDirectory(listings: listings, symbolRankHorizon: directory.symbolRankHorizon)
            provisional = false
            logger.notice("CoinGecko listing received; the provisional CoinMarketCap identities are replaced")
        } else {
            directory.merge(listings)
        }
        saveIfDue()
    }

    /// CoinMarketCap's listing as a stand-in, only while there is no CoinGecko identity at all.
    func adoptProvisional(_ listings: [CoinGeckoListing]) {
        guard !listings.isEmpty, directory.isEmpty || provisional else { return }
        if !provisional {
            logger.warning("no CoinGecko listing yet (and none stored): identities come provisionally from CoinMarketCap's slugs",
                           metadata: ["listings": "\(listings.count)"])
        }
        directory = AssetDirectory(listings: listings, symbolRankHorizon: directory.symbolRankHorizon)
        provisional = true
    }

    private func saveIfDue() {
        guard let file else { return }
        let now = currentUnixMillis()
        if let last = lastSavedMillis, now - last < saveInterval { return }
        do {
            try file.save(directory.listings)
            lastSavedMillis = now
        } catch {
            logger.warning("asset directory not stored", metadata: ["error": "\(error)"])
        }
    }
}

extension CoinGeckoListing {
    /// CoinMarketCap quotes as stand-in listings (slug as id), ranked as CoinMarketCap ranks them.
    static func provisional(fromCoinMarketCap quotes: [SourceQuote]) -> [CoinGeckoListing] {
        quotes.compactMap { quote in
            guard case .coinMarketCap(let cmc) = quote.identity, !cmc.slug.isEmpty else { return nil }
            return CoinGeckoListing(id: AssetID(cmc.slug), symbol: cmc.symbol.lowercased(), name: cmc.name,
                                    marketCapRank: cmc.rank, marketCap: quote.marketCap)
        }
    }
}
