extension Int64 {
    /// `self / divisor` rounded toward minus infinity, for every value (no intermediate
    /// `self - divisor + 1`, which traps near `Int64.min`). `divisor` must be positive.
    @inlinable public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return self % divisor < 0 ? quotient - 1 : quotient
    }
}
