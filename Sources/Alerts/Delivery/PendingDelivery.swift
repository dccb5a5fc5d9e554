import Foundation

/// One event for one webhook, as kept in the outbox (`outbox/<webhook>__<event>.json`) from
/// before the first attempt until a 2xx answer or the dead-letter file.
///
/// The body and its signature are computed once, when the event is enqueued, so a retry after
/// a restart sends the same bytes under the same idempotency key.
struct PendingDelivery: Sendable, Codable, Hashable {
    var webhookID: String
    var url: String
    /// The idempotency key: the event id.
    var key: String
    var body: String
    var signature: String
    var timeoutSeconds: Double
    var maxAttempts: Int
    var createdMillis: Int64

    enum CodingKeys: String, CodingKey {
        case url, key, body, signature
        case webhookID = "webhook_id"
        case timeoutSeconds = "timeout_seconds"
        case maxAttempts = "max_attempts"
        case createdMillis = "created_ms"
    }

    /// The outbox file name; the same event for the same webhook always maps to the same file,
    /// so enqueuing it twice (a firing recomputed after a crash) keeps one delivery.
    var fileName: String {
        let safeKey = String(key.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return "\(webhookID)__\(safeKey).json"
    }

    /// For a resolution (`<alert id>:resolved`), the outbox file of its firing to the same
    /// webhook; nil for a firing.
    var firingFileName: String? {
        guard key.hasSuffix(":resolved") else { return nil }
        var firing = self
        firing.key = String(key.dropLast(":resolved".count)) + ":fired"
        return firing.fileName
    }
}
