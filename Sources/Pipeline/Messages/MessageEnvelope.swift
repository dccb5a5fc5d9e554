/// The frame every bus message shares, whatever it carries:
///
///     {"schema_version":1,"type":"<type>","produced_at_ms":…,"<type>":{…}}
///
/// One writer and one reader for it, so the tick, trade and candle messages differ only in
/// their body.
enum MessageEnvelope {
    /// Writes the frame around the body `body` writes under key `bodyKey` (the type's name).
    static func write<E: Error>(into out: inout JSONByteWriter, schemaVersion: Int, type: String, producedAtMillis: Int64,
                                bodyKey: StaticString, _ body: (inout JSONByteWriter) throws(E) -> Void) throws(E) {
        try out.object { (out: inout JSONByteWriter) throws(E) in
            out.member("schema_version", Int64(schemaVersion))
            out.member("type", type)
            out.member("produced_at_ms", producedAtMillis)
            out.key(bodyKey)
            try body(&out)
        }
    }

    /// A message read back: its header and its body.
    struct Read<Body> {
        var schemaVersion: Int
        var producedAtMillis: Int64
        var body: Body
    }

    /// Reads a message of type `type` (its body under the key of the same name) whose body
    /// `readBody` parses. Unknown keys are skipped. An unknown schema version or another type
    /// is reported before the body's own faults: it is the better reason, and such a body may
    /// have another shape (`unknownType` carries the message's type, so a consumer of several
    /// types can try the right reader).
    static func read<Body>(_ bytes: UnsafeBufferPointer<UInt8>, type expected: StaticString,
                           _ readBody: (inout JSONByteReader) throws(MessageDecodingError) -> Body) throws(MessageDecodingError) -> Read<Body> {
        var reader = JSONByteReader(bytes)
        var schemaVersion: Int64?
        var type: String?
        var producedAt: Int64?
        var body: Result<Body, MessageDecodingError>?
        do {
            try reader.readObject { (reader: inout JSONByteReader, key) throws(JSONByteReader.Failure) in
                if JSONByteReader.matches("schema_version", key) {
                    schemaVersion = try reader.readInt64()
                } else if JSONByteReader.matches("type", key) {
                    type = try reader.readString()
                } else if JSONByteReader.matches("produced_at_ms", key) {
                    producedAt = try reader.readInt64()
                } else if JSONByteReader.matches(expected, key) {
                    let start = reader.position
                    do throws(MessageDecodingError) {
                        body = .success(try readBody(&reader))
                    } catch {
                        body = .failure(error)
                        reader.position = start
                        try reader.skipValue()
                    }
                } else {
                    try JSONByteReader.requireUTF8(key, at: reader.position)
                    try reader.skipValue()
                }
            }
            try reader.expectEnd()
        } catch {
            throw MessageDecodingError(kind: .malformed, detail: "not a JSON object with schema_version and type: \(error)")
        }
        guard let schemaVersion, let type else {
            throw MessageDecodingError(kind: .malformed, detail: "not a JSON object with schema_version and type")
        }
        guard schemaVersion == TickMessage.currentSchemaVersion else {
            throw MessageDecodingError(kind: .unknownSchemaVersion, detail: "schema_version \(schemaVersion)")
        }
        guard type == expected.description else {
            throw MessageDecodingError(kind: .unknownType, detail: "type '\(type)'", messageType: type)
        }
        guard let producedAt else { throw MessageDecodingError(kind: .malformed, detail: "missing field produced_at_ms") }
        guard let body else { throw MessageDecodingError(kind: .malformed, detail: "missing field \(expected)") }
        return Read(schemaVersion: Int(schemaVersion), producedAtMillis: producedAt, body: try body.get())
    }
}

/// The keys of one body object of a wire format, recognised by their bytes.
struct WireKeys<Key: Equatable & Sendable>: Sendable {
    /// The object's name in error messages ("tick", "trade").
    var object: String
    var table: [(StaticString, Key)]

    /// The key at `hint` in the table when it matches (our writers put keys in table order, so
    /// it nearly always does), else any key; `hint` then points after the key found.
    func key(_ bytes: UnsafeBufferPointer<UInt8>, hint: inout Int) -> Key? {
        if hint < table.count, JSONByteReader.matches(table[hint].0, bytes) {
            defer { hint += 1 }
            return table[hint].1
        }
        guard let index = table.firstIndex(where: { JSONByteReader.matches($0.0, bytes) }) else { return nil }
        hint = index + 1
        return table[index].1
    }

    func name(_ key: Key) -> String { table.first { $0.1 == key }.map { "\($0.0)" } ?? "?" }

    /// Reads the object: `field` reads the value of each known key; unknown keys are skipped.
    /// A failure names the field it happened in (`tick.price`). Only the key is remembered per
    /// field, its text built if an error needs it (an interpolated string per field was half of
    /// the tick decoder's time).
    func read(_ reader: inout JSONByteReader,
              _ field: (Key, inout JSONByteReader) throws(JSONByteReader.Failure) -> Void) throws(MessageDecodingError) {
        var current: Key?
        var unknown: String?
        var hint = 0
        do {
            try reader.readObject { (reader: inout JSONByteReader, bytes) throws(JSONByteReader.Failure) in
                current = nil
                unknown = nil
                guard let known = key(bytes, hint: &hint) else {
                    try JSONByteReader.requireUTF8(bytes, at: reader.position)
                    unknown = String(decoding: bytes, as: UTF8.self)
                    try reader.skipValue()
                    return
                }
                current = known
                try field(known, &reader)
            }
        } catch {
            let at = current.map { "\(object).\(name($0))" } ?? unknown.map { "\(object).\($0)" } ?? object
            throw MessageDecodingError(kind: .malformed, detail: "wrong type or syntax at \(at): \(error)")
        }
    }

    /// The error of a required field the object lacks.
    func missing(_ name: String) -> MessageDecodingError {
        MessageDecodingError(kind: .malformed, detail: "missing field \(object).\(name)")
    }
}
