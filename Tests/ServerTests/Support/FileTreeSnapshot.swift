import Foundation

/// Every file and folder under a directory with its exact bytes, to prove a request wrote,
/// changed or removed nothing there.
struct FileTreeSnapshot: Equatable {
    /// Relative path -> contents (nil for a folder).
    var entries: [String: Data?]

    /// The tree under `root`, leaving out the relative paths that start with one of `excluding`.
    init(_ root: URL, excluding: [String] = []) throws {
        entries = [:]
        let base = root.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return }
        for case let relative as String in walker {
            if excluding.contains(where: { relative == $0 || relative.hasPrefix($0 + "/") }) { continue }
            let path = base + "/" + relative
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            entries[relative] = isFolder.boolValue ? .some(nil) : try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }

    /// Paths added, removed or changed between `self` and `other`, for failure messages.
    func differences(_ other: FileTreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().filter { entries[$0] != other.entries[$0] }
    }

    /// Total bytes of the files under `root` (0 when it does not exist).
    static func bytes(under root: URL) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return 0 }
        var total = 0
        for case let relative as String in walker {
            let attributes = try? FileManager.default.attributesOfItem(atPath: root.path + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? Int) ?? 0
            }
        }
        return total
    }
}
