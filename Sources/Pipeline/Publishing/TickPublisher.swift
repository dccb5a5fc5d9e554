import CryptoVizCore
import Foundation
import Logging
import Metrics

/// Publishes every accepted tick to both topics, surviving broker outages without loss.
///
/// Ticks are queued in memory and sent in batches by `run()`. While the bus refuses them the
/// queue grows up to `maxBufferedTicks`; beyond that the oldest are spilled to a local file,
/// and once anything is spilled new ticks follow them there, so that replay (file first, then
/// memory) keeps the original order when the broker returns.
public actor TickPublisher {
    public struct Configuration: Sendable {
        public var maxBufferedTicks: Int = 100_000
        /// Where overflow goes; nil keeps everything in memory (and blocks nothing).
        public var spillFile: URL?
        /// Ticks per publish call.
        public var batchSize: Int = 2_000
        public var retryDelay: Duration = .milliseconds(200)
        public var maxRetryDelay: Duration = .seconds(10)
        public var topics: [String] = [BusTopics.rawData, BusTopics.streaming]
        /// How long sends may go on once the stop arrived (shared with the other stages).
        public var drain = DrainBudget()
        public init() {}
    }

    /// Figures for the dashboard and tests.
    public struct Stats: Sendable, Codable {
        public var accepted = 0
        public var published = 0
        public var buffered = 0
        public var spilled = 0
        public var failures = 0
        public var busAvailable = true
        /// Ticks that neither reached the bus nor the spill file at the stop: lost.
        public var lostAtStop = 0
    }

    private let bus: any Bus
    private let configuration: Configuration
    private let logger: Logger
    private let codec = TickMessageCodec()
    private let spill: SpillFile?
    private var queue = MessageQueue()
    private var spillHasData: Bool
    private var sending = false
    /// The batch taken from the queue by the send in flight; put back if that send is abandoned.
    private var inFlight: [TickMessage] = []
    /// Bumped when the stop gives up on a send: a send of an older epoch that completes late
    /// changes nothing (its batch or spill file has been kept already).
    private var epoch = 0
    private var stats = Stats()
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let publishedCounter = Counter(label: "cryptoviz_bus_published_ticks_total")
    private let spilledCounter = Counter(label: "cryptoviz_bus_spilled_ticks_total")

    public init(bus: any Bus, configuration: Configuration = .init(), logger: Logger) throws {
        self.bus = bus
        self.configuration = configuration
        self.logger = logger
        self.spill = try configuration.spillFile.map { try SpillFile(url: $0) }
        self.spillHasData = !(spill?.isEmpty ?? true)
    }

    /// Queues `ticks` for publication; returns at once.
    public func enqueue(_ ticks: [Tick]) {
        let now = currentUnixMillis()
        stats.accepted += ticks.count
        queue.append(contentsOf: ticks.lazy.map { TickMessage(tick: $0, producedAtMillis: now) })
        if !sending { spillOverflow() }
        stats.buffered = queue.count
    }

    /// Moves the whole memory queue to the end of the spill file once it is over its bound.
    /// Never while a send is in flight: the file and the queue then stay in order (file older).
    private func spillOverflow() {
        guard queue.count > configuration.maxBufferedTicks, let spill else { return }
        if spillMessages(Array(queue.all), to: spill) { queue.removeAll() }
    }

    /// Sends queued ticks until cancelled; then makes a last attempt to send what is left and
    /// spills the rest. A send in flight when the stop arrives runs to its end (within the
    /// drain budget): cancelling a produce request half-way would only make it ambiguous.
    public func run() async {
        var delay = configuration.retryDelay
        while !Task.isCancelled {
            let sent = await shieldedSend()
            if sent == nil {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
            } else {
                delay = configuration.retryDelay
                if sent == 0 { try? await Task.sleep(for: .milliseconds(20)) }
            }
        }
        reclaimAbandonedSend()
        _ = await configuration.drain.shielded { await self.lastSends() }
        reclaimAbandonedSend()
        if !queue.isEmpty, let spill {
            if spillMessages(Array(queue.all), to: spill) { queue.removeAll() }
        }
        if !queue.isEmpty {
            stats.lostAtStop = queue.count
            logger.error("ticks lost at shutdown: neither published nor spilled", metadata: [
                "count": "\(queue.count)", "spill_file": "\(spill?.url.path ?? "(none configured)")"])
        }
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
        logger.info("publisher stopped", metadata: [
            "accepted": "\(stats.accepted)", "published": "\(stats.published)", "spilled": "\(stats.spilled)",
            "unsent_in_memory": "\(queue.count)", "unsent_in_spill_file": "\(spillHasData)"])
    }

    /// After a shielded send returned at the stop, it may still be running (abandoned by the
    /// drain budget): its batch goes back to the front of the queue, to be sent or spilled,
    /// and whatever it does later is ignored. A late success means a duplicate downstream
    /// (dropped there by event identity), never a loss.
    private func reclaimAbandonedSend() {
        epoch += 1
        if !inFlight.isEmpty {
            queue.putBack(inFlight)
            inFlight = []
        }
        sending = false
    }

    private func shieldedSend() async -> Int? {
        (try? await configuration.drain.shielded { await self.sendOnce() }.get()) ?? nil
    }

    /// Sends at the stop while the bus takes them; gives up after a few refusals in a row or
    /// when the drain budget runs out (the rest is spilled).
    private func lastSends() async {
        var refusals = 0
        while (!queue.isEmpty || spillHasData) && !Task.isCancelled && refusals < 5 {
            if await sendOnce() == nil {
                refusals += 1
                try? await Task.sleep(for: .milliseconds(100))
            } else {
                refusals = 0
            }
        }
    }

    /// Waits until everything queued so far has been published (or `run` ended).
    public func drained() async {
        if queue.isEmpty && !spillHasData { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func currentStats() -> Stats { stats }

    /// Publishes one batch: the spill file first, then memory. Returns the ticks sent, or nil
    /// when the bus refused (the batch stays queued, in order).
    private func sendOnce() async -> Int? {
        let myEpoch = epoch
        sending = true
        defer {
            if epoch == myEpoch {
                sending = false
                spillOverflow()
                stats.buffered = queue.count
            }
        }
        if spillHasData, let spill {
            do {
                var messages: [OutgoingMessage] = []
                for line in try spill.readAll() {
                    // Lines this process wrote are valid messages; anything else is reported.
                    guard let message = try? codec.decode(line) else {
                        logger.error("unreadable line in spill file skipped", metadata: ["path": "\(spill.url.path)"])
                        continue
                    }
                    messages += try outgoing(message)
                }
                try await bus.publish(messages)
                // Abandoned meanwhile: the file may hold newer lines now, and stays for replay.
                guard epoch == myEpoch else { return nil }
                try spill.remove()
                spillHasData = false
                let ticks = messages.count / configuration.topics.count
                stats.published += ticks
                publishedCounter.increment(by: ticks)
                markAvailable()
                logger.info("replayed spilled ticks", metadata: ["count": "\(ticks)"])
                return ticks
            } catch {
                markUnavailable(error)
                return nil
            }
        }
        guard !queue.isEmpty else {
            for waiter in waiters { waiter.resume() }
            waiters.removeAll()
            return 0
        }
        let batch = queue.takeFront(configuration.batchSize)
        inFlight = batch
        do {
            var messages: [OutgoingMessage] = []
            messages.reserveCapacity(batch.count * configuration.topics.count)
            for message in batch { try codec.appendOutgoing(message, topics: configuration.topics, to: &messages) }
            // Handed over, not shared: the in-process bus takes the batch apart in place.
            try await bus.publish(consume messages)
        } catch {
            guard epoch == myEpoch else { return nil }
            inFlight = []
            queue.putBack(batch)
            markUnavailable(error)
            return nil
        }
        guard epoch == myEpoch else { return nil }
        inFlight = []
        stats.published += batch.count
        publishedCounter.increment(by: batch.count)
        markAvailable()
        return batch.count
    }

    private func outgoing(_ message: TickMessage) throws -> [OutgoingMessage] {
        try codec.outgoing(message, topics: configuration.topics)
    }

    /// Appends to the spill file; false (and nothing written) when the file cannot be written.
    private func spillMessages(_ messages: [TickMessage], to spill: SpillFile) -> Bool {
        do {
            try spill.append(messages)
            spillHasData = true
            stats.spilled += messages.count
            spilledCounter.increment(by: messages.count)
            return true
        } catch {
            // They stay in memory (the caller keeps the queue): memory is the last resort.
            logger.error("cannot write spill file; keeping ticks in memory", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func markUnavailable(_ error: any Error) {
        stats.failures += 1
        if stats.busAvailable {
            logger.warning("bus unavailable; buffering ticks", metadata: ["error": "\(error)"])
        }
        stats.busAvailable = false
    }

    private func markAvailable() {
        if !stats.busAvailable { logger.info("bus available again") }
        stats.busAvailable = true
    }
}
