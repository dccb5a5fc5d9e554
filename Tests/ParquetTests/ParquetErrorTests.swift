import Testing
@testable import Parquet

@Suite struct ParquetErrorTests {
    @Test func descriptionNamesTheProblem() {
        #expect("\(ParquetError("footer too short"))" == "parquet: footer too short")
    }
}
