import Foundation

/// Point-to-point messages between the members of one ``LocalCommunicator`` group: a queue
/// per destination, delivered in send order for each (source, tag) pair, as MPI does.
///
/// `@unchecked Sendable`: `queues` is guarded by `condition`.
final class LocalMailbox: @unchecked Sendable {
    struct Message {
        var source: Int
        var tag: Int
        var bytes: [UInt8]
    }

    private let condition = NSCondition()
    private var queues: [[Message]]

    init(size: Int) {
        queues = Array(repeating: [], count: size)
    }

    func post(_ message: Message, to destination: Int) {
        condition.lock()
        queues[destination].append(message)
        condition.broadcast()
        condition.unlock()
    }

    /// The first queued message for `destination` matching `source` (any when nil) and `tag`.
    func peek(for destination: Int, from source: Int?, tag: Int, wait: Bool) -> (source: Int, count: Int)? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let message = queues[destination].first(where: { $0.tag == tag && (source == nil || $0.source == source) }) {
                return (message.source, message.bytes.count)
            }
            if !wait { return nil }
            condition.wait()
        }
    }

    /// Removes and returns the first queued message for `destination` from `source` with `tag`, waiting for one.
    func take(for destination: Int, from source: Int, tag: Int) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let index = queues[destination].firstIndex(where: { $0.tag == tag && $0.source == source }) {
                return queues[destination].remove(at: index).bytes
            }
            condition.wait()
        }
    }
}
