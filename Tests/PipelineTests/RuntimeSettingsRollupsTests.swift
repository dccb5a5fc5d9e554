import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// The rollups switch: on by default, turned off by the config file, the environment or a flag
/// value, and a value that is neither on nor off is refused with the setting's name.
@Suite struct RuntimeSettingsRollupsTests {
    @Test func rollupsAreOnByDefaultAndSwitchOffFromEachSource() throws {
        #expect(RuntimeSettings().rollups)
        #expect(RuntimeSettings().describe().contains("rollups = on"))

        let dir = try TestEnvironment.temporaryDirectory("settings-rollups")
        let file = dir.appendingPathComponent("config.json")
        try Data(#"{"rollups": false}"#.utf8).write(to: file)
        var fromFile = RuntimeSettings()
        try fromFile.apply(configFile: file)
        #expect(!fromFile.rollups)
        try Data(#"{"rollups": "on"}"#.utf8).write(to: file)
        try fromFile.apply(configFile: file)
        #expect(fromFile.rollups)

        var fromEnvironment = RuntimeSettings()
        try fromEnvironment.apply(environment: ["CRYPTOVIZ_ROLLUPS": "off"])
        #expect(!fromEnvironment.rollups)
        #expect(fromEnvironment.describe().contains("rollups = off"))
        #expect(RuntimeSettings.parseSwitch("OFF") == false && RuntimeSettings.parseSwitch("on") == true)
    }

    @Test(arguments: ["maybe", "yes please", "2"])
    func refusesAnythingButOnOrOff(value: String) {
        var settings = RuntimeSettings()
        let error = #expect(throws: PipelineError.self) { try settings.apply(environment: ["CRYPTOVIZ_ROLLUPS": value]) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("CRYPTOVIZ_ROLLUPS"))
        #expect(RuntimeSettings.parseSwitch(value) == nil)
    }
}
