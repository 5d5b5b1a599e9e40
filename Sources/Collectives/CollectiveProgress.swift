import Foundation

/// The collectives a communicator runs, for stall messages.
public enum CollectiveKind: Int, Sendable, CaseIterable, CustomStringConvertible {
    case allreduce, broadcast, barrier, allgather, split
    /// ``SharedSegments/synchronize()``: the barrier of a gradient exchange through shared memory.
    case synchronize

    public var description: String {
        switch self {
        case .allreduce: "allreduce"
        case .broadcast: "broadcast"
        case .barrier: "barrier"
        case .allgather: "allgather"
        case .split: "split"
        case .synchronize: "shared-memory synchronize"
        }
    }
}

/// Where one rank stands in its sequence of collectives: how many it has entered, and whether
/// it is inside the last one. Every rank calls the same collectives in the same order, so
/// equal numbers on two ranks mean the same collective.
public struct CollectivePosition: Sendable, Equatable {
    /// Collectives entered so far; the current (or last) one is number `entered`.
    public var entered: Int
    /// Whether the rank is waiting inside collective number `entered`.
    public var inside: Bool
    /// The kind of collective number `entered`.
    public var kind: CollectiveKind

    public init(entered: Int = 0, inside: Bool = false, kind: CollectiveKind = .barrier) {
        self.entered = entered
        self.inside = inside
        self.kind = kind
    }
}

/// The position of the thread driving a communicator, read by the stall watchdog's thread.
///
/// The training thread pays one uncontended lock around each collective (tens of
/// nanoseconds against the microseconds a collective takes); it never waits for the watchdog,
/// which takes the lock for a copy a few times a second.
public final class CollectiveProgress: @unchecked Sendable {
    // Invariant: `position` is read and written only while holding `lock`.
    private let lock = NSLock()
    private var position = CollectivePosition()

    public init() {}

    /// Where the driving thread stands now.
    public var current: CollectivePosition { lock.withLock { position } }

    /// Runs collective `body`, numbered and marked as waiting while it runs.
    @inline(__always)
    func track<T>(_ kind: CollectiveKind, _ body: () throws -> T) rethrows -> T {
        lock.withLock {
            position.entered += 1
            position.inside = true
            position.kind = kind
        }
        defer { lock.withLock { position.inside = false } }
        return try body()
    }
}
