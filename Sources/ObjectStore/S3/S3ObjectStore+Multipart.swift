/// Multipart upload (Amazon S3 API Reference: CreateMultipartUpload, UploadPart,
/// CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads).
extension S3ObjectStore {
    /// Uploads `bytes` in parts of `partSize`, up to `multipartConcurrency` at once, then
    /// completes; any failure aborts the upload so no orphaned parts keep costing storage.
    func putMultipart(_ key: ObjectKey, _ bytes: [UInt8]) async throws {
        let upload = try await createMultipartUpload(key)
        do {
            let etags = try await uploadParts(upload, bytes)
            try await completeMultipartUpload(upload, etags: etags)
        } catch {
            do {
                try await abortMultipartUpload(upload)
            } catch let abortError {
                transport.logger.warning(
                    "could not abort a failed multipart upload",
                    metadata: ["key": "\(key)", "upload_id": "\(upload.uploadID)", "error": "\(abortError)"])
            }
            throw error
        }
    }

    func createMultipartUpload(_ key: ObjectKey) async throws -> S3MultipartUpload {
        let response = try await transport.send(.POST, key: key, query: [("uploads", "")], operation: "CreateMultipartUpload")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("CreateMultipartUpload", key: key) }
        let root = try Self.parseDocument(
            response.body, expecting: "InitiateMultipartUploadResult", operation: "CreateMultipartUpload", key: key)
        guard let uploadID = root.text(of: "UploadId"), !uploadID.isEmpty else {
            throw ObjectStoreError(.malformedResponse, key: key, "S3 CreateMultipartUpload answered without an UploadId")
        }
        return S3MultipartUpload(key: key, uploadID: uploadID)
    }

    /// Uploads every part; returns their ETags in part order.
    private func uploadParts(_ upload: S3MultipartUpload, _ bytes: [UInt8]) async throws -> [String] {
        let size = max(1, partSize)
        let partCount = (bytes.count + size - 1) / size
        var etags = [String](repeating: "", count: partCount)
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 0
            func addPart(_ index: Int) {
                let part = Array(bytes[(index * size)..<min((index + 1) * size, bytes.count)])
                group.addTask { (index, try await self.uploadPart(upload, number: index + 1, part)) }
            }
            while next < min(partCount, configuration.multipartConcurrency) {
                addPart(next)
                next += 1
            }
            while let (index, etag) = try await group.next() {
                etags[index] = etag
                if next < partCount {
                    addPart(next)
                    next += 1
                }
            }
        }
        return etags
    }

    private func uploadPart(_ upload: S3MultipartUpload, number: Int, _ part: [UInt8]) async throws -> String {
        let response = try await transport.send(
            .PUT, key: upload.key, query: [("partNumber", String(number)), ("uploadId", upload.uploadID)], body: part,
            operation: "UploadPart \(number)")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("UploadPart \(number)", key: upload.key) }
        guard let etag = response.header("etag"), !etag.isEmpty else {
            throw ObjectStoreError(.malformedResponse, key: upload.key, "S3 UploadPart \(number) answered without an ETag")
        }
        return etag
    }

    private func completeMultipartUpload(_ upload: S3MultipartUpload, etags: [String]) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(etag.xmlEscaped)</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await transport.send(
            .POST, key: upload.key, query: [("uploadId", upload.uploadID)], headers: [("content-type", "application/xml")],
            body: Array(xml.utf8), operation: "CompleteMultipartUpload")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("CompleteMultipartUpload", key: upload.key) }
        // A 200 can still carry an <Error> when S3 fails after it started answering.
        _ = try Self.parseDocument(
            response.body, expecting: "CompleteMultipartUploadResult", operation: "CompleteMultipartUpload", key: upload.key)
    }

    /// Aborts an upload, discarding its parts; an upload that is already gone is not an error.
    public func abortMultipartUpload(_ upload: S3MultipartUpload) async throws {
        let response = try await transport.send(
            .DELETE, key: upload.key, query: [("uploadId", upload.uploadID)], operation: "AbortMultipartUpload")
        if response.isSuccess || response.status == 404 { return }
        throw S3ErrorResponse(response).storeError("AbortMultipartUpload", key: upload.key)
    }

    /// Uploads started under `prefix` and neither completed nor aborted (first 1000), e.g. to
    /// clean up after crashed writers.
    public func listMultipartUploads(prefix: String = "") async throws -> [S3MultipartUpload] {
        let response = try await transport.send(
            .GET, key: nil, query: [("uploads", ""), ("prefix", prefix)], operation: "ListMultipartUploads")
        guard response.isSuccess else { throw S3ErrorResponse(response).storeError("ListMultipartUploads", key: nil) }
        let root = try Self.parseDocument(response.body, expecting: "ListMultipartUploadsResult", operation: "ListMultipartUploads")
        return root.children("Upload").compactMap { upload in
            guard let key = upload.text(of: "Key"), let id = upload.text(of: "UploadId") else { return nil }
            return S3MultipartUpload(key: ObjectKey(key), uploadID: id)
        }
    }
}
