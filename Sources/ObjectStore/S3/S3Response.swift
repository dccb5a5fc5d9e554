/// A complete S3 HTTP response: status, the headers this store reads, and the body.
struct S3Response: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The parsed body when it is an XML document, else nil.
    var xml: XMLElement? { body.isEmpty ? nil : try? XMLDocumentParser.parse(body) }
}
