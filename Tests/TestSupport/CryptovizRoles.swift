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

    /// `cryptoviz collect --bus …` polling every provider of the simulator at `simulatorURL`
    /// each second (not started).
    public static func collector(bus: String, simulatorURL: String, assets: Int, data: URL,
                                 environment: [String: String] = [:], label: String) throws -> ManagedProcess {
        ManagedProcess(executable: try TestEnvironment.cryptovizBinary(), arguments: [
            "collect", "--bus", bus, "--interval", "1", "--assets", "\(assets)",
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
