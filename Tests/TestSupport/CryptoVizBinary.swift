import Foundation

extension TestEnvironment {
    /// The `cryptoviz` executable built by the test command (`swift build --show-bin-path`).
    public static func cryptovizBinary() throws -> String { try value("CRYPTOVIZ_BIN") }
}
