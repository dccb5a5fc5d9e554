/// The fixed-width physical types (INT32, INT64, FLOAT, DOUBLE), stored little-endian and
/// copied to and from pages as raw memory.
protocol FixedWidthValue: BitwiseCopyable, Comparable, Sendable {
    static var zero: Self { get }
    /// The bit pattern, for dictionary keys: distinguishes -0.0 from 0.0 and keeps NaN payloads.
    var bitKey: UInt64 { get }
    /// NaN for floating point, never for integers; NaN is left out of statistics.
    var isNaNValue: Bool { get }
    /// Converts a DELTA_BINARY_PACKED value (computed in 64-bit two's complement).
    init(deltaValue: Int64)
}

extension Int32: FixedWidthValue {
    static var zero: Int32 { 0 }
    var bitKey: UInt64 { UInt64(UInt32(bitPattern: self)) }
    var isNaNValue: Bool { false }
    init(deltaValue: Int64) { self.init(truncatingIfNeeded: deltaValue) }
}

extension Int64: FixedWidthValue {
    static var zero: Int64 { 0 }
    var bitKey: UInt64 { UInt64(bitPattern: self) }
    var isNaNValue: Bool { false }
    init(deltaValue: Int64) { self = deltaValue }
}

extension Float: FixedWidthValue {
    static var zero: Float { 0 }
    var bitKey: UInt64 { UInt64(bitPattern) }
    var isNaNValue: Bool { isNaN }
    init(deltaValue: Int64) { self.init(bitPattern: UInt32(truncatingIfNeeded: deltaValue)) }
}

extension Double: FixedWidthValue {
    static var zero: Double { 0 }
    var bitKey: UInt64 { bitPattern }
    var isNaNValue: Bool { isNaN }
    init(deltaValue: Int64) { self.init(bitPattern: UInt64(bitPattern: deltaValue)) }
}
