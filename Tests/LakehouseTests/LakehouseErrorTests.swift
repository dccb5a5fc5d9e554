import Testing
@testable import Lakehouse

@Suite struct LakehouseErrorTests {
    @Test func descriptionNamesCodeAndProblem() {
        #expect("\(LakehouseError(.tableNotFound, "no table at x/"))" == "lakehouse tableNotFound: no table at x/")
        #expect("\(LakehouseError("no table"))" == "lakehouse other: no table")
    }
}
