import Testing
@testable import Lakehouse

@Suite struct LakehouseErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(LakehouseError("no table"))" == "lakehouse: no table")
    }
}
