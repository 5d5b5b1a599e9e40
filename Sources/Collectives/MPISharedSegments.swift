import Foundation
import RingmasterCore

/// ``SharedSegments`` for an ``MPICommunicator`` whose ranks all run on one node: an MPI
/// shared-memory window (`MPI_Win_allocate_shared`) over a node communicator, with a passive
/// access epoch open on every rank, so ranks load and store each other's segments directly.
///
/// Windows are never freed: `MPI_Win_free` is collective, and a window's memory may still be
/// in use by objects (a network's parameter arena) that ranks release at different points.
/// An owner asks for segments once per model size, and ``MPICommunicator`` reuses the
/// largest window so far, so a process keeps at most a few windows, freed when it exits.
///
/// `@unchecked Sendable`: immutable after init; ``synchronize()`` is collective and called
/// by the thread that drives the communicator, as every collective is.
final class MPISharedSegments: SharedSegments, @unchecked Sendable {
    let segments: [UnsafeMutableRawPointer]
    let bytesPerRank: Int
    private let window: MPI.Window
    private let node: MPI.Comm
    private let worldRank: Int
    private let progress: CollectiveProgress

    /// Allocates `bytesPerRank` (rounded up to whole pages) on every rank of `node`, which
    /// must span the same ranks as the communicator it was split from. Collective over `node`.
    init(node: MPI.Comm, ranks: Int, bytesPerRank: Int, worldRank: Int, progress: CollectiveProgress) throws {
        let rounded = (bytesPerRank + 4095) / 4096 * 4096
        // Open MPI packs the ranks' segments back to back, not necessarily on cache lines:
        // each gets 64 bytes more and starts at its first 64-byte boundary. Mappings are
        // page-aligned, so every process finds the same boundary.
        let (window, segments) = try MPI.allocateShared(bytes: rounded + 64, on: node, ranks: ranks, rank: worldRank)
        self.window = window
        self.segments = segments.map { $0.alignedUp(toMultipleOf: 64) }
        self.bytesPerRank = rounded
        self.node = node
        self.worldRank = worldRank
        self.progress = progress
        // MPI does not promise zeroed memory; each rank clears its own segment.
        segments[try MPI.rank(of: node)].initializeMemory(as: UInt8.self, repeating: 0, count: rounded)
        try synchronize()
    }

    func synchronize() throws {
        try progress.track(.synchronize) {
            try MPI.sync(window, rank: worldRank)
            try MPI.barrier(on: node, rank: worldRank)
            try MPI.sync(window, rank: worldRank)
        }
    }
}

/// Where Open MPI keeps the files behind shared-memory windows, and how much room is left.
enum SharedMemorySpace {
    /// `osc_sm_backing_directory` as the environment sets it, else Open MPI's Linux default.
    static var directory: String {
        ProcessInfo.processInfo.environment["OMPI_MCA_osc_sm_backing_directory"] ?? "/dev/shm"
    }

    /// Bytes an unprivileged writer may still use in `directory`'s file system (0 if unknown).
    static func availableBytes(in directory: String) -> Int {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return 0 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }
}
