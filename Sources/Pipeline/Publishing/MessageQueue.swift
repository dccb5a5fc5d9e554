/// The publisher's FIFO of messages: appended at the back, taken in batches from the front, a
/// failed batch put back at the front. Taking moves a head index instead of shifting the array:
/// `removeFirst` on a queue of a million messages moved the whole queue for every 2 000-message
/// batch.
struct MessageQueue {
    private var storage: [TickMessage] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    /// Every queued message, oldest first.
    var all: ArraySlice<TickMessage> { storage[head...] }

    mutating func append(contentsOf messages: some Sequence<TickMessage>) {
        storage.append(contentsOf: messages)
    }

    /// Removes and returns up to `n` messages from the front.
    mutating func takeFront(_ n: Int) -> [TickMessage] {
        let end = min(storage.count, head + max(0, n))
        let batch = Array(storage[head..<end])
        head = end
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return batch
    }

    /// Puts `messages` back in front of the queue, in their order.
    mutating func putBack(_ messages: [TickMessage]) {
        guard !messages.isEmpty else { return }
        if head >= messages.count {
            head -= messages.count
            storage.replaceSubrange(head..<(head + messages.count), with: messages)
        } else {
            storage.replaceSubrange(0..<head, with: messages)
            head = 0
        }
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
    }
}
