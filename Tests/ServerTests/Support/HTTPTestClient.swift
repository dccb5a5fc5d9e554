import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response as seen on the wire by `HTTPTestClient`.
struct HTTPTestResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object (tests compare values, not Swift types).
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw TestClientError("body is not a JSON object: \(text.prefix(200))")
        }
        return object
    }

    /// `error.code` and `error.parameter` of a JSON error body.
    func errorFields() throws -> (code: String?, parameter: String?) {
        let error = try json()["error"] as? [String: Any]
        return (error?["code"] as? String, error?["parameter"] as? String)
    }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A blocking HTTP/1.1 client over a plain POSIX socket, run on its own thread so it never
/// blocks Swift's cooperative pool. Real bytes over a real loopback connection.
final class HTTPTestClient: @unchecked Sendable {  // fd is only used from one thread at a time
    let port: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(port: Int) { self.port = port }

    deinit { if fd >= 0 { close(fd) } }

    /// Runs `work` on a fresh thread and resumes with its result.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// One request on a fresh connection (`Connection: close`), body read to EOF.
    static func send(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> HTTPTestResponse {
        try await offload {
            let client = HTTPTestClient(port: port)
            try client.connect()
            try client.write(Self.requestText(method, path, headers: headers, body: body))
            var raw: [UInt8] = []
            // A hang detector, not a speed check: a loaded 2-core CI machine can take seconds.
            while let chunk = try client.readSome(timeoutSeconds: 60) { raw += chunk }
            return try Self.parse(raw)
        }
    }

    static func get(port: Int, _ path: String, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await send(port: port, "GET", path, headers: headers)
    }

    static func post(port: Int, _ path: String, json: String? = nil, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        var h = headers
        if json != nil { h["Content-Type"] = "application/json" }
        return try await send(port: port, "POST", path, headers: h, body: json)
    }

    static func requestText(_ method: String, _ path: String, headers: [String: String], body: String?) -> [UInt8] {
        // A test may name another Host (e.g. a DNS-rebound name); only one Host line is sent.
        let host = headers.first { $0.key.lowercased() == "host" }?.value ?? "127.0.0.1"
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (k, v) in headers where k.lowercased() != "host" { text += "\(k): \(v)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil || method == "POST" { text += "Content-Length: \(bodyBytes.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + bodyBytes
    }

    func connect() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TestClientError("connect to port \(port) failed") }
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestClientError("send failed") }
            offset += n
        }
    }

    /// Some bytes, nil at EOF; throws when nothing arrives within the timeout.
    func readSome(timeoutSeconds: Double) throws -> [UInt8]? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(timeoutSeconds * 1000))
        guard ready > 0 else { throw TestClientError("no data within \(timeoutSeconds) s") }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Array(chunk[..<n])
    }

    /// Keeps reading a streaming response until `done(text so far)` or the deadline.
    func readUntil(seconds: Double, _ done: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let text = String(decoding: buffer, as: UTF8.self)
            if done(text) { return text }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw TestClientError("condition not met within \(seconds) s; got: \(text.suffix(600))") }
            guard let chunk = try? readSome(timeoutSeconds: min(remaining, 1)) else { continue }
            buffer += chunk
        }
    }

    /// Opens a streaming GET (for SSE) and returns the connected client.
    static func openStream(port: Int, _ path: String) async throws -> HTTPTestClient {
        try await offload {
            let client = HTTPTestClient(port: port)
            try client.connect()
            try client.write(requestText("GET", path, headers: ["Accept": "text/event-stream"], body: nil))
            return client
        }
    }

    func closeConnection() {
        if fd >= 0 { close(fd); fd = -1 }
    }

    static func parse(_ raw: [UInt8]) throws -> HTTPTestResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, raw.count - 3)).first(where: { Array(raw[$0..<$0 + 4]) == separator }) else {
            throw TestClientError("no header terminator in \(raw.count) bytes")
        }
        let head = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestClientError("bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let lineEnd = (i..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { break }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16) else { throw TestClientError("bad chunk size") }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw TestClientError("truncated chunk") }
            out += bytes[start..<start + size]
            i = start + size + 2
        }
        return out
    }
}
