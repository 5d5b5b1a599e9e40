/// The variant that answered each of the last `capacity` requests, so that a reward posted
/// later can be credited to it. Memory is bounded: the oldest request is forgotten when a
/// new one arrives at capacity. A request id routed twice counts from its latest routing.
struct RecentRequests {
    struct Entry {
        var variant: Variant
        var sequence: Int
        var rewarded: Bool
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Ring of (id, sequence) in routing order; slot `sequence % capacity`.
    private var ring: [(id: String, sequence: Int)] = []
    private var routed = 0

    init(capacity: Int) {
        precondition(capacity > 0, "remember at least one request")
        self.capacity = capacity
        entries.reserveCapacity(min(capacity, 1 << 16))
    }

    mutating func remember(_ id: String, answeredBy variant: Variant) {
        let slot = routed % capacity
        if ring.count < capacity {
            ring.append((id, routed))
        } else {
            let old = ring[slot]
            // A later routing of the same id owns the entry now; only forget the one this slot recorded.
            if entries[old.id]?.sequence == old.sequence { entries[old.id] = nil }
            ring[slot] = (id, routed)
        }
        entries[id] = Entry(variant: variant, sequence: routed, rewarded: false)
        routed += 1
    }

    func entry(_ id: String) -> Entry? { entries[id] }

    mutating func markRewarded(_ id: String) { entries[id]?.rewarded = true }
}
