import Foundation
import Testing
import TestSupport

/// What `Tests/Oracles/pipeline/cluster_check.py` (librdkafka, delta-rs, DuckDB) reports.
struct ClusterCheck {
    var raw = ""
    var topicMessages = 0
    var topicEvents = 0
    var lakeRows = -1
    var lakeEvents = -1
    var lakeMissing = -1
    var lakeExtra = -1
    var duckRows = -1
    var duckEvents = -1
    var lagFree = false

    var caughtUp: Bool { lagFree && lakeMissing == 0 && lakeEvents == topicEvents }

    static func run(bootstrap: String, group: String, s3: LocalBucketServer, table: String = "s3://lake/ticks") throws -> ClusterCheck {
        let output = try ProcessRunner.oracle("pipeline/cluster_check.py", [bootstrap, group, table],
                                              environment: ["CRYPTOVIZ_S3_ENDPOINT": s3.endpoint]).stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let topic = json["topic"] as? [String: Any] ?? [:]
        let delta = json["deltalake"] as? [String: Any] ?? [:]
        let duck = json["duckdb"] as? [String: Any] ?? [:]
        let lag = json["lag"] as? [String: [String: Any]] ?? [:]
        var check = ClusterCheck()
        check.raw = output
        check.topicMessages = topic["messages"] as? Int ?? 0
        check.topicEvents = topic["events"] as? Int ?? 0
        check.lakeRows = delta["rows"] as? Int ?? -1
        check.lakeEvents = delta["events"] as? Int ?? -1
        check.lakeMissing = delta["missing_count"] as? Int ?? -1
        check.lakeExtra = delta["extra_count"] as? Int ?? -1
        check.duckRows = duck["rows"] as? Int ?? -1
        check.duckEvents = duck["events"] as? Int ?? -1
        check.lagFree = !lag.isEmpty && lag.values.allSatisfy { ($0["committed"] as? Int) == ($0["end"] as? Int) }
        return check
    }
}
