import ArgumentParser
import Collectives
import Foundation
import RingmasterCore
import Tensors
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks; each prints one JSON object per line.",
        subcommands: [TrainBench.self, AllreduceBench.self, GEMMBench.self, BenchReproduce.self, StoreBench.self, BenchSampler.self])

    struct TrainBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train", abstract: "Training-step throughput of an MLP on synthetic data.")
        @Option var features = 784
        @Option(help: "Hidden widths, comma separated.") var hidden = "512,512"
        @Option var classes = 10
        @Option(help: "Rows per rank per step.") var batch = 128
        @Option var steps = 200
        @Option(help: "Write a Chrome trace of the timed steps.") var timeline: String?
        @Flag(help: "Run the stall watchdog (heartbeats every second) during the steps, as training does.")
        var watchdog = false
        @Option(help: "How ranks combine gradients: automatic (shared memory when all ranks share a node) or allreduce.")
        var exchange = "automatic"

        func run() throws {
            try World.run { comm in
                let watch = watchdog
                    ? try (comm as? MPICommunicator).flatMap { try StallWatchdog.start(on: $0, settings: .init()) } : nil
                defer { watch?.stop() }
                var bench = TrainingBenchmark()
                bench.features = features
                bench.hidden = try hidden.split(separator: ",").map {
                    guard let width = Int($0.trimmingCharacters(in: .whitespaces)), width > 0 else {
                        throw CLIError(message: "--hidden: '\($0)' is not a positive integer")
                    }
                    return width
                }
                bench.classes = classes
                bench.batch = batch
                bench.steps = steps
                bench.timelinePath = timeline
                bench.blasThreads = BLAS.threadCount
                guard let exchange = GradientExchange(rawValue: exchange) else {
                    throw CLIError(message: "--exchange: '\(exchange)' is not automatic or allreduce")
                }
                bench.exchange = exchange
                let result = try bench.run(communicator: comm)
                if comm.isRoot { print(try JSONOutput.line(result)) }
            }
        }
    }

    struct AllreduceBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allreduce", abstract: "Our allreduce beside raw MPI_Allreduce on the same buffers.")
        @Option(help: "Element counts (floats), comma separated.") var elements = "1024,65536,1048576,4194304"
        @Option var iterations = 50
        @Flag(help: "Run the stall watchdog (heartbeats every second) during the timing, as training does.")
        var watchdog = false

        func run() throws {
            let counts = try elements.split(separator: ",").map {
                guard let count = Int($0), count > 0 else { throw CLIError(message: "--elements: '\($0)' is not a positive count") }
                return count
            }
            // Always MPI, even on one rank: the point is to compare with raw MPI_Allreduce.
            let environment = try MPIEnvironment.initialize()
            let benchmark = AllreduceBenchmark(elementCounts: counts, iterations: iterations)
            if watchdog {
                _ = try StallWatchdog.start(on: environment.world, settings: .init())  // stopped by finalize()
            }
            do {
                for result in try benchmark.run(on: environment.world) where environment.world.isRoot {
                    print(try JSONOutput.line(result))
                }
            } catch {
                environment.world.abort(message: "\(error)", code: 1)
            }
            try environment.finalize()
        }
    }

    struct GEMMBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gemm", abstract: "Our GEMM path beside raw cblas_sgemm on the same buffers.")
        @Option(help: "Shapes as MxNxK, comma separated.") var shapes = "128x512x784,128x512x512,512x512x512"
        @Option var iterations = 50

        func run() throws {
            for shape in shapes.split(separator: ",") {
                let dims = shape.split(separator: "x").compactMap { Int($0) }
                guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
                    throw CLIError(message: "--shapes: '\(shape)' is not MxNxK")
                }
                let result = GEMMBenchmark.run(m: dims[0], n: dims[1], k: dims[2], iterations: iterations)
                print(try JSONOutput.line(result))
            }
        }
    }
}
