extension ObjectListing {
    /// One page over a full listing, with S3 ListObjectsV2 semantics, for stores that list by
    /// walking all keys themselves.
    ///
    /// `objects` must hold every object whose key starts with `prefix` (any order), except those
    /// the caller already folded into `commonPrefixes`. With a
    /// delimiter, a key whose remainder after `prefix` contains it is folded into the common
    /// prefix ending at its first occurrence. Objects and common prefixes are merged in UTF-8
    /// byte order and together count toward `maxKeys`; `after` resumes strictly after the
    /// entry that ended the previous page, which is what the returned token holds.
    static func page(
        of objects: [ObjectMetadata], commonPrefixes: Set<String> = [], prefix: String, delimiter: String?,
        after: String?, maxKeys: Int
    ) -> ObjectListing {
        enum Entry {
            case object(ObjectMetadata)
            case commonPrefix(String)
            var name: String {
                switch self {
                case .object(let metadata): metadata.key.rawValue
                case .commonPrefix(let prefix): prefix
                }
            }
        }
        var entries: [Entry] = commonPrefixes.map(Entry.commonPrefix)
        var folded = commonPrefixes
        for object in objects {
            let key = object.key.rawValue
            if let delimiter, !delimiter.isEmpty, key.hasPrefix(prefix) {
                let rest = key.dropFirst(prefix.count)
                if let range = rest.firstRange(of: delimiter) {
                    let common = prefix + rest[..<range.upperBound]
                    if folded.insert(common).inserted { entries.append(.commonPrefix(common)) }
                    continue
                }
            }
            entries.append(.object(object))
        }
        entries.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        if let after {
            let start = entries.firstIndex { after.utf8.lexicographicallyPrecedes($0.name.utf8) } ?? entries.endIndex
            entries.removeSubrange(..<start)
        }
        let limit = max(1, maxKeys)
        var page = ObjectListing(objects: [])
        for entry in entries.prefix(limit) {
            switch entry {
            case .object(let metadata): page.objects.append(metadata)
            case .commonPrefix(let prefix): page.commonPrefixes.append(prefix)
            }
        }
        if entries.count > limit { page.continuationToken = entries[limit - 1].name }
        return page
    }
}
