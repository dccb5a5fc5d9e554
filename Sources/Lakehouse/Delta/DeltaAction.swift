import CryptoVizCore
import Foundation

/// One line of a Delta commit file: exactly one action (Delta PROTOCOL.md, "Actions").
///
/// Actions this implementation does not know (cdc, domainMetadata, ...) decode as `.unknown`
/// and are ignored by snapshots, as the protocol asks of readers.
public enum DeltaAction: Sendable, Hashable {
    case `protocol`(DeltaProtocol)
    case metadata(DeltaMetadata)
    case add(AddFile)
    case remove(RemoveFile)
    case txn(TransactionAction)
    case commitInfo([String: JSONValue])
    case unknown(String)

    private struct Line: Codable {
        var `protocol`: DeltaProtocol?
        var metaData: DeltaMetadata?
        var add: AddFile?
        var remove: RemoveFile?
        var txn: TransactionAction?
        var commitInfo: [String: JSONValue]?
    }

    /// Parses a whole commit file: newline-delimited JSON objects, one action each.
    /// Blank lines are skipped; anything else that is not an action object throws, and so does
    /// a file with no action at all: every commit a writer makes holds at least one, so an
    /// empty file is damage (a torn or truncated write), never an empty commit.
    public static func decodeCommit(_ bytes: [UInt8], version: Int64) throws -> [DeltaAction] {
        var actions: [DeltaAction] = []
        let decoder = JSONDecoder()
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            lineNumber += 1
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do {
                let parsed = try decoder.decode(Line.self, from: Data(line))
                let present = [parsed.protocol != nil, parsed.metaData != nil, parsed.add != nil, parsed.remove != nil,
                               parsed.txn != nil, parsed.commitInfo != nil].filter { $0 }.count
                if present > 1 {
                    throw LakehouseError(.corruptLog, "commit \(version) line \(lineNumber) holds \(present) actions, not one")
                }
                if let p = parsed.protocol { actions.append(.protocol(p)) }
                else if let m = parsed.metaData { actions.append(.metadata(m)) }
                else if let a = parsed.add { actions.append(.add(a)) }
                else if let r = parsed.remove { actions.append(.remove(r)) }
                else if let t = parsed.txn { actions.append(.txn(t)) }
                else if let c = parsed.commitInfo { actions.append(.commitInfo(c)) }
                else {
                    let keys = (try? decoder.decode([String: JSONValue].self, from: Data(line)))?.keys.sorted() ?? []
                    guard keys.count == 1 else {
                        throw LakehouseError(.corruptLog, "commit \(version) line \(lineNumber) is not one action: keys \(keys)")
                    }
                    actions.append(.unknown(keys[0]))
                }
            } catch let error as LakehouseError {
                throw error
            } catch {
                throw LakehouseError(.corruptLog, "commit \(version) line \(lineNumber): \(error)")
            }
        }
        if actions.isEmpty {
            throw LakehouseError(.corruptLog, bytes.isEmpty
                ? "commit \(version) is empty (0 bytes)"
                : "commit \(version) holds no action (\(bytes.count) bytes of blank lines)")
        }
        return actions
    }

    /// Serializes actions as a commit file: one compact JSON object per line.
    public static func encodeCommit(_ actions: [DeltaAction]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out: [UInt8] = []
        for action in actions {
            var line = Line()
            switch action {
            case .protocol(let p): line.protocol = p
            case .metadata(let m): line.metaData = m
            case .add(let a): line.add = a
            case .remove(let r): line.remove = r
            case .txn(let t): line.txn = t
            case .commitInfo(let c): line.commitInfo = c
            case .unknown: continue
            }
            out.append(contentsOf: try encoder.encode(line))
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
