extension S3ObjectStore {
    /// Parses a `ListBucketResult` (Amazon S3 API Reference, ListObjectsV2, response syntax).
    static func parseListing(_ body: [UInt8]) throws -> ObjectListing {
        let root = try parseDocument(body, expecting: "ListBucketResult", operation: "ListObjectsV2")
        var listing = ObjectListing(objects: [])
        for contents in root.children("Contents") {
            guard let key = contents.text(of: "Key"), let size = contents.text(of: "Size").flatMap({ Int($0) }), size >= 0 else {
                throw ObjectStoreError(.malformedResponse, "S3 ListObjectsV2: an entry lacks a Key or a valid Size")
            }
            let modified = contents.text(of: "LastModified").flatMap { UTCTimestamp(iso8601: $0) }?.unixMillis ?? 0
            listing.objects.append(
                ObjectMetadata(key: ObjectKey(key), size: size, lastModifiedMillis: modified, eTag: contents.text(of: "ETag")))
        }
        listing.commonPrefixes = root.children("CommonPrefixes").compactMap { $0.text(of: "Prefix") }
        if root.text(of: "IsTruncated") == "true" {
            guard let token = root.text(of: "NextContinuationToken"), !token.isEmpty else {
                throw ObjectStoreError(.malformedResponse, "S3 ListObjectsV2: truncated listing without NextContinuationToken")
            }
            listing.continuationToken = token
        }
        return listing
    }

    /// Parses an XML body whose root must be `expected`; an `<Error>` root (S3 can send one
    /// with status 200, e.g. from CompleteMultipartUpload) becomes the mapped store error.
    static func parseDocument(_ body: [UInt8], expecting expected: String, operation: String, key: ObjectKey? = nil) throws -> XMLElement {
        let root: XMLElement
        do {
            root = try XMLDocumentParser.parse(body)
        } catch {
            throw ObjectStoreError(.malformedResponse, key: key, "S3 \(operation): \(error)")
        }
        if root.name == "Error" {
            throw S3ErrorResponse(status: 200, code: root.text(of: "Code"), message: root.text(of: "Message"),
                                  requestID: root.text(of: "RequestId")).storeError(operation, key: key)
        }
        guard root.name == expected else {
            throw ObjectStoreError(.malformedResponse, key: key, "S3 \(operation): expected <\(expected)>, got <\(root.name)>")
        }
        return root
    }
}
