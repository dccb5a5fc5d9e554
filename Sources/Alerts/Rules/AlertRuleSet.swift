import Foundation

/// A rules file (`--alerts FILE`, and `rules.json` under the alerts directory):
/// `{"version": 1, "rules": [...], "webhooks": [...]}`.
///
/// Rule ids are unique; an error inside a rule names it by position (`rules[2].minutes`).
public struct AlertRuleSet: Sendable, Hashable {
    public var rules: [AlertRule]
    public var webhooks: [Webhook]

    public init(rules: [AlertRule] = [], webhooks: [Webhook] = []) {
        self.rules = rules
        self.webhooks = webhooks
    }

    /// Decodes and validates a rules file.
    public static func decode(_ data: Data) throws(AlertsError) -> AlertRuleSet {
        let top: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw AlertsError(.invalidRule, "a rules file must be a JSON object {\"version\": 1, \"rules\": [...]}")
            }
            top = object
        } catch let error as AlertsError {
            throw error
        } catch {
            throw AlertsError(.invalidRule, "rules file is not valid JSON: \(error.localizedDescription)")
        }
        if let unknown = top.keys.first(where: { !["version", "rules", "webhooks"].contains($0) }) {
            throw AlertsError.invalid(unknown, "is not a field of a rules file (version, rules, webhooks)")
        }
        guard (top["version"] as? NSNumber)?.intValue == AlertRule.currentVersion else {
            throw AlertsError.invalid("version", "must be \(AlertRule.currentVersion)")
        }
        var set = AlertRuleSet()
        var seen = Set<String>()
        for (i, raw) in ((top["rules"] as? [Any]) ?? []).enumerated() {
            let rule: AlertRule
            do {
                rule = try AlertRule.decode(try JSONSerialization.data(withJSONObject: raw, options: [.fragmentsAllowed]))
            } catch let error as AlertsError {
                throw AlertsError(error.code, error.message, field: "rules[\(i)]" + (error.field.map { ".\($0)" } ?? ""))
            } catch {
                throw AlertsError.invalid("rules[\(i)]", "is not a rule object")
            }
            guard seen.insert(rule.id).inserted else {
                throw AlertsError(.duplicateRule, "rule id '\(rule.id)' appears twice", field: "rules[\(i)].id")
            }
            set.rules.append(rule)
        }
        var hookIDs = Set<String>()
        for (i, raw) in ((top["webhooks"] as? [Any]) ?? []).enumerated() {
            do {
                let hook = try JSONDecoder().decode(Webhook.self, from: JSONSerialization.data(withJSONObject: raw, options: [.fragmentsAllowed]))
                try hook.validate()
                guard hookIDs.insert(hook.id).inserted else { throw AlertsError.invalid("id", "'\(hook.id)' appears twice") }
                set.webhooks.append(hook)
            } catch let error as AlertsError {
                throw AlertsError(error.code, error.message, field: "webhooks[\(i)]" + (error.field.map { ".\($0)" } ?? ""))
            } catch {
                throw AlertsError.invalid("webhooks[\(i)]", "must be {\"id\", \"url\", \"secret\"} with optional timeout_seconds, max_attempts")
            }
        }
        return set
    }

    /// The file form; webhook secrets included (the file is the configuration).
    public func encoded() throws -> Data {
        struct File: Encodable { var version: Int; var rules: [AlertRule]; var webhooks: [Webhook] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(File(version: AlertRule.currentVersion, rules: rules, webhooks: webhooks))
    }
}
