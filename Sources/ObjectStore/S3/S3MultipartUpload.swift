/// A multipart upload that has been started and not yet completed or aborted.
public struct S3MultipartUpload: Sendable, Equatable {
    public var key: ObjectKey
    public var uploadID: String

    public init(key: ObjectKey, uploadID: String) {
        self.key = key
        self.uploadID = uploadID
    }
}
