import CMPI
import Foundation
import RingmasterCore

/// Every Open MPI call in the project, each a thin wrapper that turns a return code into a
/// ``CommunicatorError`` carrying `MPI_Error_string`, the call's name and the caller's rank.
///
/// Nothing else imports `CMPI`: the rest of the module speaks in ``Comm``, ``Datatype`` and
/// ``Op``, so the C handle types never leak past this file. Wrappers take `rank` only to name
/// the failing process in the error; they do not validate arguments (callers do, before every
/// rank commits to the collective).
enum MPI {
    /// A communicator handle.
    ///
    /// `@unchecked Sendable`: the handle is an immutable pointer to an Open MPI object; MPI is
    /// initialized at `MPI_THREAD_SERIALIZED`, and the owner (``MPICommunicator``) lets only
    /// one thread call through a handle at a time.
    struct Comm: @unchecked Sendable {
        fileprivate let raw: MPI_Comm

        /// `MPI_COMM_WORLD`, which MPI owns and which must never be freed.
        static var world: Comm { Comm(raw: cmpi_comm_world()) }
    }

    /// The element types the module sends.
    enum Datatype {
        case float, double, byte

        /// Bytes per element.
        var stride: Int {
            switch self {
            case .float: MemoryLayout<Float>.stride
            case .double: MemoryLayout<Double>.stride
            case .byte: 1
            }
        }

        fileprivate var raw: MPI_Datatype {
            switch self {
            case .float: cmpi_float()
            case .double: cmpi_double()
            case .byte: cmpi_byte()
            }
        }
    }

    /// The reductions MPI performs; averaging is a sum followed by a division, done by the caller.
    enum Op {
        case sum, max, min

        fileprivate var raw: MPI_Op {
            switch self {
            case .sum: cmpi_op_sum()
            case .max: cmpi_op_max()
            case .min: cmpi_op_min()
            }
        }
    }

    /// The largest element count one call accepts: MPI counts are C `int`.
    static let maxCount = Int(Int32.max)

    // MARK: Environment

    static var isInitialized: Bool {
        var flag: Int32 = 0
        MPI_Initialized(&flag)
        return flag != 0
    }

    static var isFinalized: Bool {
        var flag: Int32 = 0
        MPI_Finalized(&flag)
        return flag != 0
    }

