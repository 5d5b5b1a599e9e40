/// How the elements contributed by every rank are combined by `allreduce`.
public enum ReduceOperation: String, Sendable, Codable, CaseIterable {
    /// Element-wise sum over ranks.
    case sum
    /// Element-wise sum divided by the communicator size.
    case average
    /// Element-wise maximum over ranks.
    case max
    /// Element-wise minimum over ranks.
    case min
}

/// A group of ranks that run collective operations together.
///
/// Contract: every rank of the group must call the same collectives in the same
/// order with buffers of the same element count; a collective returns on a rank
/// once that rank's part is complete. Implementations are not re-entrant: one
/// thread per rank drives a communicator at a time (the trainer's thread). Errors
/// are thrown as ``CommunicatorError``; a rank that cannot continue calls
/// ``abort(message:code:)`` so that no other rank waits forever.
public protocol Communicator: AnyObject, Sendable {
    /// This process's rank in the group, in `0..<size`.
    var rank: Int { get }
    /// Number of ranks in the group.
    var size: Int { get }
    /// The host this rank runs on, for messages.
    var hostName: String { get }

    /// Combines `buffer` across ranks in place; every rank ends with the result.
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOperation) throws
    /// Combines `buffer` across ranks in place; every rank ends with the result.
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOperation) throws
    /// Copies `root`'s bytes into `buffer` on every other rank.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Returns once every rank has entered the barrier.
    func barrier() throws
    /// Gathers `send` from every rank into `receive`, rank `r`'s bytes at offset
    /// `r * send.count`; `receive.count` must be `send.count * size`.
    func allgather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws
    /// Splits the group: ranks passing the same `color` form a new communicator,
    /// ordered by `key` (ties by old rank). Collective over this communicator.
    func split(color: Int, key: Int) throws -> any Communicator
    /// Ends every rank of the job after writing `message` to standard error.
    func abort(message: String, code: Int32) -> Never

    /// Sends `bytes` to rank `destination` with `tag` (≥ 0); returns once the buffer may be reused.
    /// Point-to-point calls may come from a second thread (the sweep coordinator) where
    /// ``supportsConcurrentCalls`` is true.
    func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int) throws
    /// The source and size in bytes of a waiting message with `tag` from `source` (any rank
    /// when nil); with `wait` false it returns nil at once when none is waiting.
    func probe(from source: Int?, tag: Int, wait: Bool) throws -> (source: Int, count: Int)?
    /// Receives the next message with `tag` from `source` into `buffer`, which must hold
    /// exactly its size (from ``probe(from:tag:wait:)``).
    func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int, tag: Int) throws
    /// Whether two threads of this process may call the communicator at the same time.
    var supportsConcurrentCalls: Bool { get }

    /// Memory every rank of the group loads and stores directly: one segment of at least
    /// `bytesPerRank` bytes per rank, or nil when the ranks do not all share one node's memory
    /// (or the group has one rank). Collective: every rank asks for the same size at the same
    /// point and gets the same answer. Segments start zeroed and 64-byte aligned; a later call
    /// for no more bytes returns the same segments, a larger one new segments.
    func sharedSegments(bytesPerRank: Int) throws -> (any SharedSegments)?
    /// The ranks on this rank's node and the ranks in the same place on the other nodes, when
    /// the group spans several nodes with the same number of ranks (at least two) on each;
    /// nil otherwise. Collective the first time; later calls return the same groups.
    func nodeGroups() throws -> NodeGroups?
}

/// A group split by node (``Communicator/nodeGroups()``).
public struct NodeGroups: Sendable {
    /// The ranks on this node, ordered by their rank in the whole group.
    public let node: any Communicator
    /// The ranks with this rank's `node.rank` on every node, ordered by node.
    public let peers: any Communicator

    public init(node: any Communicator, peers: any Communicator) {
        self.node = node
        self.peers = peers
    }
}

extension Communicator {
    /// Splits the group by host name into ``NodeGroups``, or nil when that gives one node,
    /// nodes of different sizes, or one rank per node. Collective; implementations call it
    /// once and keep the answer.
    public func splitByNode() throws -> NodeGroups? {
        let hosts = try allgather(hostName)
        let perNode = Dictionary(grouping: hosts, by: { $0 }).values.map(\.count)
        guard perNode.count > 1, Set(perNode).count == 1, perNode[0] > 1 else { return nil }
        let node = try split(color: hosts.firstIndex(of: hostName)!, key: rank)
        let peers = try split(color: node.rank, key: rank)
        return NodeGroups(node: node, peers: peers)
    }
}

/// One segment per rank of a communicator, each readable and writable by every rank; see
/// ``Communicator/sharedSegments(bytesPerRank:)``.
///
/// Ranks order their accesses with ``synchronize()``: stores made before it are visible to
/// every rank after it. Whoever keeps pointers into the segments must keep the object alive.
public protocol SharedSegments: AnyObject, Sendable {
    /// Each rank's segment, by rank.
    var segments: [UnsafeMutableRawPointer] { get }
    /// Usable bytes in every segment.
    var bytesPerRank: Int { get }
    /// Makes this rank's stores visible to every rank, and returns once every rank of the
    /// group has called it (a barrier). Collective.
    func synchronize() throws
}

/// An error raised by a collective operation.
public struct CommunicatorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The failed call, e.g. `MPI_Allreduce`.
    public var operation: String
    /// The rank that saw the failure.
    public var rank: Int
    /// The library's error code, or -1 for argument errors detected before calling it.
    public var code: Int32
    /// Human-readable reason (`MPI_Error_string` for MPI).
    public var reason: String

    public init(operation: String, rank: Int, code: Int32, reason: String) {
        self.operation = operation
        self.rank = rank
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(operation) failed on rank \(rank): \(reason)" }
}

/// An error that every rank of a job raises at the same point by construction (for
/// example a non-finite loss computed from allreduced values), so the ranks may stop
/// together and cleanly: rank 0 reports it, nobody needs to abort the job.
public protocol UniformError: Error {}
