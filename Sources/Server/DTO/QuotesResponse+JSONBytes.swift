import Pipeline

/// The latest-quotes response written byte by byte: it is the largest and most requested body
/// (every watched asset with every source), and Foundation's encoder spent most of a loaded
/// server's CPU on it. Same keys and omissions as the `Codable` form (absent optionals left out).
extension QuotesResponse: JSONBytesEncodable {
    func jsonBytes() throws -> [UInt8] {
        var out = JSONByteWriter(capacity: 512 * max(1, quotes.count))
        out.raw("{\"quotes\":[")
        for (i, quote) in quotes.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw("{\"asset\":")
            out.string(quote.asset.rawValue)
            out.raw(",\"symbol\":")
            out.string(quote.symbol)
            out.raw(",\"price\":")
            try out.double(quote.price, field: "price")
            try out.optional(",\"change_1h\":", quote.change1h, field: "change_1h")
            try out.optional(",\"change_24h\":", quote.change24h, field: "change_24h")
            try out.optional(",\"change_7d\":", quote.change7d, field: "change_7d")
            out.raw(",\"source_time_ms\":")
            out.int(quote.sourceTimeMs)
            out.raw(",\"sources\":[")
            for (j, source) in quote.sources.enumerated() {
                if j > 0 { out.raw(",") }
                out.raw("{\"source\":")
                out.string(source.source.rawValue)
                out.raw(",\"price\":")
                try out.double(source.price, field: "price")
                try out.optional(",\"market_cap\":", source.marketCap, field: "market_cap")
                try out.optional(",\"volume_24h\":", source.volume24h, field: "volume_24h")
                try out.optional(",\"change_1h\":", source.change1h, field: "change_1h")
                try out.optional(",\"change_24h\":", source.change24h, field: "change_24h")
                try out.optional(",\"change_7d\":", source.change7d, field: "change_7d")
                out.raw(",\"source_time_ms\":")
                out.int(source.sourceTimeMs)
                out.raw(",\"collected_time_ms\":")
                out.int(source.collectedTimeMs)
                out.raw("}")
            }
            out.raw("]}")
        }
        out.raw("]}")
        return out.bytes
    }
}
