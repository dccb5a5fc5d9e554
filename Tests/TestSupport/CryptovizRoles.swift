import Foundation

/// `cryptoviz` roles as separate processes, the way the distributed tests run them.
public enum CryptovizRoles {
    /// `cryptoviz simulate` on a free port, started and listening; returns it and its base URL.
    public static func simulator(assets: Int, label: String) throws -> (process: ManagedProcess, url: String) {
        let port = try LoopbackPort.free()
        let process = ManagedProcess(executable: try TestEnvironment.cryptovizBinary(),
                                     arguments: ["simulate", "--port", "\(port)", "--assets", "\(assets)"], label: label)
        try process.start()
        try LoopbackPort.waitUntilOpen(port, timeout: 30)
        return (process, "http://127.0.0.1:\(port)")
    }

    /// `cryptoviz collect --bus …` polling CoinGecko, CoinMarketCap and Binance of the simulator
    /// at `simulatorURL` each second (not started). Coinbase and Kraken, on by default, are left
    /// out: these runs test the pipeline, and Coinbase's one request per product would add load.
    public static func collector(bus: String, simulatorURL: String, assets: Int, data: URL,
                                 environment: [String: String] = [:], label: String) throws -> ManagedProcess {
        ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "collect", "--bus", bus, "--interval", "1", "--assets", "\(assets)", "--providers", "coingecko,coinmarketcap,binance",
            "--coingecko-url", "\(simulatorURL)/api/v3", "--cmc-url", simulatorURL, "--binance-url", simulatorURL,
            "--data", data.path,
        ], environment: ["CMC_API_KEY": "demo-key"].merging(environment) { $1 }, label: label)
    }

    /// The integer after `key` (such as `accepted=`) in a log line, if any.
    public static func number(after key: String, in line: some StringProtocol) -> Int? {
        guard let range = line.range(of: key) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
