import Foundation
import RingmasterCore

/// An in-process ``Communicator``: one rank for single-process runs, or a group whose members
/// are driven by threads of one process, for tests.
///
/// Results match what MPI gives for the same inputs; reductions combine ranks in rank order,
/// so they are deterministic however the threads interleave. Calls that break the contract
/// (members calling different collectives or counts) fail on every member with a
/// ``CommunicatorError`` instead of hanging or mixing buffers. Errors and abort messages name
/// the member by its rank in the group ``group(size:stallTimeout:hostNames:)`` made, as MPI's name the
/// world rank.
public final class LocalCommunicator: Communicator, Sendable {
    public let rank: Int
    public var size: Int { rendezvous.size }
    public let hostName: String
    /// This member's rank in the group it was created in, kept through splits.
    public let worldRank: Int

    private let rendezvous: LocalRendezvous
    /// ``nodeGroups()``'s answer once known.
    private let groups = OnceValue<NodeGroups?>()

    private init(rank: Int, worldRank: Int, rendezvous: LocalRendezvous, hostName: String) {
        self.rank = rank
        self.worldRank = worldRank
        self.rendezvous = rendezvous
        self.hostName = hostName
    }

    /// A single rank, for a process that runs alone: every collective returns at once.
    public convenience init() {
        self.init(
            rank: 0, worldRank: 0, rendezvous: LocalRendezvous(size: 1, stallTimeout: nil), hostName: localHostName())
    }

    /// The `size` members of a new group, indexed by rank; drive each from its own thread.
    ///
    /// - Parameter stallTimeout: seconds a member waits in a collective for the others before
    ///   the group is declared stalled and every member's collectives throw (so a test whose
    ///   member died fails instead of hanging); nil, the default, waits forever.
    /// - Parameter hostNames: each member's host name, to stand for ranks on several nodes
    ///   (``nodeGroups()`` splits by it); by default every member has this machine's.
    public static func group(size: Int, stallTimeout: Double? = nil, hostNames: [String]? = nil) -> [LocalCommunicator] {
        precondition(hostNames == nil || hostNames!.count == size, "one host name per member")
        let rendezvous = LocalRendezvous(size: size, stallTimeout: stallTimeout)
        let host = localHostName()
        return (0..<size).map {
            LocalCommunicator(rank: $0, worldRank: $0, rendezvous: rendezvous, hostName: hostNames?[$0] ?? host)
        }
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOperation) throws {
        try reduce(buffer, op: op)
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOperation) throws {
        try reduce(buffer, op: op)
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard (0..<size).contains(root) else {
            throw CommunicatorError.invalidArgument("broadcast", rank: worldRank, "root \(root) is not in 0..<\(size)")
        }
        guard size > 1, !buffer.isEmpty else { return }
        try exchange("broadcast", "\(buffer.count) bytes from root \(root)", buffer) { buffers in
            for (r, target) in buffers.enumerated() where r != root {
                target.copyMemory(from: UnsafeRawBufferPointer(buffers[root]))
            }
        }
    }

    public func barrier() throws {
        guard size > 1 else { return }
        try exchange("barrier", "", ()) { _ in }
    }

    public func allgather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws {
        let width = send.count
        guard receive.count == width * size else {
            throw CommunicatorError.invalidArgument(
                "allgather", rank: worldRank, "receive holds \(receive.count) bytes, not \(width) × \(size) ranks")
        }
        guard width > 0 else { return }
        try exchange("allgather", "\(width) bytes", (send, receive)) { parts in
            for (_, target) in parts {
                for (r, (source, _)) in parts.enumerated() {
                    UnsafeMutableRawBufferPointer(rebasing: target[(r * width)..<((r + 1) * width)]).copyMemory(from: source)
                }
            }
        }
    }

    public func split(color: Int, key: Int) throws -> any Communicator {
        let arguments = try splitArguments(color: color, key: key, rank: worldRank)
        let timeout = rendezvous.stallTimeout
        let placements = try exchange("split", "", (color: arguments.color, key: arguments.key)) { requests in
            var placements = [(rendezvous: LocalRendezvous, rank: Int)?](repeating: nil, count: requests.count)
            let colors = Dictionary(grouping: requests.indices, by: { requests[$0].color })
            for members in colors.values {
                // MPI orders a new group by key, then by old rank.
                let ordered = members.sorted { (requests[$0].key, $0) < (requests[$1].key, $1) }
                let group = LocalRendezvous(size: ordered.count, stallTimeout: timeout)
                for (newRank, oldRank) in ordered.enumerated() { placements[oldRank] = (group, newRank) }
            }
            return placements.map { $0! }
        }
        let placement = placements[rank]
        return LocalCommunicator(
            rank: placement.rank, worldRank: worldRank, rendezvous: placement.rendezvous, hostName: hostName)
    }

    /// Writes the same one-line message as ``MPICommunicator`` and exits the process, which
    /// ends every member of the group.
    public func abort(message: String, code: Int32) -> Never {
        writeAbortLine(rank: worldRank, host: hostName, message: message)
        exit(code)
    }

    /// Every member is a thread of this process, so the segments are ordinary memory the
    /// group allocates once (and again, larger, when a member asks for more); members given
    /// different host names (``group(size:stallTimeout:hostNames:)``) stand for ranks on
    /// different nodes and get none.
    public func sharedSegments(bytesPerRank: Int) throws -> (any SharedSegments)? {
        guard size > 1, !sharedMemoryDisabled else { return nil }
        let rendezvous = self.rendezvous
        // Members given different host names stand for ranks on different nodes.
        let storage = try exchange("sharedSegments", "\(bytesPerRank) bytes", hostName) { hosts in
            Set(hosts).count == 1 ? rendezvous.sharedStorage(bytesPerRank: bytesPerRank) : nil
        }
        return storage.map { LocalSharedSegments(storage: $0, member: self) }
    }

