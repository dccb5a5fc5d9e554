import CryptoVizCore
import Lakehouse
import Testing
@testable import Pipeline

/// The in-memory minute aggregator: OHLC in source-time order, finality, late-tick
/// corrections, and the horizon below which minutes must be rebuilt from the tick table.
@Suite struct MinuteRollupTests {
    /// A minute start well in the past (so the wall clock has closed it).
    static let t0: Int64 = 1_760_000_040_000
    let btc = SeriesKey(source: .binance, asset: AssetID("bitcoin"))

    func tick(_ seconds: Int64, _ price: Double, asset: String = "bitcoin", source: ProviderID = .binance,
              marketCap: Double? = nil, symbol: String = "BTC") -> Tick {
        Tick(source: source, asset: AssetID(asset), symbol: symbol, quoteCurrency: "USDT", price: price, marketCap: marketCap,
             volume24h: 9e9, sourceTimeMillis: Self.t0 + seconds * 1_000, collectedTimeMillis: Self.t0 + seconds * 1_000 + 5)
    }

    @Test func ohlcFollowsSourceTimeNotArrivalOrder() throws {
        var rollup = MinuteRollup()
        // Arrival order differs from source-time order; the 5 s tick opens, the 50 s tick closes.
        for t in [tick(30, 105, marketCap: 3), tick(50, 101, marketCap: 5), tick(5, 100, marketCap: 1), tick(20, 99), tick(40, 110)] {
            rollup.add(t, partition: nil)
        }
        let bar = try #require(rollup.bar(btc, minute: Self.t0))
        #expect((bar.open, bar.high, bar.low, bar.close) == (100, 110, 99, 101))
        #expect(bar.marketCap == 5 && bar.symbol == "BTC" && bar.quoteCurrency == "USDT")
        #expect(bar.firstTickMillis == Self.t0 + 5_000 && bar.lastTickMillis == Self.t0 + 50_000)
        // The same tick again changes nothing (the aggregate is idempotent).
        #expect(rollup.add(tick(20, 99), partition: nil) == .unchanged)
        // A tick of the next minute opens a new bar.
        rollup.add(tick(61, 120), partition: nil)
        #expect(rollup.bar(btc, minute: Self.t0 + 60_000)?.open == 120)
        #expect(rollup.bar(btc, minute: Self.t0)?.close == 101)
    }

