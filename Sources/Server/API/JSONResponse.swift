import Foundation
import Hummingbird

/// JSON encoding shared by every endpoint: snake_case keys, so DTO fields like `sourceTimeMs`
/// read `source_time_ms` like `Tick`'s own keys.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// For responses whose every key is spelled out in snake_case: converting each key on each
    /// encode was a quarter of the server's CPU under API load (quotes, candles).
    static let explicitKeysEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// A 200 (or `status`) JSON response of `value`.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let bytes: [UInt8]
        if let direct = value as? any JSONBytesEncodable {
            bytes = try direct.jsonBytes()
        } else {
            bytes = Array(try (value is any ExplicitJSONKeys ? explicitKeysEncoder : encoder).encode(value))
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A response type whose keys, and those of every type inside it, are written out as they go
/// on the wire (snake_case), so it needs no key conversion.
protocol ExplicitJSONKeys: Encodable {}

/// A response that writes its own JSON bytes (the hottest ones), equal in content to its
/// `Encodable` form.
protocol JSONBytesEncodable: Encodable {
    func jsonBytes() throws -> [UInt8]
}
