import CryptoVizCore

/// A deterministic generator so every random test reproduces from its seed (the simulator's SplitMix64).
public typealias SeededGenerator = SplitMix64
