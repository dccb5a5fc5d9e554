import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks, before any stage starts, that the server's address can be bound, so a taken port
/// is reported in one plain sentence instead of after the pipeline has started and stopped.
enum ListenAddressCheck {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    static func ensureAvailable(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw Unavailable(description: "cannot serve on \(host):\(port): '\(host)' is not an address of this machine")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            let reason = errno == EADDRINUSE ? "the port is already in use (another cryptoviz?); choose another with --port"
                : errno == EACCES ? "permission denied (ports below 1024 need privileges)"
                : String(cString: strerror(errno))
            throw Unavailable(description: "cannot serve on \(host):\(port): \(reason)")
        }
    }
}
