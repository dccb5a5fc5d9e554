import CryptoVizCore
import Foundation
import Testing
@testable import Alerts

@Suite struct AlertRuleTests {
    private func decode(_ json: String) throws(AlertsError) -> AlertRule { try AlertRule.decode(Array(json.utf8)) }

    private func error(_ json: String) -> AlertsError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesEveryTypeAndRoundTrips() throws {
        let rules = [
            #"{"id":"a","type":"price_above","level":100}"#,
            #"{"id":"b","type":"price_below","level":50,"scope":{"assets":["bitcoin"],"sources":["binance"]}}"#,
            #"{"id":"c","type":"change","percent":5,"minutes":10,"direction":"down","severity":"critical"}"#,
            #"{"id":"d","type":"anomaly","z":4,"window_minutes":60,"hysteresis":1}"#,
            #"{"id":"d2","type":"anomaly","z":8,"window_minutes":2,"return_seconds":2}"#,
            #"{"id":"e","type":"spread","percent":2,"quiet_hours":{"start":"22:00","end":"06:00"}}"#,
            #"{"id":"f","type":"stale_source","seconds":120,"cooldown_seconds":0,"enabled":false}"#,
            #"{"version":1,"id":"g","name":"Lake behind","type":"lake_freshness","seconds":600}"#,
        ]
        for json in rules {
            let rule = try decode(json)
            let again = try AlertRule.decode(Array(try JSONEncoder().encode(rule)))
            #expect(again == rule, "round trip of \(json)")
        }
        let change = try decode(rules[2])
        #expect(change.condition == .change(percent: 5, minutes: 10, direction: .down))
        #expect(change.severity == .critical)
        #expect(try decode(rules[3]).condition == .anomaly(z: 4, windowMinutes: 60, returnSeconds: 60), "1-minute returns by default")
        #expect(try decode(rules[4]).condition == .anomaly(z: 8, windowMinutes: 2, returnSeconds: 2))
        #expect(try decode(rules[5]).quietHours == QuietHours(startMinute: 22 * 60, endMinute: 6 * 60))
        #expect(try decode(rules[0]).cooldownSeconds == 300)
    }

    @Test(arguments: [
        (#"{"id":"x","type":"change","percent":5,"minutes":-5}"#, "minutes"),
        (#"{"id":"x","type":"anomaly","z":3,"window_minutes":0}"#, "window_minutes"),
        (#"{"id":"x","type":"anomaly","z":3,"window_minutes":10,"return_seconds":0}"#, "return_seconds"),
        (#"{"id":"x","type":"anomaly","z":3,"window_minutes":1,"return_seconds":60}"#, "window_minutes"),
        (#"{"id":"x","type":"anomaly","z":3,"window_minutes":1440,"return_seconds":1}"#, "window_minutes"),
        (#"{"id":"x","type":"price_above","level":-1}"#, "level"),
        (#"{"id":"x","type":"price_above"}"#, "level"),
        (#"{"id":"x","type":"price_above","level":"high"}"#, "level"),
        (#"{"id":"x","type":"moon","level":1}"#, "type"),
        (#"{"id":"x","level":1}"#, "type"),
        (#"{"id":"x","type":"price_above","level":1,"levle":2}"#, "levle"),
        (#"{"id":"x","type":"price_above","level":1,"minutes":2}"#, "minutes"),
        (#"{"id":"x y","type":"price_above","level":1}"#, "id"),
        (#"{"type":"price_above","level":1}"#, "id"),
        (#"{"id":"x","type":"price_above","level":1,"cooldown_seconds":-1}"#, "cooldown_seconds"),
        (#"{"id":"x","type":"price_above","level":1,"hysteresis":-0.5}"#, "hysteresis"),
        (#"{"id":"x","type":"price_above","level":1,"severity":"loud"}"#, "severity"),
        (#"{"id":"x","type":"price_above","level":1,"quiet_hours":{"start":"25:00","end":"01:00"}}"#, "quiet_hours.start"),
        (#"{"id":"x","type":"price_above","level":1,"scope":{"assets":["Bit Coin"]}}"#, "scope.assets[0]"),
        (#"{"id":"x","type":"price_above","level":1,"scope":{"sources":[\#(Array(repeating: "\"binance\"", count: 101).joined(separator: ","))]}}"#, "scope.sources"),
        (#"{"id":"x","type":"price_above","level":1,"scope":{"assets":[\#(Array(repeating: "\"btc\"", count: 101).joined(separator: ","))]}}"#, "scope.assets"),
        (#"{"id":"x","type":"stale_source","seconds":0}"#, "seconds"),
        (#"{"id":"x","type":"change","percent":5,"minutes":10,"direction":"sideways"}"#, "direction"),
        (#"{"version":2,"id":"x","type":"price_above","level":1}"#, "version"),
    ])
    func rejectsBadFieldsNamingThem(json: String, field: String) {
        let failure = error(json)
        #expect(failure?.code == .invalidRule)
        #expect(failure?.field == field, "\(json): \(String(describing: failure))")
    }

    @Test func acceptsAScopeAtTheSchemasMaximum() throws {
        let ids = (0..<AlertRule.maxScopeEntries).map { "\"s\($0)\"" }.joined(separator: ",")
        let rule = try decode(#"{"id":"x","type":"price_above","level":1,"scope":{"assets":[\#(ids)],"sources":[\#(ids)]}}"#)
        #expect(rule.scope.assets.count == 100 && rule.scope.sources.count == 100)
    }

    @Test func rejectsMalformedJSONAndNonObjects() {
        #expect(error(#"{"id":"x","type":"price_above","level":1"#)?.code == .invalidRule)
        #expect(error("[1,2]")?.code == .invalidRule)
        #expect(error("")?.code == .invalidRule)
    }

    @Test func ruleSetNamesTheRuleAtFaultAndRefusesDuplicates() throws {
        let bad = #"{"version":1,"rules":[{"id":"a","type":"price_above","level":1},{"id":"b","type":"change","percent":1,"minutes":-3}]}"#
        #expect(throws: AlertsError(.invalidRule, "'minutes' must be from 1 to 1440", field: "rules[1].minutes")) {
            try AlertRuleSet.decode(Data(bad.utf8))
        }
        let duplicate = #"{"version":1,"rules":[{"id":"a","type":"price_above","level":1},{"id":"a","type":"price_below","level":1}]}"#
        #expect { try AlertRuleSet.decode(Data(duplicate.utf8)) } throws: { ($0 as? AlertsError)?.code == .duplicateRule }
        let hooks = #"{"version":1,"rules":[],"webhooks":[{"id":"h","url":"ftp://x","secret":"0123456789abcdef"}]}"#
        #expect { try AlertRuleSet.decode(Data(hooks.utf8)) } throws: { ($0 as? AlertsError)?.field == "webhooks[0].url" }
        let good = #"{"version":1,"rules":[{"id":"a","type":"price_above","level":1}],"webhooks":[{"id":"h","url":"http://127.0.0.1:9/x","secret":"0123456789abcdef"}]}"#
        let set = try AlertRuleSet.decode(Data(good.utf8))
        #expect(set.rules.map(\.id) == ["a"])
        #expect(set.webhooks.first?.maxAttempts == 8)
        #expect(try AlertRuleSet.decode(set.encoded()) == set)
    }
}
