import Foundation

/// The alerts directory (`<data>/alerts`): `rules.json` (the rules, as a rules file without
/// webhooks), `state.json` (`AlertEngineState`), `history.jsonl` (every fired and resolved
/// event, one JSON object per line), and the webhook outbox (`outbox/`, `dead-letters.jsonl`).
public struct AlertStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    var rulesURL: URL { directory.appendingPathComponent("rules.json") }
    var stateURL: URL { directory.appendingPathComponent("state.json") }
    var historyURL: URL { directory.appendingPathComponent("history.jsonl") }

    /// The saved rules; nil when none were ever saved.
    public func loadRules() throws(AlertsError) -> [AlertRule]? {
        guard let data = try read(rulesURL) else { return nil }
        do {
            return try AlertRuleSet.decode(data).rules
        } catch {
            throw AlertsError(.storage, "\(rulesURL.path): \(error.description)", field: error.field)
        }
    }

    public func saveRules(_ rules: [AlertRule]) throws(AlertsError) {
        let data: Data
        do { data = try AlertRuleSet(rules: rules).encoded() } catch { throw AlertsError(.storage, "cannot encode rules: \(error)") }
        try AtomicFile.write(data, to: rulesURL)
    }

    public func loadState() throws(AlertsError) -> AlertEngineState? {
        guard let data = try read(stateURL) else { return nil }
        do {
            let state = try JSONDecoder().decode(AlertEngineState.self, from: data)
            guard state.version == AlertEngineState.currentVersion else {
                throw AlertsError(.storage, "\(stateURL.path) has state version \(state.version); this build reads \(AlertEngineState.currentVersion)")
            }
            return state
        } catch let error as AlertsError {
            throw error
        } catch {
            throw AlertsError(.storage, "\(stateURL.path) is not alert state: \(error.localizedDescription)")
        }
    }

    public func saveState(_ state: AlertEngineState) throws(AlertsError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(state) } catch { throw AlertsError(.storage, "cannot encode alert state: \(error)") }
        try AtomicFile.write(data, to: stateURL)
    }

    public func appendHistory(_ events: [AlertEvent]) throws(AlertsError) {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for event in events {
            guard let line = try? encoder.encode(event) else { continue }
            lines.append(line)
            lines.append(0x0A)
        }
        try AtomicFile.append(lines, to: historyURL)
    }

    /// The newest `limit` events of the history, oldest first; a torn last line (a crash
    /// mid-append) is skipped.
    public func loadHistory(limit: Int) throws(AlertsError) -> [AlertEvent] {
        guard let data = try read(historyURL) else { return [] }
        let decoder = JSONDecoder()
        let lines = data.split(separator: 0x0A).suffix(limit)
        return lines.compactMap { try? decoder.decode(AlertEvent.self, from: Data($0)) }
    }

    private func read(_ url: URL) throws(AlertsError) -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try Data(contentsOf: url) } catch { throw AlertsError(.storage, "cannot read \(url.path): \(error.localizedDescription)") }
    }
}
