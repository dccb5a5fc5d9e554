import Testing
@testable import MarketSimulator

@Suite struct FaultPlanTests {
    @Test func parsesTheDocumentedGrammar() throws {
        let plan = try FaultPlan(spec: "coingecko:429@0.2, binance:slow#3,cmc:malformed~10-20,*:5xx@1")
        #expect(plan.rules == [
            FaultRule(provider: "coingecko", kind: .tooManyRequests, trigger: .probability(0.2)),
            FaultRule(provider: "binance", kind: .slow, trigger: .firstRequests(3)),
            FaultRule(provider: "coinmarketcap", kind: .malformed, trigger: .window(fromSeconds: 10, toSeconds: 20)),
            FaultRule(provider: "*", kind: .serverError, trigger: .probability(1)),
        ])
        #expect(try FaultPlan(spec: "").rules.isEmpty)
    }

    @Test func acceptsTheNewVenues() throws {
        let plan = try FaultPlan(spec: "coinbase:429#2,kraken:5xx@1")
        #expect(plan.rules == [
            FaultRule(provider: "coinbase", kind: .tooManyRequests, trigger: .firstRequests(2)),
            FaultRule(provider: "kraken", kind: .serverError, trigger: .probability(1)),
        ])
    }

    @Test(arguments: ["coingecko", "bitstamp:429@0.1", "binance:429", "binance:explode@0.1", "binance:429@1.5",
                      "binance:429#-1", "binance:429~5-1"])
    func rejectsMalformedRules(spec: String) {
        #expect(throws: SimulatorError.self) { try FaultPlan(spec: spec) }
    }
}
