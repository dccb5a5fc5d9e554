import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite struct RuntimeSettingsTests {
    @Test func environmentOverridesConfigFile() throws {
        let dir = try TestEnvironment.temporaryDirectory()
        let file = dir.appendingPathComponent("cryptoviz.json")
        try Data(#"{"bus": "kafka://a:1", "port": 9000, "token": "s3cret", "interval": 5}"#.utf8).write(to: file)
        var settings = RuntimeSettings()
        try settings.apply(configFile: file)
        try settings.apply(environment: ["CRYPTOVIZ_PORT": "9100"])
        #expect(settings.bus == "kafka://a:1")
        #expect(settings.port == 9100)
        #expect(settings.intervalSeconds == 5)
        try settings.validate()
        #expect(try settings.kafkaBootstrapServers() == ["a:1"])
    }

    @Test func describeMasksTheToken() {
        var settings = RuntimeSettings()
        settings.token = "s3cret-token"
        #expect(!settings.describe().contains("s3cret"))
        #expect(settings.describe().contains("token = ****"))
    }

    @Test(arguments: [
        #"{"port": "x"}"#, #"{"nope": 1}"#, "[1,2]", "not json",
    ])
    func refusesBadConfigFiles(text: String) throws {
        let file = try TestEnvironment.temporaryDirectory().appendingPathComponent("c.json")
        try Data(text.utf8).write(to: file)
        var settings = RuntimeSettings()
        #expect(throws: PipelineError.self) { try settings.apply(configFile: file) }
    }

    @Test func refusesOutOfRangeValues() {
        var settings = RuntimeSettings()
        settings.port = 70_000
        #expect(throws: PipelineError.self) { try settings.validate() }
        settings = RuntimeSettings()
        settings.bus = "kafka://nohost"
        #expect(throws: PipelineError.self) { try settings.validate() }
        settings = RuntimeSettings()
        #expect(throws: PipelineError.self) { try settings.apply(environment: ["CRYPTOVIZ_ASSETS": "many"]) }
    }

    @Test func vacuumScheduleIsReadFromEveryLayerAndChecked() throws {
        let file = try TestEnvironment.temporaryDirectory().appendingPathComponent("c.json")
        try Data(#"{"auto_vacuum_hours": 6, "vacuum_retention_hours": 48}"#.utf8).write(to: file)
        var settings = RuntimeSettings()
        #expect(settings.autoVacuumHours == 24 && settings.vacuumRetentionHours == 168)
        try settings.apply(configFile: file)
        #expect(settings.autoVacuumHours == 6 && settings.vacuumRetentionHours == 48)
        try settings.apply(environment: ["CRYPTOVIZ_AUTO_VACUUM_HOURS": "0"])
        #expect(settings.autoVacuumHours == 0)
        try settings.validate()
        #expect(throws: PipelineError.self) { try settings.apply(environment: ["CRYPTOVIZ_AUTO_VACUUM_HOURS": "daily"]) }
        for (hours, retention) in [(-1.0, 168.0), (10_000, 168), (24, 1)] {
            settings = RuntimeSettings()
            settings.autoVacuumHours = hours
            settings.vacuumRetentionHours = retention
            #expect(throws: PipelineError.self, "\(hours) h, retention \(retention) h") { try settings.validate() }
        }
    }

    @Test func defaultLakeLivesUnderTheDataDirectory() {
        var settings = RuntimeSettings()
        settings.dataDirectory = "/tmp/cv"
        #expect(settings.effectiveLake == "file:///tmp/cv/lake")
    }
}
