/// A small, strict-enough XML parser for S3 response bodies.
///
/// It reads elements, character data, CDATA sections and the five predefined entities plus
/// numeric character references (XML 1.0 §4.1, §4.6), and skips the declaration, processing
/// instructions, comments and DOCTYPE. Nesting depth and input size are bounded, and any
/// malformation is a thrown `XMLDocumentParser.Failure`, never a crash.
struct XMLDocumentParser {
    /// Why a document could not be parsed, with the byte offset.
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "malformed XML at byte \(offset): \(reason)" }
    }

    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The root element of `bytes`.
    static func parse(_ bytes: [UInt8]) throws -> XMLElement {
        var parser = XMLDocumentParser(bytes)
        try parser.skipMisc()
        guard parser.peek() == UInt8(ascii: "<") else { throw parser.failure("expected the root element") }
        let root = try parser.element(depth: 0)
        try parser.skipMisc()
        guard parser.position == parser.bytes.count else { throw parser.failure("content after the root element") }
        return root
    }

    private func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: position) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private func hasPrefix(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard position + utf8.count <= bytes.count else { return false }
        return bytes[position..<(position + utf8.count)].elementsEqual(utf8)
    }

    /// Advances past `terminator`; throws if it never appears.
    private mutating func skip(past terminator: String) throws {
        let utf8 = Array(terminator.utf8)
        while position + utf8.count <= bytes.count {
            if bytes[position..<(position + utf8.count)].elementsEqual(utf8) {
                position += utf8.count
                return
            }
            position += 1
        }
        throw failure("unterminated construct, expected '\(terminator)'")
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    /// Skips whitespace, the XML declaration, processing instructions, comments and DOCTYPE.
    private mutating func skipMisc() throws {
        while true {
            skipWhitespace()
            if hasPrefix("<?") {
                try skip(past: "?>")
            } else if hasPrefix("<!--") {
                try skip(past: "-->")
            } else if hasPrefix("<!DOCTYPE") {
                try skip(past: ">")
            } else {
                return
            }
        }
    }

    private mutating func name() throws -> String {
        let start = position
        while let byte = peek(), !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D),
            byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/"), byte != UInt8(ascii: "=")
        {
            position += 1
        }
        guard position > start else { throw failure("expected a name") }
        let full = String(decoding: bytes[start..<position], as: UTF8.self)
        if let colon = full.lastIndex(of: ":") { return String(full[full.index(after: colon)...]) }
        return full
    }

    /// Parses an element starting at `<`.
    private mutating func element(depth: Int) throws -> XMLElement {
        guard depth < Self.maximumDepth else { throw failure("elements nested deeper than \(Self.maximumDepth)") }
        position += 1  // "<"
        var element = XMLElement(name: try name())
        // Attributes: name="value" or name='value'; skipped.
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw failure("unterminated start tag <\(element.name)>") }
            if byte == UInt8(ascii: "/") {
                guard peek(1) == UInt8(ascii: ">") else { throw failure("expected '/>'") }
                position += 2
                return element
            }
            if byte == UInt8(ascii: ">") {
                position += 1
                break
            }
            _ = try name()
            skipWhitespace()
            guard peek() == UInt8(ascii: "=") else { throw failure("expected '=' in an attribute") }
            position += 1
            skipWhitespace()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw failure("expected a quoted attribute value")
            }
            position += 1
            while let next = peek(), next != quote { position += 1 }
            guard peek() == quote else { throw failure("unterminated attribute value") }
            position += 1
        }
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failure("unterminated element <\(element.name)>") }
            if byte == UInt8(ascii: "<") {
                if hasPrefix("</") {
                    position += 2
                    let closing = try name()
                    skipWhitespace()
                    guard closing == element.name, peek() == UInt8(ascii: ">") else {
                        throw failure("</\(closing)> does not close <\(element.name)>")
                    }
                    position += 1
                    element.text = String(decoding: text, as: UTF8.self)
                    return element
                } else if hasPrefix("<![CDATA[") {
                    position += 9
                    let start = position
                    try skip(past: "]]>")
                    text.append(contentsOf: bytes[start..<(position - 3)])
                } else if hasPrefix("<!--") {
                    try skip(past: "-->")
                } else if hasPrefix("<?") {
                    try skip(past: "?>")
                } else {
                    element.children.append(try self.element(depth: depth + 1))
                }
            } else if byte == UInt8(ascii: "&") {
                text.append(contentsOf: try entity())
            } else {
                text.append(byte)
                position += 1
            }
        }
    }

    /// Decodes an entity or character reference starting at `&`.
    private mutating func entity() throws -> [UInt8] {
        let start = position
        position += 1
        while let byte = peek(), byte != UInt8(ascii: ";") {
            position += 1
            guard position - start <= 12 else { throw failure("unterminated entity reference") }
        }
        guard peek() == UInt8(ascii: ";") else { throw failure("unterminated entity reference") }
        let body = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
        position += 1
        switch body {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            var digits = Substring(body)
            guard digits.first == "#" else { throw Failure(reason: "unknown entity &\(body);", offset: start) }
            digits = digits.dropFirst()
            var radix = 10
            if digits.first == "x" || digits.first == "X" {
                radix = 16
                digits = digits.dropFirst()
            }
            guard let value = UInt32(digits, radix: radix), let scalar = Unicode.Scalar(value) else {
                throw Failure(reason: "invalid character reference &\(body);", offset: start)
            }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
