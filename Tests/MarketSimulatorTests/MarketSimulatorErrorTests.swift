import Testing
@testable import MarketSimulator

@Suite struct MarketSimulatorErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(SimulatorError("bad spec"))" == "simulator: bad spec")
    }
}
