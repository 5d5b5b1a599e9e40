// Multi-rank checks of the MPI communicator, launched under `mpirun` by CollectivesTests.
//
//   ringmaster-parallel-checks                      conformance suite on MPI_COMM_WORLD, from a
//                                                   thread other than the one that initialized
//                                                   MPI; prints "rank R/N: K checks passed"
//   ringmaster-parallel-checks --fail-on-rank R     rank R fails while the others wait in an
//                                                   allreduce; the job must abort, not hang
//   ringmaster-parallel-checks --describe-error C   prints the CommunicatorError for MPI code C
//   ringmaster-parallel-checks --bench-allreduce [--elements N,N,...] [--iterations K]
//                                                   rank 0 prints one JSON object per size
import Collectives
import Foundation
import RingmasterCore
import TestSupport

enum Mode {
    case conformance
    case failOnRank(Int)
    case describeError(Int32)
    case benchmark(AllreduceBenchmark)
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

struct InjectedFailure: Error, CustomStringConvertible {
    var step: Int
    var description: String { "injected failure at step \(step), after \(step) allreduces" }
}

func parse(_ arguments: [String]) throws -> Mode {
    var failingRank: Int?
    var errorCode: Int32?
    var benchmarking = false
    var benchmark = AllreduceBenchmark()
    var rest = arguments[...]
    func numbers(after flag: String) throws -> [Int] {
        let parts = rest.popFirst()?.split(separator: ",") ?? []
        let values = parts.compactMap { Int($0) }
        guard !values.isEmpty, values.count == parts.count else {
            throw UsageError(description: "\(flag) needs a number or a comma-separated list of numbers")
        }
        return values
    }
    while let flag = rest.popFirst() {
        switch flag {
        case "--fail-on-rank": failingRank = try numbers(after: flag)[0]
        case "--describe-error": errorCode = Int32(try numbers(after: flag)[0])
        case "--bench-allreduce": benchmarking = true
        case "--elements": benchmark.elementCounts = try numbers(after: flag)
        case "--iterations": benchmark.iterations = try numbers(after: flag)[0]
        default: throw UsageError(description: "unknown argument \(flag)")
        }
    }
    if let failingRank { return .failOnRank(failingRank) }
    if let errorCode { return .describeError(errorCode) }
    return benchmarking ? .benchmark(benchmark) : .conformance
}

/// Every rank runs a few steps of allreduce; `failingRank` throws at step 2, when the others
/// are already inside that step's allreduce, so only an abort can end them.
func failMidway(on world: MPICommunicator, failingRank: Int) throws {
    var gradients = [Float](repeating: 1, count: 1024)
    for step in 0..<4 {
        if world.rank == failingRank && step == 2 {
            throw InjectedFailure(step: step)
        }
        try world.allreduce(&gradients, op: .average)
    }
}

/// Results a worker thread hands back. `@unchecked Sendable`: written by the worker before it
/// signals, read by the waiter after, never both at once.
final class Handoff<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

/// Runs `body` on a new thread and waits for it: the trainer may drive MPI from a thread
/// other than the one that initialized it, which is why MPI runs at MPI_THREAD_SERIALIZED.
func onAnotherThread<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let handoff = Handoff<T>()
    let done = DispatchSemaphore(value: 0)
    Thread {
        handoff.value = Result { try body() }
        done.signal()
    }.start()
    done.wait()
    return try handoff.value!.get()
}

let mode: Mode
do {
    mode = try parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("ringmaster-parallel-checks: \(error)\n".utf8))
    exit(2)
}

let environment: MPIEnvironment
do {
    environment = try MPIEnvironment.initialize()
} catch {
    FileHandle.standardError.write(Data("ringmaster-parallel-checks: \(error)\n".utf8))
    exit(1)
}
let world = environment.world

do {
    switch mode {
    case .conformance:
        let passed = try onAnotherThread {
            try CommunicatorConformance.run(on: world, chunkLimiter: world.withMaxChunkElements)
        }
        print("rank \(world.rank)/\(world.size): \(passed.count) checks passed")
    case .failOnRank(let rank):
        try failMidway(on: world, failingRank: rank)
        print("rank \(world.rank)/\(world.size): no rank failed")

    case .describeError(let code):
        // MPI_Error_string works only once MPI is initialized, hence a mode rather than a unit test.
        print(CommunicatorError.mpi(code: code, operation: "MPI_Bcast", rank: world.worldRank))
    case .benchmark(let benchmark):
        let results = try benchmark.run(on: world)
        if world.isRoot {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for result in results { print(String(decoding: try encoder.encode(result), as: UTF8.self)) }
        }
    }
    fflush(nil)
    try environment.finalize()
} catch {
    world.abort(message: "\(error)", code: 1)
}
