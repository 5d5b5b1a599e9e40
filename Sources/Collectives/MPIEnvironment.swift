import Foundation
import RingmasterCore

/// MPI's process-wide state: MPI may be initialized once and finalized once per process, and
/// never initialized again, so this is a single instance behind ``initialize()``.
public final class MPIEnvironment: Sendable {
    /// `MPI_COMM_WORLD`: every process the launcher started.
    public let world: MPICommunicator
    /// Whether MPI provides `MPI_THREAD_MULTIPLE`, so two threads may call it at once.
    public let threadMultiple: Bool

    private init(world: MPICommunicator, threadMultiple: Bool) {
        self.world = world
        self.threadMultiple = threadMultiple
    }

    /// The environment from a successful ``initialize()`` until ``finalize()``, else nil.
    public static var current: MPIEnvironment? {
        lock.withLock { state }
    }

    /// Whether an MPI launcher started this process: Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`),
    /// a PMIx launcher such as `srun --mpi=pmix` (`PMIX_RANK`) or a PMI-1/2 one such as MPICH's
    /// Hydra (`PMI_RANK`, `PMI_SIZE`). Reads the environment only; initializes nothing.
    public static var launchedByMPI: Bool {
        launchedByMPI(environment: ProcessInfo.processInfo.environment)
    }

    /// ``launchedByMPI`` for a given environment.
    package static func launchedByMPI(environment: [String: String]) -> Bool {
        ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// Initializes MPI (`MPI_THREAD_MULTIPLE` where the library has it, at least
    /// `MPI_THREAD_SERIALIZED`) and returns the environment; later calls return the same one.
    ///
    /// Call it from the thread that will call ``finalize()`` (MPI's "main thread"); after that
    /// any one thread at a time may call MPI. Without a launcher MPI starts as a one-rank
    /// singleton. Throws ``CommunicatorError`` when MPI fails to start, provides a weaker thread
    /// level, or was already finalized in this process.
    public static func initialize() throws -> MPIEnvironment {
        try lock.withLock {
            if let state { return state }
            if MPI.isFinalized {
                throw CommunicatorError(
                    operation: "MPI_Init_thread", rank: 0, code: -1,
                    reason: "MPI was finalized in this process and cannot be initialized again")
            }
            // Initialized but not recorded: a previous attempt failed after MPI_Init_thread.
            let multiple = MPI.isInitialized ? false : try MPI.initializeThreaded()
            let environment = MPIEnvironment(
                world: try MPICommunicator(handle: .world, ownsHandle: false, threadMultiple: multiple), threadMultiple: multiple)
            state = environment
            return environment
        }
    }

    /// Finalizes MPI. Collective: every rank calls it once, from the thread that called
    /// ``initialize()``, after its last collective. No MPI communicator may be used afterwards;
    /// calling it again does nothing.
    public func finalize() throws {
        let actions = Self.lock.withLock { () -> [@Sendable () -> Void] in
            defer { Self.beforeFinalize = [] }
            return Self.state === self ? Self.beforeFinalize : []
        }
        for action in actions { action() }
        try Self.lock.withLock {
            guard Self.state === self else { return }
            Self.state = nil
            try MPI.finalize(rank: world.worldRank)
        }
    }

    /// Runs `action` at the start of ``finalize()``: a thread that calls MPI (the stall
    /// watchdog's) must end before MPI does.
    func onFinalize(_ action: @escaping @Sendable () -> Void) {
        Self.lock.withLock { Self.beforeFinalize.append(action) }
    }

    private static let lock = NSLock()
    /// Guarded by ``lock``.
    nonisolated(unsafe) private static var state: MPIEnvironment?
    /// Guarded by ``lock``.
    nonisolated(unsafe) private static var beforeFinalize: [@Sendable () -> Void] = []
}
