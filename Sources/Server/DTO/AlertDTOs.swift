import Alerts

/// `GET /api/v1/alerts/rules`.
struct AlertRulesResponse: ExplicitJSONKeys { var rules: [AlertRule] }

/// The rule a `POST` or `PUT` stored.
struct AlertRuleResponse: ExplicitJSONKeys { var rule: AlertRule }

/// `DELETE /api/v1/alerts/rules/{id}`.
struct AlertRuleDeletedResponse: ExplicitJSONKeys { var deleted: String }

/// `GET /api/v1/alerts`: events newest first, the cursor of the next (older) page, and the
/// alerts fired and not yet resolved.
struct AlertsResponse: ExplicitJSONKeys {
    var alerts: [AlertEvent]
    var nextCursor: String?
    var held: [String]

    enum CodingKeys: String, CodingKey {
        case alerts, held
        case nextCursor = "next_cursor"
    }
}
