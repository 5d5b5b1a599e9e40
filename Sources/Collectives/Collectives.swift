import Foundation
import RingmasterCore

/// How a process gets its job's communicator, and gives it back at exit.
public enum Collectives {
    /// The communicator spanning the whole job.
    ///
    /// Under `mpirun` (see ``MPIEnvironment/launchedByMPI``) this initializes MPI and returns
    /// the ``MPICommunicator`` over `MPI_COMM_WORLD`; otherwise it returns a single-rank
    /// ``LocalCommunicator`` without touching MPI, so that `ringmaster train` started on its own
    /// neither pays for MPI start-up nor needs a launcher. Call it from the thread that will
    /// call ``shutdown()``; later calls return the same MPI world.
    public static func makeWorld() throws -> any Communicator {
        if MPIEnvironment.launchedByMPI {
            return try MPIEnvironment.initialize().world
        }
        return LocalCommunicator()
    }

    /// Facts about the collective backend for run records: implementation and version.
    public static func describe(_ comm: any Communicator) -> [String: String] {
        if comm is MPICommunicator {
            return ["mpi_library": MPI.libraryVersion(), "collectives": "mpi"]
        }
        return ["collectives": "local"]
    }

    /// Finalizes MPI if ``makeWorld()`` initialized it; otherwise does nothing.
    ///
    /// Collective under MPI: every rank calls it once, at exit, from the thread that called
    /// ``makeWorld()``. No MPI communicator may be used afterwards.
    public static func shutdown() throws {
        try MPIEnvironment.current?.finalize()
    }
}

// Behaviour both communicators share, so that a job behaves the same with or without MPI.

/// Writes `ringmaster: rank R (host H): message` to standard error as one line in one
/// `write`, so that lines from ranks sharing a terminal do not interleave, and before the
/// caller ends the process so that the line is not lost with unflushed buffers.
func writeAbortLine(rank: Int, host: String, message: String) {
    let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    let line = "ringmaster: rank \(rank) (host \(host)): \(flat)\n"
    fflush(nil)  // every C stream, so that output printed earlier is not lost either
    FileHandle.standardError.write(Data(line.utf8))
}

/// Writes `ringmaster: warning: message` to standard error in one `write`.
func writeWarningLine(_ message: String) {
    FileHandle.standardError.write(Data("ringmaster: warning: \(message)\n".utf8))
}

/// Whether `RINGMASTER_SHARED_MEMORY=off` turned shared segments off for this process:
/// ``Communicator/sharedSegments(bytesPerRank:)`` then answers nil, and training exchanges
/// gradients with allreduce.
let sharedMemoryDisabled = ProcessInfo.processInfo.environment["RINGMASTER_SHARED_MEMORY"] == "off"

/// Divides every element by the communicator size: `average` is defined as the sum divided
/// by the size, exactly, on every implementation. For a power-of-two size the reciprocal is
/// exact, so multiplying by it gives the same bits as dividing, at a fraction of the cost
/// (measured: dividing made a 2-rank average of 1 Mi floats about 20 % slower).
func divide<T: BinaryFloatingPoint>(_ buffer: UnsafeMutableBufferPointer<T>, by size: Int) {
    if size.nonzeroBitCount == 1 {
        let reciprocal = 1 / T(size)
        for index in buffer.indices { buffer[index] *= reciprocal }
    } else {
        let divisor = T(size)
        for index in buffer.indices { buffer[index] /= divisor }
    }
}

extension CommunicatorError {
    /// A caller mistake caught before any rank committed to the collective.
    static func invalidArgument(_ operation: String, rank: Int, _ reason: String) -> CommunicatorError {
        CommunicatorError(operation: operation, rank: rank, code: -1, reason: reason)
    }
}

/// Checks `split` arguments the way MPI does (a colour of at least 0, both in C `int`), so that
/// both implementations accept exactly the same calls.
func splitArguments(color: Int, key: Int, rank: Int) throws -> (color: Int32, key: Int32) {
    guard let color32 = Int32(exactly: color), color32 >= 0, let key32 = Int32(exactly: key) else {
        throw CommunicatorError.invalidArgument(
            "split", rank: rank, "color must be in 0...\(Int32.max) and key in Int32's range; got color \(color), key \(key)")
    }
    return (color32, key32)
}

/// This machine's host name, for messages.
func localHostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "unknown" }
    return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
