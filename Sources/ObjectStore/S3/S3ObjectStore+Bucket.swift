import Crypto

extension S3ObjectStore {
    /// Creates the configured bucket (in `configuration.region`); an existing bucket owned by
    /// these credentials is not an error. Meant for tests and first-run setup.
    public func createBucket() async throws {
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            body = Array(
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<LocationConstraint>\(configuration.region.xmlEscaped)</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        let response = try await transport.send(.PUT, key: nil, body: body, operation: "CreateBucket")
        if response.isSuccess { return }
        let failure = S3ErrorResponse(response)
        if failure.code == "BucketAlreadyOwnedByYou" { return }
        throw failure.storeError("CreateBucket \(configuration.bucket)", key: nil)
    }

    /// One DeleteObjects request (Amazon S3 API Reference, DeleteObjects): quiet mode, so the
    /// answer lists only failures; keys that do not exist count as deleted.
    func deleteBatch(_ keys: [ObjectKey]) async throws {
        guard !keys.isEmpty else { return }
        var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(key.rawValue.xmlEscaped)</Key></Object>" }
        xml += "</Delete>"
        let body = Array(xml.utf8)
        let md5 = Insecure.MD5.hash(data: body).base64
        let response = try await transport.send(
            .POST, key: nil, query: [("delete", "")], headers: [("content-md5", md5), ("content-type", "application/xml")],
            body: body, operation: "DeleteObjects")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("DeleteObjects", key: keys.first) }
        let root = try Self.parseDocument(response.body, expecting: "DeleteResult", operation: "DeleteObjects")
        for failed in root.children("Error") where failed.text(of: "Code") != "NoSuchKey" {
            let key = failed.text(of: "Key").map(ObjectKey.init(rawValue:))
            throw S3ErrorResponse(status: response.status, code: failed.text(of: "Code"), message: failed.text(of: "Message"))
                .storeError("DeleteObjects", key: key)
        }
    }
}
