import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The server under load: `cryptoviz up --demo` run by this same binary as a child process.
struct LoadTarget {
    let process: Process

    var pid: Int32 { process.processIdentifier }

    static func start(port: Int, data: String) throws -> LoadTarget {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["up", "--demo", "--port", "\(port)", "--data", data, "--log-level", "warning"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        // A child inherits the spawning thread's signal mask, and Swift's worker threads block
        // SIGTERM: unblocked around the spawn, or the server would never see our SIGTERM.
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_UNBLOCK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
        return LoadTarget(process: process)
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// A port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw LoadError(message: "no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The quoted asset ids, once the demo has quotes for most of its watch list.
    static func waitForQuotes(base: String, http: HTTPClient) async throws -> [String] {
        for _ in 0..<240 {
            if let response = try? await http.execute(HTTPClientRequest(url: base + "/api/v1/quotes/latest"), timeout: .seconds(5)),
               response.status == .ok,
               let body = try? await response.body.collect(upTo: 16 << 20),
               let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
               let quotes = json["quotes"] as? [[String: Any]], quotes.count >= 50 {
                return quotes.compactMap { $0["asset"] as? String }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw LoadError(message: "the server at \(base) had no quotes after 120 s")
    }
}

/// Resident memory and CPU time of a process, from /proc.
struct ProcessFigures {
    var rssKiB = 0
    var cpuSeconds = 0.0

    static func read(pid: Int32) -> ProcessFigures {
        var figures = ProcessFigures()
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) {
            figures.rssKiB = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                figures.cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        return figures
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// Live-stream clients that send their request and then never read: the server's per-client
/// buffering is all that stands between them and its memory.
struct StalledStreams {
    private var descriptors: [Int32]

    static func open(count: Int, port: Int) -> StalledStreams {
        var descriptors: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            var small: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            let request = "GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n"
            guard connected, request.withCString({ send(fd, $0, strlen($0), 0) }) > 0 else {
                Glibc.close(fd)
                continue
            }
            descriptors.append(fd)
        }
        return StalledStreams(descriptors: descriptors)
    }

    func close() {
        for fd in descriptors { Glibc.close(fd) }
    }
}