    @Test func rowsCarryNoVolumeAndTheRollupOrigin() {
        var rollup = MinuteRollup()
        rollup.add(tick(1, 100, marketCap: 7), partition: nil)
        let rows = rollup.pending(nowMillis: Self.t0 + 30_000, ingestMillis: 42).rows
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row.baseVolume == nil && row.quoteVolume == nil && row.tradeCount == nil)
        #expect(row.origin == .rollup && row.interval == .oneMinute && row.openTimeMillis == Self.t0)
        #expect(row.marketCap == 7 && row.ingestTimeMillis == 42 && row.symbol == "BTC" && row.quoteCurrency == "USDT")
    }

    @Test func aMinuteIsOpenUntilALaterMinuteOrTheClockPlusGraceClosesIt() {
        var rollup = MinuteRollup()  // grace 10 s
        rollup.add(tick(10, 100), partition: nil)
        // Still inside the minute, and within the grace after it: open.
        #expect(!rollup.isClosed(btc, minute: Self.t0, nowMillis: Self.t0 + 59_000))
        #expect(!rollup.isClosed(btc, minute: Self.t0, nowMillis: Self.t0 + 69_999))
        var pending = rollup.pending(nowMillis: Self.t0 + 30_000, ingestMillis: 1)
        #expect(pending.rows.map(\.isFinal) == [false])
        rollup.markWritten(pending)
        #expect(!rollup.hasPending(nowMillis: Self.t0 + 30_000), "nothing changed, nothing closed")
        // The clock passes end + grace: the minute is due, final, although no tick came.
        #expect(rollup.isClosed(btc, minute: Self.t0, nowMillis: Self.t0 + 70_000))
        pending = rollup.pending(nowMillis: Self.t0 + 70_000, ingestMillis: 2)
        #expect(pending.rows.map(\.isFinal) == [true] && pending.rows[0].close == 100)
        rollup.markWritten(pending)
        #expect(!rollup.hasPending(nowMillis: Self.t0 + 80_000), "a final minute is written once")

        // Another series: a tick of the next minute closes the previous one before the clock does.
        var other = MinuteRollup()
        other.add(tick(10, 100), partition: nil)
        other.add(tick(65, 101), partition: nil)
        let rows = other.pending(nowMillis: Self.t0 + 66_000, ingestMillis: 3).rows.sorted { $0.openTimeMillis < $1.openTimeMillis }
        #expect(rows.map(\.isFinal) == [true, false])
    }

    @Test func aLateTickCorrectsAFinalMinuteWithANewFinalRow() {
        var rollup = MinuteRollup()
        rollup.add(tick(10, 100), partition: nil)
        rollup.add(tick(20, 102), partition: nil)
        var pending = rollup.pending(nowMillis: Self.t0 + 90_000, ingestMillis: 1)
        #expect(pending.rows.count == 1 && pending.rows[0].isFinal && pending.rows[0].close == 102)
        rollup.markWritten(pending)
        // A tick of the same minute, with a source time before the first, arrives late.
        #expect(rollup.add(tick(2, 90), partition: nil) == .changed)
        pending = rollup.pending(nowMillis: Self.t0 + 95_000, ingestMillis: 2)
        #expect(pending.rows.count == 1)
        let corrected = pending.rows[0]
        #expect(corrected.isFinal && corrected.ingestTimeMillis == 2)
        #expect((corrected.open, corrected.high, corrected.low, corrected.close) == (90, 102, 90, 102))
        rollup.markWritten(pending)
        #expect(!rollup.hasPending(nowMillis: Self.t0 + 100_000))
    }

    @Test func aFailedWriteLeavesTheMinutesDue() {
        var rollup = MinuteRollup()
        rollup.add(tick(10, 100), partition: nil)
        _ = rollup.pending(nowMillis: Self.t0 + 90_000, ingestMillis: 1)  // built, never committed
        #expect(rollup.hasPending(nowMillis: Self.t0 + 90_000))
        // A change between building the rows and their commit keeps the minute changed.
        let pending = rollup.pending(nowMillis: Self.t0 + 90_000, ingestMillis: 2)
        rollup.add(tick(11, 104), partition: nil)
        rollup.markWritten(pending)
        let again = rollup.pending(nowMillis: Self.t0 + 90_000, ingestMillis: 3).rows
        #expect(again.count == 1 && again[0].close == 104 && again[0].isFinal)
    }

    @Test func frozenPartitionsWriteNothingAndStoredRowsAreRecognized() throws {
        let p0 = BusPartition(topic: BusTopics.rawData, partition: 0)
        let p1 = BusPartition(topic: BusTopics.rawData, partition: 1)
        var rollup = MinuteRollup()
        rollup.add(tick(10, 100), partition: p0)
        rollup.add(tick(10, 50, asset: "ether"), partition: p1)
        let now = Self.t0 + 90_000
        // A partition whose state is being rebuilt (or waits for fallback rows) writes nothing.
        #expect(rollup.pending(nowMillis: now, ingestMillis: 1, frozen: [p0]).rows.map(\.asset) == ["ether"])
        #expect(rollup.hasPending(nowMillis: now, frozen: [p0, p1]) == false)
        // A stored row equal to the held minute is recognized; any difference is not.
        let row = try #require(rollup.pending(nowMillis: now, ingestMillis: 1).rows.first { $0.asset == "bitcoin" })
        #expect(rollup.matches(btc, minute: Self.t0, row))
        var other = row
        other.close = 101
        #expect(!rollup.matches(btc, minute: Self.t0, other))
        rollup.markStored(btc, minute: Self.t0, isFinal: true)
        #expect(rollup.pending(nowMillis: now, ingestMillis: 2).rows.map(\.asset) == ["ether"])
    }

    @Test func minutesBelowTheHorizonAreRebuiltNotPatched() throws {
        let partition = BusPartition(topic: BusTopics.rawData, partition: 0)
        var rollup = MinuteRollup()
        rollup.setHorizon(Self.t0 + 60_000, for: partition)
        // The tick's minute was not seen whole: the caller must rebuild it from the tick table.
        #expect(rollup.add(tick(30, 100), partition: partition) == .beyondHorizon(btc, minute: Self.t0))
        #expect(rollup.bar(btc, minute: Self.t0) == nil)
        rollup.load(btc, minute: Self.t0, ticks: [tick(30, 100), tick(3, 95), tick(45, 97, asset: "ether")], partition: partition)
        let bar = try #require(rollup.bar(btc, minute: Self.t0))
        #expect((bar.open, bar.high, bar.low, bar.close) == (95, 100, 95, 100))
        #expect(rollup.add(tick(70, 1), partition: partition) == .changed, "minutes at or above the horizon start fresh")

        // Eviction moves the horizon: written final minutes far behind are dropped, except the
        // series' latest one (a lagging source keeps sending ticks for it).
        let pending = rollup.pending(nowMillis: Self.t0 + 3_600_000, ingestMillis: 1)
        rollup.markWritten(pending)
        rollup.evict(nowMillis: Self.t0 + 3_600_000)
        #expect(rollup.heldMinutes == 1)
        #expect(rollup.add(tick(80, 2), partition: partition) == .changed)
        #expect(rollup.add(tick(31, 2), partition: partition) == .beyondHorizon(btc, minute: Self.t0))
        // Revoking the partition forgets its series and horizon.
        rollup.forget([partition])
        #expect(rollup.add(tick(80, 2), partition: partition) == .changed)
    }
}