    public func nodeGroups() throws -> NodeGroups? {
        try groups.value { try splitByNode() }
    }

    /// The barrier of ``LocalSharedSegments``: the rendezvous's lock orders the members' memory.
    fileprivate func synchronizeShared() throws {
        try exchange("synchronize", "", ()) { _ in }
    }

    // MARK: Point to point

    /// Threads of one process share memory: any of them may call at any time.
    public var supportsConcurrentCalls: Bool { true }

    public func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int) throws {
        try checkPeer(destination, tag: tag, operation: "send")
        rendezvous.mailbox.post(.init(source: rank, tag: tag, bytes: Array(bytes)), to: destination)
    }

    public func probe(from source: Int?, tag: Int, wait: Bool) throws -> (source: Int, count: Int)? {
        if let source { try checkPeer(source, tag: tag, operation: "probe") }
        return rendezvous.mailbox.peek(for: rank, from: source, tag: tag, wait: wait)
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int, tag: Int) throws {
        try checkPeer(source, tag: tag, operation: "receive")
        let bytes = rendezvous.mailbox.take(for: rank, from: source, tag: tag)
        guard bytes.count == buffer.count else {
            throw CommunicatorError.invalidArgument(
                "receive", rank: worldRank, "message of \(bytes.count) bytes into a buffer of \(buffer.count)")
        }
        buffer.copyBytes(from: bytes)
    }

    private func checkPeer(_ peer: Int, tag: Int, operation: String) throws {
        guard (0..<size).contains(peer), tag >= 0 else {
            throw CommunicatorError.invalidArgument(operation, rank: worldRank, "peer \(peer) or tag \(tag) out of range")
        }
    }

    // MARK: Helpers

    private func reduce<T: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<T>, op: ReduceOperation) throws {
        // One rank's sum, maximum and minimum are its own values, and its average divides by 1.
        guard size > 1, !buffer.isEmpty else { return }
        try exchange("allreduce", "\(T.self) × \(buffer.count), \(op)", buffer) { buffers in
            let result = UnsafeMutableBufferPointer<T>.allocate(capacity: buffer.count)
            defer { result.deallocate() }
            _ = result.initialize(from: buffers[0])
            for other in buffers.dropFirst() {
                switch op {
                case .sum, .average: for i in result.indices { result[i] += other[i] }
                case .max: for i in result.indices { result[i] = Swift.max(result[i], other[i]) }
                case .min: for i in result.indices { result[i] = Swift.min(result[i], other[i]) }
                }
            }
            if op == .average { divide(result, by: buffers.count) }
            for target in buffers { target.baseAddress!.update(from: result.baseAddress!, count: result.count) }
        }
    }

    /// Meets the other members for one collective; a failure is thrown on every member, each
    /// naming itself.
    private func exchange<Payload, Output>(
        _ operation: String, _ detail: String, _ payload: Payload, combine: ([Payload]) -> Output
    ) throws -> Output {
        do throws(LocalRendezvous.Failure) {
            return try rendezvous.exchange(
                rank: rank, signature: .init(operation: operation, detail: detail), payload: payload, combine: combine)
        } catch {
            throw CommunicatorError(operation: operation, rank: worldRank, code: -1, reason: error.reason)
        }
    }
}

/// One member's view of its group's ``LocalSharedStorage``.
final class LocalSharedSegments: SharedSegments, Sendable {
    let storage: LocalSharedStorage
    let member: LocalCommunicator

    init(storage: LocalSharedStorage, member: LocalCommunicator) {
        self.storage = storage
        self.member = member
    }

    var segments: [UnsafeMutableRawPointer] { storage.segments }
    var bytesPerRank: Int { storage.bytesPerRank }

    func synchronize() throws {
        try member.synchronizeShared()
    }
}

/// Zeroed, 64-byte aligned segments for the members of one in-process group; freed when the
/// last view and the group let go of them.
///
/// `@unchecked Sendable`: immutable after init; the memory is the members' to order.
final class LocalSharedStorage: @unchecked Sendable {
    let segments: [UnsafeMutableRawPointer]
    let bytesPerRank: Int

    init(ranks: Int, bytesPerRank: Int) {
        let rounded = (bytesPerRank + 63) / 64 * 64
        self.bytesPerRank = rounded
        segments = (0..<ranks).map { _ in
            let segment = UnsafeMutableRawPointer.allocate(byteCount: max(rounded, 64), alignment: 64)
            segment.initializeMemory(as: UInt8.self, repeating: 0, count: max(rounded, 64))
            return segment
        }
    }

    deinit {
        for segment in segments { segment.deallocate() }
    }
}

/// A value computed once and kept; `@unchecked Sendable`: every access holds `lock`.
final class OnceValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    private var known = false

    /// The kept value, computing it with `make` the first time. Only the member's own thread
    /// calls it, so `make` (collective) never runs twice at once.
    func value(_ make: () throws -> T) throws -> T {
        if let cached = lock.withLock({ known ? stored : nil }) { return cached }
        let made = try make()
        lock.withLock { (stored, known) = (made, true) }
        return made
    }
}
