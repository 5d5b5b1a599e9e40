/// A dictionary that keeps the last `capacity` keys inserted, forgetting the oldest first:
/// request ids waiting for the feedback that may follow them. A value type; callers that
/// share one guard it with their own lock.
public struct RecentEntries<Value> {
    public let capacity: Int
    private var values: [String: Value] = [:]
    /// Keys in insertion order from `start` on; the prefix before it is already forgotten.
    private var order: [String] = []
    private var start = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "RecentEntries needs a capacity of at least 1")
        self.capacity = capacity
    }

    public subscript(key: String) -> Value? { values[key] }

    /// Sets `value` for `key` (a new key counts as the newest) and forgets keys beyond capacity.
    public mutating func insert(_ value: Value, forKey key: String) {
        if values.updateValue(value, forKey: key) == nil { order.append(key) }
        while order.count - start > capacity {
            values[order[start]] = nil
            start += 1
        }
        // Compact the order list now and then rather than shifting it on every eviction.
        if start > capacity {
            order.removeFirst(start)
            start = 0
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? { values.removeValue(forKey: key) }
}

extension RecentEntries: Sendable where Value: Sendable {}
