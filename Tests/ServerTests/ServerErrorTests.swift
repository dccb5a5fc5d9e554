import Testing
@testable import Server

@Suite struct ServerErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(ServerError("bad range"))" == "bad range")
    }
}
