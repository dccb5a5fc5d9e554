/// Faults the simulator injects, per provider, by probability, burst or time window.
///
/// Spec grammar (`cryptoviz simulate --faults SPEC`):
///
///     SPEC     := RULE ( "," RULE )*
///     RULE     := PROVIDER ":" FAULT TRIGGER
///     PROVIDER := "coingecko" | "coinmarketcap" | "cmc" | "binance" | "coinbase" | "kraken" | "*"
///     FAULT    := "429" | "5xx" | "slow" | "malformed" | "truncated" | "missing" | "418" | "451" | "stale"
///     TRIGGER  := "@" PROBABILITY        each request, with probability in [0, 1]
///               | "#" COUNT              the first COUNT requests (a burst), then normal
///               | "~" FROM "-" TO        requests arriving FROM..TO seconds after start
///
/// Example: `coingecko:429@0.2,binance:slow#3,cmc:malformed~10-20`. The first matching rule
/// wins; requests refused by the rate limit never reach the faults.
public struct FaultPlan: Sendable, Hashable {
    public var rules: [FaultRule]

    public init(rules: [FaultRule] = []) { self.rules = rules }

    public static let none = FaultPlan()

    /// Parses a spec; an empty string is no faults.
    public init(spec: String) throws {
        var rules: [FaultRule] = []
        for raw in spec.split(separator: ",") {
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            rules.append(try FaultRule(spec: text))
        }
        self.rules = rules
    }
}

/// One injected fault.
public struct FaultRule: Sendable, Hashable {
    /// What goes wrong.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// HTTP 429 in the provider's shape (with `Retry-After` where the provider sends one);
        /// Kraken's is `EAPI:Rate limit exceeded` in the error array of an HTTP 200.
        case tooManyRequests = "429"
        /// HTTP 503 with an error body; Kraken's is `EService:Unavailable` in an HTTP 200.
        case serverError = "5xx"
        /// The response is held back longer than any sane client timeout.
        case slow
        /// HTTP 200 with a body that is not JSON.
        case malformed
        /// HTTP 200 with a valid body cut in half.
        case truncated
        /// HTTP 200 with the price field removed from every fourth record (a Coinbase ticker,
        /// one record per body, always loses it).
        case missingFields = "missing"
        /// HTTP 418 (Binance's ban).
        case banned = "418"
        /// HTTP 451 (Binance's region block).
        case unavailable = "451"
        /// HTTP 200 with the answer last served to the same request, byte for byte: a cache in
        /// front of the API (CoinGecko's public one refreshes about once a minute), so the
        /// same update times and prices come back.
        case stale
    }

    /// When it goes wrong.
    public enum Trigger: Sendable, Hashable {
        case probability(Double)
        case firstRequests(Int)
        case window(fromSeconds: Double, toSeconds: Double)
    }

    /// The provider name ("coingecko", "coinmarketcap", "binance", "coinbase", "kraken"), or "*" for all.
    public var provider: String
    public var kind: Kind
    public var trigger: Trigger

    public init(provider: String, kind: Kind, trigger: Trigger) {
        self.provider = provider
        self.kind = kind
        self.trigger = trigger
    }

    /// Parses `provider:fault(@p|#n|~a-b)`.
    public init(spec: String) throws {
        let halves = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard halves.count == 2 else { throw SimulatorError("fault rule '\(spec)': expected PROVIDER:FAULT@P, #N or ~A-B") }
        let provider = halves[0].lowercased()
        let known = ["coingecko", "coinmarketcap", "cmc", "binance", "coinbase", "kraken", "*"]
        guard known.contains(provider) else {
            throw SimulatorError("fault rule '\(spec)': unknown provider '\(provider)' (one of \(known.joined(separator: ", ")))")
        }
        self.provider = provider == "cmc" ? "coinmarketcap" : provider
        let body = halves[1]
        guard let marker = body.firstIndex(where: { "@#~".contains($0) }) else {
            throw SimulatorError("fault rule '\(spec)': missing trigger (@probability, #count or ~from-to)")
        }
        let kindText = String(body[..<marker]).lowercased()
        guard let kind = Kind(rawValue: kindText == "500" || kindText == "503" ? "5xx" : kindText) else {
            throw SimulatorError("fault rule '\(spec)': unknown fault '\(kindText)' (one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.kind = kind
        let argument = String(body[body.index(after: marker)...])
        switch body[marker] {
        case "@":
            guard let p = Double(argument), (0...1).contains(p) else {
                throw SimulatorError("fault rule '\(spec)': probability must be in [0, 1]")
            }
            trigger = .probability(p)
        case "#":
            guard let n = Int(argument), n >= 0 else { throw SimulatorError("fault rule '\(spec)': count must be a whole number") }
            trigger = .firstRequests(n)
        default:
            let bounds = argument.split(separator: "-").map { Double($0) }
            guard bounds.count == 2, let from = bounds[0], let to = bounds[1], from >= 0, to >= from else {
                throw SimulatorError("fault rule '\(spec)': window must be FROM-TO seconds")
            }
            trigger = .window(fromSeconds: from, toSeconds: to)
        }
    }

    func applies(to provider: String) -> Bool { self.provider == "*" || self.provider == provider }
}

import Foundation