    /// Initializes MPI asking for `MPI_THREAD_MULTIPLE` (a sweep's coordinator thread talks to
    /// the group leaders while the same process trains) and requiring at least
    /// `MPI_THREAD_SERIALIZED` (the trainer calls MPI from one thread at a time, which need not
    /// be the main thread). Returns whether MULTIPLE was provided. `argc`/`argv` are passed as
    /// NULL, which MPI-2 and later allow; Open MPI reads its settings from the environment.
    static func initializeThreaded() throws -> Bool {
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, cmpi_thread_multiple(), &provided), "MPI_Init_thread", rank: 0)
        if provided < cmpi_thread_serialized() {
            throw CommunicatorError(
                operation: "MPI_Init_thread", rank: 0, code: -1,
                reason: "the MPI library provides thread level \(provided), below MPI_THREAD_SERIALIZED;"
                    + " use an Open MPI build with thread support")
        }
        return provided >= cmpi_thread_multiple()
    }

    static func finalize(rank: Int) throws {
        try check(MPI_Finalize(), "MPI_Finalize", rank: rank)
    }

    /// Seconds on MPI's high-resolution wall clock.
    static func wallTime() -> Double { MPI_Wtime() }

    /// The MPI library's own version line (callable before `MPI_Init`).
    static func libraryVersion() -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == cmpi_success() else { return "unknown" }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(whereSeparator: { $0 == "\n" || $0 == "," }).first.map(String.init) ?? text
    }

    static func processorName(rank: Int) throws -> String {
        var name = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
        var length: Int32 = 0
        try check(MPI_Get_processor_name(&name, &length), "MPI_Get_processor_name", rank: rank)
        return String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Ends every process of the job; `MPI_Abort` does not return.
    static func abortWorld(code: Int32) -> Never {
        MPI_Abort(cmpi_comm_world(), code)
        exit(code)
    }

    // MARK: Communicators

    /// Makes errors on `comm` come back as return codes instead of aborting the job, so that
    /// they surface as ``CommunicatorError``s.
    static func returnErrors(on comm: Comm, rank: Int) throws {
        try check(MPI_Comm_set_errhandler(comm.raw, cmpi_errors_return()), "MPI_Comm_set_errhandler", rank: rank)
    }

    /// This process's rank in `comm`; a failure reports rank -1, as the rank is what is unknown.
    static func rank(of comm: Comm) throws -> Int {
        var value: Int32 = 0
        try check(MPI_Comm_rank(comm.raw, &value), "MPI_Comm_rank", rank: -1)
        return Int(value)
    }

    static func size(of comm: Comm, rank: Int) throws -> Int {
        var value: Int32 = 0
        try check(MPI_Comm_size(comm.raw, &value), "MPI_Comm_size", rank: rank)
        return Int(value)
    }

    static func split(_ comm: Comm, color: Int32, key: Int32, rank: Int) throws -> Comm {
        var result: MPI_Comm? = cmpi_comm_null()
        try check(MPI_Comm_split(comm.raw, color, key, &result), "MPI_Comm_split", rank: rank)
        return Comm(raw: result!)
    }

    /// A new communicator over the same group whose messages never match `comm`'s: the stall
    /// watchdog's heartbeats travel on one so they cannot mix with training traffic.
    static func duplicate(_ comm: Comm, rank: Int) throws -> Comm {
        var result: MPI_Comm? = cmpi_comm_null()
        try check(MPI_Comm_dup(comm.raw, &result), "MPI_Comm_dup", rank: rank)
        return Comm(raw: result!)
    }

    static func free(_ comm: Comm) {
        var raw: MPI_Comm? = comm.raw
        MPI_Comm_free(&raw)
    }

    // MARK: Collectives

    /// Combines `count` elements at `buffer` across ranks in place (`MPI_IN_PLACE`).
    static func allreduceInPlace(
        _ buffer: UnsafeMutableRawPointer, count: Int32, _ type: Datatype, _ op: Op, on comm: Comm, rank: Int
    ) throws {
        try check(
            MPI_Allreduce(cmpi_in_place(), buffer, count, type.raw, op.raw, comm.raw), "MPI_Allreduce", rank: rank)
    }

    static func broadcast(_ buffer: UnsafeMutableRawPointer, count: Int32, root: Int32, on comm: Comm, rank: Int) throws {
        try check(MPI_Bcast(buffer, count, cmpi_byte(), root, comm.raw), "MPI_Bcast", rank: rank)
    }

    static func barrier(on comm: Comm, rank: Int) throws {
        try check(MPI_Barrier(comm.raw), "MPI_Barrier", rank: rank)
    }

    /// Gathers `count` bytes from every rank into `receive`, rank by rank.
    static func allgather(
        _ send: UnsafeRawPointer, count: Int32, into receive: UnsafeMutableRawPointer, on comm: Comm, rank: Int
    ) throws {
        try check(
            MPI_Allgather(send, count, cmpi_byte(), receive, count, cmpi_byte(), comm.raw), "MPI_Allgather", rank: rank)
    }

    // MARK: Point to point

    static func send(_ buffer: UnsafeRawPointer?, count: Int32, to destination: Int32, tag: Int32, on comm: Comm, rank: Int) throws {
        try check(MPI_Send(buffer, count, cmpi_byte(), destination, tag, comm.raw), "MPI_Send", rank: rank)
    }

    /// `MPI_Probe` (waiting) or `MPI_Iprobe`: the source and byte count of a pending message.
    static func probe(source: Int32?, tag: Int32, wait: Bool, on comm: Comm, rank: Int) throws -> (source: Int, count: Int)? {
        var status = MPI_Status()
        var flag: Int32 = 1
        let from = source ?? cmpi_any_source()
        if wait {
            try check(MPI_Probe(from, tag, comm.raw, &status), "MPI_Probe", rank: rank)
        } else {
            try check(MPI_Iprobe(from, tag, comm.raw, &flag, &status), "MPI_Iprobe", rank: rank)
        }
        guard flag != 0 else { return nil }
        var count: Int32 = 0
        try check(MPI_Get_count(&status, cmpi_byte(), &count), "MPI_Get_count", rank: rank)
        return (Int(status.MPI_SOURCE), Int(count))
    }

    static func receive(_ buffer: UnsafeMutableRawPointer?, count: Int32, from source: Int32, tag: Int32, on comm: Comm, rank: Int) throws {
        try check(MPI_Recv(buffer, count, cmpi_byte(), source, tag, comm.raw, cmpi_status_ignore()), "MPI_Recv", rank: rank)
    }

    // MARK: Non-blocking point to point

    /// An outstanding non-blocking operation.
    ///
    /// `@unchecked Sendable`: a pointer to an Open MPI request object, used only by the thread
    /// that started the operation (the stall watchdog's).
    struct Request: @unchecked Sendable {
        fileprivate var raw: MPI_Request?

        static var null: Request { Request(raw: cmpi_request_null()) }
    }

    /// `MPI_Isend` of `count` bytes; `buffer` must stay valid until the request completes.
    static func startSend(
        _ buffer: UnsafeRawPointer, count: Int32, to destination: Int32, tag: Int32, on comm: Comm, rank: Int
    ) throws -> Request {
        var request = Request.null
        try check(MPI_Isend(buffer, count, cmpi_byte(), destination, tag, comm.raw, &request.raw), "MPI_Isend", rank: rank)
        return request
    }

    /// `MPI_Test`: whether the operation completed (a null request counts as complete); a
    /// completed request becomes null.
    static func test(_ request: inout Request, rank: Int) throws -> Bool {
        var flag: Int32 = 0
        try check(MPI_Test(&request.raw, &flag, cmpi_status_ignore()), "MPI_Test", rank: rank)
        return flag != 0
    }

    /// `MPI_Request_free`: lets an unfinished send complete on its own, without waiting for it.
    static func release(_ request: inout Request) {
        if request.raw != cmpi_request_null() { MPI_Request_free(&request.raw) }
    }

    // MARK: Shared memory

    /// A window of memory that every rank of a node communicator loads and stores directly.
    ///
    /// `@unchecked Sendable` for the same reason as ``Comm``: an immutable handle, driven by
    /// one thread at a time.
    struct Window: @unchecked Sendable {
        fileprivate let raw: MPI_Win
    }

    /// The ranks of `comm` that share memory with this one (`MPI_Comm_split_type` with
    /// `MPI_COMM_TYPE_SHARED`), ordered by `key`.
    static func splitShared(_ comm: Comm, key: Int32, rank: Int) throws -> Comm {
        var child: MPI_Comm?
        try check(
            MPI_Comm_split_type(comm.raw, cmpi_comm_type_shared(), key, cmpi_info_null(), &child),
            "MPI_Comm_split_type", rank: rank)
        return Comm(raw: child!)
    }

    /// Allocates `bytes` of shared memory on every rank of the node communicator `comm`
    /// (`MPI_Win_allocate_shared`) and opens a passive access epoch on all of them, so that
    /// ranks load and store each other's segments, ordered by ``sync(_:rank:)`` and barriers.
    /// Returns the window and each rank's segment, by rank.
    static func allocateShared(bytes: Int, on comm: Comm, ranks: Int, rank: Int) throws -> (Window, [UnsafeMutableRawPointer]) {
        var base: UnsafeMutableRawPointer?
        var window: MPI_Win?
        try withUnsafeMutablePointer(to: &base) { pointer in
            try check(
                MPI_Win_allocate_shared(MPI_Aint(bytes), 1, cmpi_info_null(), comm.raw, pointer, &window),
                "MPI_Win_allocate_shared", rank: rank)
        }
        var segments: [UnsafeMutableRawPointer] = []
        for peer in 0..<ranks {
            var size: MPI_Aint = 0
            var unit: Int32 = 0
            var segment: UnsafeMutableRawPointer?
            try withUnsafeMutablePointer(to: &segment) { pointer in
                try check(MPI_Win_shared_query(window, Int32(peer), &size, &unit, pointer), "MPI_Win_shared_query", rank: rank)
            }
            segments.append(segment!)
        }
        try check(MPI_Win_lock_all(cmpi_mode_nocheck(), window), "MPI_Win_lock_all", rank: rank)
        return (Window(raw: window!), segments)
    }

    /// Makes this rank's stores to the window visible to the others and theirs to it (`MPI_Win_sync`).
    static func sync(_ window: Window, rank: Int) throws {
        try check(MPI_Win_sync(window.raw), "MPI_Win_sync", rank: rank)
    }

    // MARK: Errors

    private static func check(_ code: Int32, _ operation: String, rank: Int) throws {
        guard code != cmpi_success() else { return }
        throw CommunicatorError.mpi(code: code, operation: operation, rank: rank)
    }
}

extension CommunicatorError {
    /// The error for MPI return code `code` from `operation` on `rank`, with MPI's own text.
    package static func mpi(code: Int32, operation: String, rank: Int) -> CommunicatorError {
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        let reason =
            MPI_Error_string(code, &text, &length) == cmpi_success()
            ? String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "MPI error code \(code)"
        return CommunicatorError(operation: operation, rank: rank, code: code, reason: reason)
    }
}
