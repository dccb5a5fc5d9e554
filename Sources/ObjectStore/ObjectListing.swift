/// One page of a listing.
public struct ObjectListing: Sendable {
    public var objects: [ObjectMetadata]
    public var commonPrefixes: [String]
    /// Pass back to `list` for the next page; nil on the last page.
    public var continuationToken: String?

    public init(objects: [ObjectMetadata], commonPrefixes: [String] = [], continuationToken: String? = nil) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.continuationToken = continuationToken
    }
}
