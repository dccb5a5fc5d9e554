import Pipeline

/// The latest-quotes response written byte by byte: it is the largest and most requested body
/// (every watched asset with every source), and Foundation's encoder spent most of a loaded
/// server's CPU on it. Same keys and omissions as the `Codable` form (absent optionals left out).
extension QuotesResponse: JSONBytesEncodable {
    func jsonBytes() throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 512 * max(1, quotes.count))
        try out.object { out in
            out.key("quotes")
            try out.array(quotes) { out, quote in
                try out.object { out in
                    out.member("asset", quote.asset.rawValue)
                    out.member("symbol", quote.symbol)
                    try out.member("price", quote.price)
                    try out.member("change_1h", quote.change1h)
                    try out.member("change_24h", quote.change24h)
                    try out.member("change_7d", quote.change7d)
                    out.member("source_time_ms", quote.sourceTimeMs)
                    out.key("sources")
                    try out.array(quote.sources) { out, source in
                        try out.object { out in
                            out.member("source", source.source.rawValue)
                            try out.member("price", source.price)
                            try out.member("market_cap", source.marketCap)
                            try out.member("volume_24h", source.volume24h)
                            try out.member("change_1h", source.change1h)
                            try out.member("change_24h", source.change24h)
                            try out.member("change_7d", source.change7d)
                            out.member("source_time_ms", source.sourceTimeMs)
                            out.member("collected_time_ms", source.collectedTimeMs)
                        }
                    }
                }
            }
        }
        return out.bytes
    }
}
