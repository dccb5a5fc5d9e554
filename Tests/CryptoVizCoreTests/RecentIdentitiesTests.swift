import CryptoVizCore
import Testing

/// The open-addressing table against a plain model (a dictionary and the arrival order), on
/// random inserts and removals with many hash collisions, so that probe runs, deletions that
/// shift members back, growth and the ring's wrap-around are all exercised.
@Suite struct RecentIdentitiesTests {
    /// An identity whose hash collides with a seventh of the others.
    struct Colliding: Hashable, Sendable {
        var n: Int
        func hash(into hasher: inout Hasher) { hasher.combine(n % 7) }
    }

    /// What `RecentIdentities` must behave like: every insertion takes the next position of a
    /// ring of `capacity`; an identity leaves when its own position is reused or it is removed.
    struct Model {
        let capacity: Int
        var order: [(id: Colliding, token: Int)] = []
        var live: [Colliding: Int] = [:]
        var tokens = 0

        mutating func insert(_ id: Colliding) -> Bool {
            if live[id] != nil { return false }
            if order.count == capacity {
                let oldest = order.removeFirst()
                if live[oldest.id] == oldest.token { live[oldest.id] = nil }
            }
            tokens += 1
            order.append((id, tokens))
            live[id] = tokens
            return true
        }

        mutating func remove(_ id: Colliding) { live[id] = nil }
    }

    @Test(arguments: [1, 2, 5, 64, 1_000])
    func behavesLikeTheModel(capacity: Int) {
        var generator = SplitMix64(seed: UInt64(capacity))
        var table = RecentIdentities<Colliding>(capacity: capacity)
        var model = Model(capacity: capacity)
        let universe = capacity * 3 + 5
        for step in 0..<20_000 {
            let id = Colliding(n: Int(generator.next() % UInt64(universe)))
            if generator.next() % 5 == 0 {
                table.remove(id)
                model.remove(id)
            } else {
                let inserted = table.insert(id)
                let expected = model.insert(id)
                guard inserted == expected else {
                    Issue.record("step \(step): insert(\(id.n)) gave \(inserted), the model \(expected)")
                    return
                }
            }
            guard table.count == model.live.count else {
                Issue.record("step \(step): \(table.count) members, the model \(model.live.count)")
                return
            }
        }
        // Every identity the model remembers is refused again, every other one accepted.
        for n in 0..<universe {
            let id = Colliding(n: n)
            let remembered = model.live[id] != nil
            var copy = table
            #expect(copy.insert(id) == !remembered, "identity \(n)")
        }
    }
}
