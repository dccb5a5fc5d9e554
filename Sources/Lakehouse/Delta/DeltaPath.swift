/// Paths in `add`/`remove` actions are URIs (Delta PROTOCOL.md, "Add File and Remove File":
/// "a relative path ... encoded as an RFC 2396 URI"), so partition values with spaces, colons
/// or percent signs appear escaped in the log and plain in the object store.
public enum DeltaPath {
    /// Percent-decodes a path; malformed escapes are kept literally rather than rejected,
    /// because the worst outcome is a not-found file, reported with its path.
    public static func decode(_ path: String) -> String {
        guard path.contains("%") else { return path }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        let utf8 = Array(path.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes every byte outside the RFC 3986 unreserved set and `/`, `=`.
    public static func encode(_ key: String) -> String {
        var out = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: "="):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 0xF)])
            }
        }
        return out
    }

    /// One Hive-style partition folder segment, `name=value`, with the value escaped the way
    /// Hive/Spark escape it in directory names (so that `/` or `=` in a value stay inside it).
    public static func hiveSegment(name: String, value: String?) -> String {
        guard let value else { return "\(name)=__HIVE_DEFAULT_PARTITION__" }
        var escaped = ""
        for scalar in value.unicodeScalars {
            if scalar.value < 0x20 || "\"#%'*/:=?\\{[]^".unicodeScalars.contains(scalar) {
                escaped += "%" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return "\(name)=\(escaped)"
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
