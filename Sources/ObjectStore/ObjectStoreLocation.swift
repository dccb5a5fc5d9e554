/// Where a store lives, parsed from a URL: `file:///abs/path`, a plain local path, or
/// `s3://bucket/prefix`.
public enum ObjectStoreLocation: Sendable, Equatable {
    /// A directory on local disk.
    case local(path: String)
    /// A bucket, and a key prefix inside it (empty, or ending in `/`).
    case s3(bucket: String, prefix: String)

    /// Parses `text`; anything that is neither `file://`, `s3://` nor a plain path is a
    /// `.configuration` error naming it.
    public init(parsing text: String) throws {
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst(5)
            let bucket = rest.prefix { $0 != "/" }
            guard S3Configuration.isValidBucketName(String(bucket)) else {
                throw ObjectStoreError(.configuration, "'\(text)' does not name a valid S3 bucket")
            }
            var prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
            while prefix.hasSuffix("/") { prefix.removeLast() }
            if !prefix.isEmpty {
                do {
                    try ObjectKey(prefix).validate()
                } catch {
                    throw ObjectStoreError(.configuration, "'\(text)' has an invalid key prefix '\(prefix)'")
                }
                prefix += "/"
            }
            self = .s3(bucket: String(bucket), prefix: prefix)
        } else if text.hasPrefix("file://") {
            let rest = text.dropFirst(7)
            // Only an empty authority or `localhost` names this machine (RFC 8089 §2).
            let path: Substring
            if rest.hasPrefix("/") {
                path = rest
            } else if rest.hasPrefix("localhost/") {
                path = rest.dropFirst(9)
            } else {
                throw ObjectStoreError(.configuration, "'\(text)' must be file:///absolute/path")
            }
            guard let decoded = Self.percentDecoded(path) else {
                throw ObjectStoreError(.configuration, "'\(text)' has an invalid percent escape")
            }
            self = .local(path: decoded)
        } else if text.contains("://") {
            throw ObjectStoreError(.configuration, "unsupported object store URL '\(text)': use file://, s3:// or a path")
        } else {
            guard !text.isEmpty else { throw ObjectStoreError(.configuration, "the object store location is empty") }
            self = .local(path: text)
        }
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
