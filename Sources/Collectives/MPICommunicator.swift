import RingmasterCore

/// A ``Communicator`` over an MPI communicator: the one every rank uses under `mpirun`.
///
/// Get the world from ``MPIEnvironment/initialize()`` (or ``Collectives/makeWorld()``) and
/// sub-groups from ``split(color:key:)``. Errors come back as ``CommunicatorError``s naming the
/// MPI call and this process's rank in `MPI_COMM_WORLD`; after one, the job's collectives may be
/// out of step, so the caller should ``abort(message:code:)`` rather than carry on.
///
/// `@unchecked Sendable`: MPI is initialized at `MPI_THREAD_SERIALIZED`, and the
/// ``Communicator`` contract lets one thread at a time drive a communicator (any thread, one
/// caller at a time). Every stored property is immutable except ``maxChunkElements``, which
/// only that caller changes. Release a sub-communicator on the thread that drives it, since
/// `deinit` calls `MPI_Comm_free`.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// `MPI_Get_processor_name`: the node's name as MPI reports it.
    public let hostName: String
    /// This process's rank in `MPI_COMM_WORLD`, which names it in errors and abort messages:
    /// unlike ``rank``, it identifies the process whichever sub-group failed.
    public let worldRank: Int

    /// Elements (bytes for ``broadcast(_:root:)`` and ``allgather(_:into:)``) per MPI call.
    /// MPI counts are C `int`, so larger buffers go in chunks of at most this many.
    private(set) var maxChunkElements = MPI.maxCount

    let handle: MPI.Comm
    /// False for `MPI_COMM_WORLD`, which MPI owns.
    private let ownsHandle: Bool
    public let supportsConcurrentCalls: Bool
    /// This communicator's count of collectives, which the stall watchdog reads.
    public let progress = CollectiveProgress()
    /// Shared segments: `.undecided` until the first request; `.unavailable` when the ranks
    /// span several nodes (or shared memory is turned off); otherwise the node communicator
    /// and the largest segments allocated so far.
    private var shared = SharedState.undecided
    /// ``nodeGroups()``'s answer once known.
    private var groups: NodeGroups??

    private enum SharedState {
        case undecided, unavailable
        case available(node: MPI.Comm, segments: MPISharedSegments?)
    }

    /// Wraps `handle`, making its errors return as codes.
    init(handle: MPI.Comm, ownsHandle: Bool, threadMultiple: Bool) throws {
        supportsConcurrentCalls = threadMultiple
        let worldRank = try MPI.rank(of: .world)
        try MPI.returnErrors(on: handle, rank: worldRank)
        self.worldRank = worldRank
        self.rank = try MPI.rank(of: handle)
        self.size = try MPI.size(of: handle, rank: worldRank)
        self.hostName = try MPI.processorName(rank: worldRank)
        self.handle = handle
        self.ownsHandle = ownsHandle
    }

    deinit {
        // After MPI_Finalize no MPI call is allowed, and MPI released its communicators anyway.
        if ownsHandle && !MPI.isFinalized { MPI.free(handle) }
    }

    /// Runs `body` with at most `limit` elements per MPI call, so that tests can drive the
    /// chunked path with small buffers; sub-communicators split inside `body` keep the limit.
    package func withMaxChunkElements<T>(_ limit: Int, _ body: () throws -> T) rethrows -> T {
        precondition((1...MPI.maxCount).contains(limit), "a chunk holds 1...Int32.max elements")
        let saved = maxChunkElements
        maxChunkElements = limit
        defer { maxChunkElements = saved }
        return try body()
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOperation) throws {
        try progress.track(.allreduce) {
            try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, .float, op)
        }
        if op == .average { divide(buffer, by: size) }
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOperation) throws {
        try progress.track(.allreduce) {
            try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, .double, op)
        }
        if op == .average { divide(buffer, by: size) }
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard (0..<size).contains(root) else {
            throw CommunicatorError.invalidArgument("MPI_Bcast", rank: worldRank, "root \(root) is not in 0..<\(size)")
        }
        guard let base = buffer.baseAddress else { return }
        try progress.track(.broadcast) {
            try forEachChunk(of: buffer.count) { offset, count in
                try MPI.broadcast(base + offset, count: count, root: Int32(root), on: handle, rank: worldRank)
            }
        }
    }

    public func barrier() throws {
        try progress.track(.barrier) { try MPI.barrier(on: handle, rank: worldRank) }
    }

    public func allgather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws {
        let width = send.count
        guard receive.count == width * size else {
            throw CommunicatorError.invalidArgument(
                "MPI_Allgather", rank: worldRank, "receive holds \(receive.count) bytes, not \(width) × \(size) ranks")
        }
        guard let source = send.baseAddress, let target = receive.baseAddress else { return }
        try progress.track(.allgather) { try allgather(source, width: width, into: target) }
    }

    private func allgather(_ source: UnsafeRawPointer, width: Int, into target: UnsafeMutableRawPointer) throws {
        if width <= maxChunkElements {
            return try MPI.allgather(source, count: Int32(width), into: target, on: handle, rank: worldRank)
        }
        // MPI places rank r's chunk at r × chunk, not at r × width: gather each chunk into
        // scratch, then move every rank's piece to its place in `receive`.
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: maxChunkElements * size, alignment: 16)
        defer { scratch.deallocate() }
        try forEachChunk(of: width) { offset, count in
            let chunk = Int(count)
            try MPI.allgather(source + offset, count: count, into: scratch.baseAddress!, on: handle, rank: worldRank)
            for r in 0..<size {
                (target + r * width + offset).copyMemory(from: scratch.baseAddress! + r * chunk, byteCount: chunk)
            }
        }
    }

    public func split(color: Int, key: Int) throws -> any Communicator {
        let arguments = try splitArguments(color: color, key: key, rank: worldRank)
        let child = try progress.track(.split) { try MPI.split(handle, color: arguments.color, key: arguments.key, rank: worldRank) }
        do {
            let communicator = try MPICommunicator(handle: child, ownsHandle: true, threadMultiple: supportsConcurrentCalls)
            communicator.maxChunkElements = maxChunkElements
            return communicator
        } catch {
            MPI.free(child)
            throw error
        }
    }

    public func sharedSegments(bytesPerRank: Int) throws -> (any SharedSegments)? {
        guard size > 1 else { return nil }
        if case .undecided = shared {
            let node = try MPI.splitShared(handle, key: Int32(rank), rank: worldRank)
            let nodeSize = try MPI.size(of: node, rank: worldRank)
            // Every rank of one node sees the whole group on it, or none does; the environment
            // switch is agreed too, so that no rank waits in a window the others never create.
            let usable = try allreduce(nodeSize == size && !sharedMemoryDisabled ? 1 : 0, op: .min) == 1
            if usable {
                shared = .available(node: node, segments: nil)
            } else {
                MPI.free(node)
                shared = .unavailable
            }
        }
        guard case .available(let node, let current) = shared else { return nil }
        if let current, current.bytesPerRank >= bytesPerRank { return current }
        // Grow by half again, so that a sweep of growing models allocates few windows.
        let bytes = max(bytesPerRank, (current?.bytesPerRank ?? 0) * 3 / 2)
        // A window larger than its file system's free space would fail at first touch with
        // SIGBUS (a container's /dev/shm is often 64 MB): check first, agree, fall back.
        let directory = SharedMemorySpace.directory
        let free = SharedMemorySpace.availableBytes(in: directory)
        let needed = size * (bytes + 4096 + 64)
        guard try allreduce(free >= needed ? 1 : 0, op: .min) == 1 else {
            if rank == 0 {
                writeWarningLine(
                    "shared memory: \(directory) has \(free >> 20) MiB free, \(size) ranks need \(needed >> 20) MiB; "
                        + "exchanging gradients with allreduce (give \(directory) more room, e.g. docker run --shm-size)")
            }
            shared = .unavailable  // and no second warning for the next model
            return nil
        }
        let segments = try MPISharedSegments(node: node, ranks: size, bytesPerRank: bytes, worldRank: worldRank, progress: progress)
        shared = .available(node: node, segments: segments)
        return segments
    }

    public func nodeGroups() throws -> NodeGroups? {
        if let groups { return groups }
        let answer = try splitByNode()
        groups = .some(answer)
        return answer
    }

    /// Writes the message naming this process's world rank and host, then ends every process
    /// of the job with `MPI_Abort` on `MPI_COMM_WORLD`, whichever communicator this is: ranks
    /// blocked in a collective with this one would otherwise wait forever.
    public func abort(message: String, code: Int32) -> Never {
        writeAbortLine(rank: worldRank, host: hostName, message: message)
        MPI.abortWorld(code: code)
    }

    // MARK: Point to point

    public func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int) throws {
        try checkPeer(destination, tag: tag, operation: "MPI_Send")
        guard bytes.count <= MPI.maxCount else {
            throw CommunicatorError.invalidArgument("MPI_Send", rank: worldRank, "messages are limited to \(MPI.maxCount) bytes")
        }
        try MPI.send(bytes.baseAddress, count: Int32(bytes.count), to: Int32(destination), tag: Int32(tag), on: handle, rank: worldRank)
    }

    public func probe(from source: Int?, tag: Int, wait: Bool) throws -> (source: Int, count: Int)? {
        if let source { try checkPeer(source, tag: tag, operation: "MPI_Probe") }
        return try MPI.probe(source: source.map(Int32.init), tag: Int32(tag), wait: wait, on: handle, rank: worldRank)
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int, tag: Int) throws {
        try checkPeer(source, tag: tag, operation: "MPI_Recv")
        try MPI.receive(buffer.baseAddress, count: Int32(buffer.count), from: Int32(source), tag: Int32(tag), on: handle, rank: worldRank)
    }

    private func checkPeer(_ peer: Int, tag: Int, operation: String) throws {
        guard (0..<size).contains(peer), (0...Int(Int16.max)).contains(tag) else {
            throw CommunicatorError.invalidArgument(operation, rank: worldRank, "peer \(peer) or tag \(tag) out of range")
        }
    }

    // MARK: Chunking

    private func allreduce(
        _ base: UnsafeMutableRawPointer?, count: Int, _ type: MPI.Datatype, _ op: ReduceOperation
    ) throws {
        guard let base else { return }
        let reduction: MPI.Op =
            switch op {
            case .sum, .average: .sum
            case .max: .max
            case .min: .min
            }
        try forEachChunk(of: count) { offset, chunk in
            try MPI.allreduceInPlace(base + offset * type.stride, count: chunk, type, reduction, on: handle, rank: worldRank)
        }
    }

    /// Calls `body(offset, count)` over `0..<total` in pieces of at most ``maxChunkElements``.
    private func forEachChunk(of total: Int, _ body: (Int, Int32) throws -> Void) rethrows {
        var offset = 0
        while offset < total {
            let count = min(maxChunkElements, total - offset)
            try body(offset, Int32(count))
            offset += count
        }
    }
}
