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
            if let v = quote.change1h { out.raw(",\"change_1h\":"); try out.double(v, field: "change_1h") }
            if let v = quote.change24h { out.raw(",\"change_24h\":"); try out.double(v, field: "change_24h") }
            if let v = quote.change7d { out.raw(",\"change_7d\":"); try out.double(v, field: "change_7d") }
            out.raw(",\"source_time_ms\":")
            out.int(quote.sourceTimeMs)
            out.raw(",\"sources\":[")
            for (j, source) in quote.sources.enumerated() {
                if j > 0 { out.raw(",") }
                out.raw("{\"source\":")
                out.string(source.source.rawValue)
                out.raw(",\"price\":")
                try out.double(source.price, field: "price")
                if let v = source.marketCap { out.raw(",\"market_cap\":"); try out.double(v, field: "market_cap") }
                if let v = source.volume24h { out.raw(",\"volume_24h\":"); try out.double(v, field: "volume_24h") }
                if let v = source.change1h { out.raw(",\"change_1h\":"); try out.double(v, field: "change_1h") }
                if let v = source.change24h { out.raw(",\"change_24h\":"); try out.double(v, field: "change_24h") }
                if let v = source.change7d { out.raw(",\"change_7d\":"); try out.double(v, field: "change_7d") }
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
