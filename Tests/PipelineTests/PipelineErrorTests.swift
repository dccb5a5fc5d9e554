import Testing
@testable import Pipeline

@Suite struct PipelineErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(PipelineError("stalled"))" == "pipeline: stalled")
    }
}
