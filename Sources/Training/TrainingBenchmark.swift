import Foundation
import Learning
import RingmasterCore

/// Times the real training step (``DataParallelStep``) on synthetic data: throughput,
/// achieved GFLOP/s and the share of step time spent in the gradient allreduce.
public struct TrainingBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var ranks: Int
        public var features: Int
        public var hidden: [Int]
        public var classes: Int
        public var batchPerRank: Int
        public var steps: Int
        public var parameters: Int
        public var seconds: Double
        public var samplesPerSecond: Double
        public var gflops: Double
        /// Seconds in allreduce over seconds in the timed steps (slowest rank).
        public var allreduceFraction: Double
        /// Seconds per phase (forward, loss, backward, allreduce, optimizer) over the timed steps, slowest rank.
        public var phaseSeconds: [String: Double]
        public var blasThreads: Int
        /// How the ranks combined gradients: `allreduce` or `shared-memory`.
        public var gradientExchange: String

        enum CodingKeys: String, CodingKey {
            case ranks, features, hidden, classes, steps, parameters, seconds, gflops
            case batchPerRank = "batch_per_rank"
            case samplesPerSecond = "samples_per_sec"
            case allreduceFraction = "allreduce_fraction"
            case phaseSeconds = "phase_seconds"
            case blasThreads = "blas_threads"
            case gradientExchange = "gradient_exchange"
        }
    }

    public var features = 784
    public var hidden = [512, 512]
    public var classes = 10
    public var batch = 128
    public var steps = 200
    public var warmupSteps = 10
    public var learningRate = 0.01
    public var blasThreads = 1
    /// How ranks combine gradients (``GradientExchange``).
    public var exchange = GradientExchange.automatic
    /// Also write the timed steps as a Chrome trace here.
    public var timelinePath: String?

    public init() {}

    public func run(communicator comm: any Communicator) throws -> Result {
        let architecture = ModelArchitecture(
            kind: .mlp, inputs: features, outputs: classes, hidden: hidden, activation: .relu, dropout: 0,
            loss: .softmaxCrossEntropy)
        let network = Network(architecture: architecture, maxBatch: batch)
        var generator = RandomGenerator(seed: 1, stream: UInt64(comm.rank))
        network.initialize(rng: &generator)
        try comm.broadcast(UnsafeMutableRawBufferPointer(network.parameters), root: 0)
        let optimizer = Optimizer(
            configuration: OptimizerConfiguration(kind: .sgd, learningRate: learningRate, momentum: 0.9),
            parameterCount: network.parameterCount)
        // Synthetic classification data: class-dependent means so the loss actually falls.
        var inputs = [Float](repeating: 0, count: batch * features)
        var targets = [Float](repeating: 0, count: batch)
        for row in 0..<batch {
            let label = generator.nextIndex(below: classes)
            targets[row] = Float(label)
            for j in 0..<features {
                inputs[row * features + j] = Float(generator.nextNormal()) + (j % classes == label ? 1 : 0)
            }
        }
        let timeline = Timeline()
        let step = try DataParallelStep(
            network: network, optimizer: optimizer, communicator: comm, timeline: timeline, exchange: exchange)
        func runSteps(_ count: Int, _ step: DataParallelStep) throws {
            try inputs.withUnsafeBufferPointer { x in
                try targets.withUnsafeBufferPointer { y in
                    for _ in 0..<count {
                        _ = try step.step(input: x.baseAddress!, targets: y.baseAddress!, batch: batch,
                                          learningRate: Float(learningRate), generator: &generator)
                    }
                }
            }
        }
        let warmup = try DataParallelStep(
            network: network, optimizer: optimizer, communicator: comm, timeline: nil, exchange: exchange)
        try runSteps(warmupSteps, warmup)
        try comm.barrier()
        let start = DispatchTime.now().uptimeNanoseconds
        try runSteps(steps, step)
        try comm.barrier()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let seconds = try comm.allreduce(elapsed, op: .max)
        let allreduce = try comm.allreduce(timeline.seconds(in: .allreduce), op: .max)
        var phases: [String: Double] = [:]
        for phase in [Timeline.Phase.forward, .loss, .backward, .allreduce, .optimizer] {
            phases[phase.rawValue] = try comm.allreduce(timeline.seconds(in: phase), op: .max)
        }
        if let timelinePath { try timeline.write(to: URL(fileURLWithPath: timelinePath), communicator: comm) }

        var layerMACs = 0
        var width = features
        for h in hidden + [classes] {
            layerMACs += width * h
            width = h
        }
        // Forward is 2 FLOPs per multiply-accumulate; backward twice that (input and weight gradients).
        let samples = Double(steps * batch * comm.size)
        let flops = 6 * Double(layerMACs) * samples
        return Result(
            ranks: comm.size, features: features, hidden: hidden, classes: classes, batchPerRank: batch, steps: steps,
            parameters: network.parameterCount, seconds: seconds, samplesPerSecond: samples / seconds,
            gflops: flops / seconds / 1e9, allreduceFraction: allreduce / seconds, phaseSeconds: phases,
            blasThreads: blasThreads, gradientExchange: step.exchangeName)
    }
}
