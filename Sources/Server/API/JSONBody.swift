import Foundation
import Hummingbird

/// A small flat JSON object body read with a size cap; accessors name the field at fault.
///
/// An empty (zero-byte) body is an empty object, so POSTs whose fields all have defaults need no body.
/// Values must be scalars (boolean, number, string); nesting is refused. A field given as
/// `null` is refused like any other wrong type: the OpenAPI document declares no field
/// nullable, and "absent" is spelled by leaving the field out.
struct JSONBody {
    var object: [String: SQLValue]

    static func read(_ request: Request, maxBytes: Int) async throws -> JSONBody {
        var buffer = try await request.body.collect(upTo: maxBytes)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        // Only a body with no bytes at all means "no fields"; whitespace alone is not JSON.
        if bytes.isEmpty { return JSONBody(object: [:]) }
        // RFC 8259 §8.1: JSON between systems is UTF-8. Foundation's decoder would also guess
        // UTF-16/32 from the bytes, so random bytes could decode; accept UTF-8 objects only.
        let first = bytes.first { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }
        guard first == UInt8(ascii: "{"), String(validating: bytes, as: UTF8.self) != nil,
            let object = try? JSONDecoder().decode([String: SQLValue].self, from: Data(bytes))
        else {
            throw APIError(.invalidBody, "request body must be a JSON object of scalar fields")
        }
        return JSONBody(object: object)
    }

    func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        switch object[name] {
        case nil: return defaultValue
        case .bool(let value)?: return value
        default: throw APIError.invalid(name, "must be a boolean")
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int? = nil) throws -> Int {
        let value: Int64
        switch object[name] {
        case nil:
            guard let defaultValue else {
                throw APIError(.missingParameter, "parameter '\(name)' is required", parameter: name)
            }
            return defaultValue
        case .int(let i)?: value = i
        case .double(let d)? where d.rounded() == d && abs(d) < 1e15: value = Int64(d)
        default: value = Int64.min
        }
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            throw APIError.invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    func string(_ name: String) throws -> String {
        switch object[name] {
        case nil: throw APIError(.missingParameter, "parameter '\(name)' is required", parameter: name)
        case .string(let s)?: return s
        default: throw APIError.invalid(name, "must be a string")
        }
    }
}
