import CryptoVizCore
import Testing
@testable import Collectors

/// Bodies follow developers.binance.com spot REST "Kline/Candlestick data".
@Suite struct KlineParserTests {
    static let body = """
        [
          [1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"],
          [1499040060000, "65000.10000000", "65010.00000000", "64990.00000000", "65005.00000000", "12.34567800", 1499040119999, "802345.12345678", 123, "6.00000000", "400000.00000000", "0"]
        ]
        """

    @Test func parsesTheDocumentedShape() throws {
        let bars = try KlineParser.parse(Array(Self.body.utf8))
        #expect(bars.count == 2)
        #expect(bars[0] == HistoryBar(openTimeMillis: 1_499_040_000_000, closeTimeMillis: 1_499_644_799_999, open: 0.0163479,
                                      high: 0.8, low: 0.015758, close: 0.015771, baseVolume: 148_976.11427815,
                                      quoteVolume: 2434.19055334, tradeCount: 308))
        #expect(bars[1].close == 65005 && bars[1].tradeCount == 123)
        #expect(try KlineParser.parse(Array("[]".utf8)).isEmpty)
    }

    @Test(arguments: [
        ("truncated", String(body.prefix(body.count / 2)), "truncated"),
        ("price as number", #"[[1,0.5,"1","0.1","0.5","1",2,"1",1,"1","1","0"]]"#, "field 1 (open)"),
        ("time as string", #"[["1","0.5","1","0.1","0.5","1",2,"1",1,"1","1","0"]]"#, "field 0 (open time)"),
        ("too few fields", #"[[1,"0.5","1","0.1","0.5"]]"#, "5 fields"),
        ("high below close", #"[[1,"0.5","0.6","0.1","0.7","1",2,"1",1,"1","1","0"]]"#, "do not bound"),
        ("zero price", #"[[1,"0","1","0","0.5","1",2,"1",1,"1","1","0"]]"#, "zero"),
        ("not ascending", #"[[5,"1","1","1","1","1",6,"1",1,"1","1","0"],[5,"1","1","1","1","1",6,"1",1,"1","1","0"]]"#, "not after"),
        ("garbage", #"{"code":-1121,"msg":"Invalid symbol."}"#, "expected"),
        ("fraction time", #"[[1.5,"1","1","1","1","1",6,"1",1,"1","1","0"]]"#, "whole number"),
        ("trailing bytes", #"[] x"#, "after the kline list"),
        ("letters in decimal", #"[[1,"1x","1","1","1","1",6,"1",1,"1","1","0"]]"#, "non-decimal"),
    ])
    func refusesMalformedPagesNamingTheFault(_ name: String, _ body: String, _ expected: String) {
        do {
            let bars = try KlineParser.parse(Array(body.utf8))
            Issue.record("\(name): parsed \(bars.count) bars")
        } catch let error as CollectorError {
            #expect(error.code == .malformedBody)
            #expect(error.message.contains(expected), "\(name): \(error.message)")
        } catch {
            Issue.record("\(name): \(error)")
        }
    }

    @Test func invalidSymbolIsARejectedRequestWithBinancesMessage() {
        let reply = HTTPReply(status: 400, body: Array(#"{"code":-1121,"msg":"Invalid symbol."}"#.utf8))
        #expect {
            try BinanceKlineClient.interpret(reply, symbol: "NOPEUSDT")
        } throws: { error in
            let e = error as? CollectorError
            return e?.code == .requestRejected && e?.message.contains("-1121: Invalid symbol.") == true && e?.isRetryable == false
        }
    }
}
