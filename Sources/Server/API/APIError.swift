import HTTPTypes
import Hummingbird

/// A client-facing API failure, rendered as `{"error": {"code", "message", "parameter"?}}`.
///
/// Messages name the offending parameter and never include stack traces, file paths or
/// secrets; unexpected errors become `internal` with a fixed message.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The machine-readable kind of failure; each has one HTTP status.
    public enum Code: String, Sendable {
        case invalidParameter = "invalid_parameter"
        case missingParameter = "missing_parameter"
        case invalidBody = "invalid_body"
        case sqlRejected = "sql_rejected"
        case unauthorized
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case conflict
        case payloadTooLarge = "payload_too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case forbidden
        case tooManyRequests = "too_many_requests"
        case notImplemented = "not_implemented"
        case unavailable
        case timeout
        case `internal`

        var status: HTTPResponse.Status {
            switch self {
            case .invalidParameter, .missingParameter, .invalidBody, .sqlRejected: .badRequest
            case .unauthorized: .unauthorized
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .conflict: .conflict
            case .payloadTooLarge: .contentTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .forbidden: .forbidden
            case .tooManyRequests: .tooManyRequests
            case .notImplemented: .notImplemented
            case .unavailable: .serviceUnavailable
            case .timeout: .gatewayTimeout
            case .internal: .internalServerError
            }
        }
    }

    public var code: Code
    public var message: String
    /// The query/path/body parameter at fault, when there is one.
    public var parameter: String?

    public init(_ code: Code, _ message: String, parameter: String? = nil) {
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A 400 naming `parameter`.
    static func invalid(_ parameter: String, _ message: String) -> APIError {
        APIError(.invalidParameter, "parameter '\(parameter)' \(message)", parameter: parameter)
    }

    /// Maps a data-source failure onto the API's codes.
    init(_ error: MarketDataError) {
        switch error.code {
        case .notFound: self.init(.notFound, error.message)
        case .invalidArgument: self.init(.invalidParameter, error.message)
        case .conflict: self.init(.conflict, error.message)
        case .unsupported: self.init(.notImplemented, error.message)
        case .unavailable: self.init(.unavailable, error.message)
        case .timeout: self.init(.timeout, error.message)
        case .rejected: self.init(.sqlRejected, error.message, parameter: "sql")
        case .busy: self.init(.tooManyRequests, error.message)
        case .tooLarge: self.init(.payloadTooLarge, error.message)
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var parameter: String?
        }
        var error: Detail
    }

    /// The JSON response for this error.
    func response() -> Response {
        let body = Body(error: .init(code: code.rawValue, message: message, parameter: parameter))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if code == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"cryptoviz\"" }
        if code == .tooManyRequests { headers[.retryAfter] = "1" }
        let bytes = (try? JSONResponse.encoder.encode(body)).map { [UInt8]($0) } ?? Array(#"{"error":{"code":"internal","message":"internal error"}}"#.utf8)
        return Response(status: code.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
