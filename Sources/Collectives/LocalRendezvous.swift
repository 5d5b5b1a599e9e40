import Foundation
import RingmasterCore

/// Where the members of a ``LocalCommunicator`` group meet for each collective.
///
/// Every member calls ``exchange(rank:signature:payload:combine:)`` with its part. The last one
/// to arrive runs `combine` over all parts in rank order, so results do not depend on which
/// thread came last, while the others are blocked: their buffers are stable, and `combine` may
/// read and write them. A generation counter tells waiters that their collective completed,
/// and because the next one cannot complete before every member has arrived at it, one shared
/// outcome slot is enough.
///
/// `@unchecked Sendable`: all mutable state is guarded by `condition`.
final class LocalRendezvous: @unchecked Sendable {
    /// What a member is calling, compared across members to catch contract violations
    /// (different collectives, counts or roots) instead of combining mismatched parts.
    struct Signature: Equatable, CustomStringConvertible {
        /// The protocol method, e.g. `allreduce`.
        var operation: String
        /// Everything that must agree across ranks, e.g. `Float × 10, sum`.
        var detail: String

        var description: String { detail.isEmpty ? operation : "\(operation)(\(detail))" }
    }

    let size: Int
    /// Seconds a member waits for the others before the group is declared stalled; nil waits forever.
    let stallTimeout: Double?
    /// The group's point-to-point messages.
    let mailbox: LocalMailbox

    private let condition = NSCondition()
    private var generation = 0
    private var arrivals: [(signature: Signature, payload: Any)?]
    /// The last completed collective's outcome.
    private var outcome: Result<Any, Failure>?
    /// Set once a member gave up waiting; from then on every collective fails, since the
    /// members can no longer be in step.
    private var stall: String?

    /// The group's shared segments (``LocalCommunicator/sharedSegments(bytesPerRank:)``),
    /// read and replaced only inside a `combine`, under `condition`'s lock.
    private var sharedStorage: LocalSharedStorage?

    /// The group's shared segments, grown to `bytesPerRank` if smaller. Call only from a
    /// `combine` (which holds the lock).
    func sharedStorage(bytesPerRank: Int) -> LocalSharedStorage {
        if let sharedStorage, sharedStorage.bytesPerRank >= bytesPerRank { return sharedStorage }
        let storage = LocalSharedStorage(ranks: size, bytesPerRank: bytesPerRank)
        sharedStorage = storage
        return storage
    }

    /// Why a collective failed, for the calling member to wrap with its own rank.
    struct Failure: Error {
        var reason: String
    }

    init(size: Int, stallTimeout: Double?) {
        precondition(size > 0, "a group has at least one member")
        self.size = size
        self.stallTimeout = stallTimeout
        self.arrivals = Array(repeating: nil, count: size)
        self.mailbox = LocalMailbox(size: size)
    }

    /// Blocks until every member has called with the same `signature`, then returns what the
    /// last arrival's `combine` made of all payloads (indexed by rank).
    func exchange<Payload, Output>(
        rank: Int, signature: Signature, payload: Payload, combine: ([Payload]) -> Output
    ) throws(Failure) -> Output {
        condition.lock()
        defer { condition.unlock() }
        if let stall { throw Failure(reason: stall) }
        let joined = generation
        arrivals[rank] = (signature, payload)
        if arrivals.allSatisfy({ $0 != nil }) {
            let parts = arrivals.map { $0! }
            if parts.allSatisfy({ $0.signature == signature }) {
                // Equal signatures mean every member called this same method, so the payload types agree.
                outcome = .success(combine(parts.map { $0.payload as! Payload }))
            } else {
                let calls = parts.enumerated().map { "rank \($0.offset): \($0.element.signature)" }
                outcome = .failure(Failure(reason: "ranks called different collectives: " + calls.joined(separator: ", ")))
            }
            arrivals = Array(repeating: nil, count: size)
            generation += 1
            condition.broadcast()
        } else {
            try wait(whileGenerationIs: joined, signature: signature)
        }
        return try outcome!.get() as! Output
    }

    private func wait(whileGenerationIs joined: Int, signature: Signature) throws(Failure) {
        let deadline = stallTimeout.map { Date(timeIntervalSinceNow: $0) }
        while generation == joined {
            if let stall { throw Failure(reason: stall) }
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline) && generation == joined {
                let missing = arrivals.indices.filter { arrivals[$0] == nil }.map(String.init)
                stall = "stalled: waited \(stallTimeout!) s in \(signature) for rank(s) "
                    + missing.joined(separator: ", ") + ", which never called it"
                condition.broadcast()
                throw Failure(reason: stall!)
            }
        }
    }
}
