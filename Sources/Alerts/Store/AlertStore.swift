import Foundation

/// The alerts directory (`<data>/alerts`): `rules.json` (the rules, as a rules file without
/// webhooks), `state.json` (`AlertEngineState`), `history.jsonl` (the journal of fired and
/// resolved events, one JSON object per line: the newest ones and any not yet in the lake's
/// `alerts` table), and the webhook outbox (`outbox/`, `dead-letters.jsonl`).
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
        try AtomicFile.append(Self.lines(events), to: historyURL)
    }

    /// The history journal: the position of its first event and its events, oldest first; a
    /// torn last line (a crash mid-append) is skipped. The journal is bounded by
    /// `rewriteHistory`, so it is read whole.
    public func loadHistory() throws(AlertsError) -> HistoryJournal {
        guard let data = try read(historyURL) else { return HistoryJournal(base: 0, events: []) }
        let decoder = JSONDecoder()
        var lines = data.split(separator: 0x0A)[...]
        var base = 0
        if let first = lines.first, let header = try? decoder.decode(HistoryJournal.Header.self, from: Data(first)) {
            base = header.base
            lines = lines.dropFirst()
        }
        return HistoryJournal(base: base, events: lines.compactMap { try? decoder.decode(AlertEvent.self, from: Data($0)) })
    }

    /// Replaces the journal with `events`, the first at position `base` (a header line says so),
    /// atomically: a crash leaves the old journal or the new one.
    public func rewriteHistory(base: Int, events: some Collection<AlertEvent>) throws(AlertsError) {
        var data = Data()
        if base > 0 {
            data.append(Data(#"{"base":\#(base)}"#.utf8))
            data.append(0x0A)
        }
        data.append(Self.lines(events))
        try AtomicFile.write(data, to: historyURL)
    }

    private static func lines(_ events: some Collection<AlertEvent>) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for event in events {
            guard let line = try? encoder.encode(event) else { continue }
            lines.append(line)
            lines.append(0x0A)
        }
        return lines
    }

    private func read(_ url: URL) throws(AlertsError) -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try Data(contentsOf: url) } catch { throw AlertsError(.storage, "cannot read \(url.path): \(error.localizedDescription)") }
    }
}

/// The alert history journal as read: events numbered from `base` (positions survive trimming).
public struct HistoryJournal: Sendable {
    public var base: Int
    public var events: [AlertEvent]

    struct Header: Decodable { var base: Int }
}
