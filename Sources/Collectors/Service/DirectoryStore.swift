import CryptoVizCore

/// The shared, growing `AssetDirectory`, fed by CoinGecko listings and read by every poller.
actor DirectoryStore {
    private(set) var directory: AssetDirectory

    init(directory: AssetDirectory = .init()) {
        self.directory = directory
    }

    func merge(_ listings: [CoinGeckoListing]) {
        directory.merge(listings)
    }
}
