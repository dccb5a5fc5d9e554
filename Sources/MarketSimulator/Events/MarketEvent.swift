/// One scripted market event, at a time counted from the simulator's start, so tests know
/// exactly when the market moves (alerts are checked against these moments).
public struct MarketEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The asset's price steps by `percent` at every source; back after `forSeconds` when given.
        case jump(asset: String, percent: Double, forSeconds: Double?)
        /// The asset's price moves linearly by `percent` over `overSeconds`, then stays there.
        case drift(asset: String, percent: Double, overSeconds: Double)
        /// `source` answers every request with a 503 for `forSeconds`: no ticks from it.
        case silence(source: String, forSeconds: Double)
        /// `source`'s price of the asset is `percent` off the others' for `forSeconds` (for good
        /// when nil), so the sources disagree.
        case diverge(asset: String, source: String, percent: Double, forSeconds: Double?)
    }

    /// Seconds after the simulator started.
    public var atSeconds: Double
    public var kind: Kind

    public init(atSeconds: Double, kind: Kind) {
        self.atSeconds = atSeconds
        self.kind = kind
    }

    /// The JSON `type` of each kind.
    public var typeName: String {
        switch kind {
        case .jump: "jump"
        case .drift: "drift"
        case .silence: "silence"
        case .diverge: "diverge"
        }
    }

    /// The asset it moves, if it moves one.
    var asset: String? {
        switch kind {
        case .jump(let asset, _, _), .drift(let asset, _, _), .diverge(let asset, _, _, _): asset
        case .silence: nil
        }
    }

    /// The factor this event puts on its asset's price at `elapsed` seconds (1 when it does not
    /// apply): with `source` nil, on the price every source shares (jumps, drifts); with a
    /// source, on that source's answers only (its divergences).
    func factor(at elapsed: Double, source: String?) -> Double {
        guard elapsed >= atSeconds else { return 1 }
        switch kind {
        case .jump(_, let percent, let duration):
            guard source == nil else { return 1 }
            if let duration, elapsed >= atSeconds + duration { return 1 }
            return 1 + percent / 100
        case .drift(_, let percent, let over):
            guard source == nil else { return 1 }
            return 1 + percent / 100 * min(1, (elapsed - atSeconds) / over)
        case .diverge(_, let target, let percent, let duration):
            guard source == target else { return 1 }
            if let duration, elapsed >= atSeconds + duration { return 1 }
            return 1 + percent / 100
        case .silence:
            return 1
        }
    }
}
