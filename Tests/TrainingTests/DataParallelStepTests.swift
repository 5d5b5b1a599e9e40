import Collectives
import Learning
import RingmasterCore
import Testing
import TestSupport
import Training

/// The two ways ranks combine gradients give the same training: through shared memory
/// (each rank averages and updates one slice, then copies the others) and through one
/// allreduce of the whole arena followed by a whole update on every rank. In-process groups
/// sum in rank order either way, so the weights and optimizer state agree to the bit.
@Suite struct DataParallelStepTests {
    static let rules: [OptimizerConfiguration] = [
        .init(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        .init(kind: .adam, learningRate: 0.01),
        .init(kind: .adamw, learningRate: 0.01, weightDecay: 0.1),
    ]

    struct RankResult: Sendable {
        var exchange: String
        var parameters: [Float]
        var state: OptimizerState
    }

    /// Five steps on `ranks` threads, every rank on its own random batch; `hosts` names each
    /// rank's node (default: all on this one).
    func train(
        ranks: Int, exchange: GradientExchange, rule: OptimizerConfiguration, clipNorm: Double = 0, hosts: [String]? = nil
    ) throws -> [RankResult] {
        try RankThreads.run(LocalCommunicator.group(size: ranks, stallTimeout: 30, hostNames: hosts)) { comm in
            let architecture = ModelArchitecture(
                kind: .mlp, inputs: 20, outputs: 5, hidden: [33, 17], activation: .relu, dropout: 0, loss: .softmaxCrossEntropy)
            let network = Network(architecture: architecture, maxBatch: 8)
            let optimizer = Optimizer(configuration: rule, parameterCount: network.parameterCount)
            let step = try DataParallelStep(
                network: network, optimizer: optimizer, communicator: comm, timeline: nil, clipNorm: clipNorm, exchange: exchange)
            var initial = RandomGenerator(seed: 1)
            network.initialize(rng: &initial)
            var generator = RandomGenerator(seed: 100, stream: UInt64(comm.rank))
            for _ in 0..<5 {
                let x = (0..<(8 * 20)).map { _ in generator.nextUnitFloat() * 2 - 1 }
                let y = (0..<8).map { _ in Float(generator.nextIndex(below: 5)) }
                _ = try step.step(input: x, targets: y, batch: 8, learningRate: Float(rule.learningRate), generator: &generator)
            }
            return RankResult(exchange: step.exchangeName, parameters: Array(network.parameters), state: step.optimizerState())
        }
    }

    @Test(arguments: rules, [2, 3, 4])
    func sharedMemoryMatchesAllreduce(rule: OptimizerConfiguration, ranks: Int) throws {
        let shared = try train(ranks: ranks, exchange: .automatic, rule: rule)
        let reduced = try train(ranks: ranks, exchange: .allreduce, rule: rule)
        #expect(shared.allSatisfy { $0.exchange == "shared-memory" } && reduced.allSatisfy { $0.exchange == "allreduce" })
        for rank in 0..<ranks {
            #expect(shared[rank].parameters == reduced[rank].parameters, "rank \(rank)'s weights differ")
            #expect(shared[rank].parameters == shared[0].parameters, "rank \(rank) ended with other weights than rank 0")
            #expect(shared[rank].state == reduced[rank].state, "rank \(rank)'s assembled optimizer state differs")
        }
    }

    /// With clipping the norm is summed per slice, so the scale may differ in the last bit.
    @Test func clippedStepsAgree() throws {
        let rule = Self.rules[0]
        let shared = try train(ranks: 3, exchange: .automatic, rule: rule, clipNorm: 0.05)
        let reduced = try train(ranks: 3, exchange: .allreduce, rule: rule, clipNorm: 0.05)
        let unclipped = try train(ranks: 3, exchange: .allreduce, rule: rule)
        let gap = zip(shared[0].parameters, reduced[0].parameters).map { abs($0 - $1) }.max() ?? .nan
        #expect(gap < 1e-6, "clipped weights differ by \(gap)")
        #expect(shared[2].parameters == shared[0].parameters)
        #expect(reduced[0].parameters != unclipped[0].parameters, "the norm limit never clipped")
    }

    /// Ranks on several nodes: each node's ranks sum their slices in shared memory, the
    /// ranks holding one slice on different nodes allreduce it. The sum is grouped by node,
    /// so the weights match the allreduce's to rounding, not to the bit.
    @Test(arguments: [["a", "a", "b", "b"], ["a", "b", "a", "b"], ["a", "a", "a", "b", "b", "b"]], rules)
    func hierarchicalExchangeMatchesAllreduce(hosts: [String], rule: OptimizerConfiguration) throws {
        let hierarchical = try train(ranks: hosts.count, exchange: .automatic, rule: rule, hosts: hosts)
        let reduced = try train(ranks: hosts.count, exchange: .allreduce, rule: rule, hosts: hosts)
        #expect(hierarchical.allSatisfy { $0.exchange == "hierarchical" })
        for rank in hosts.indices {
            #expect(hierarchical[rank].parameters == hierarchical[0].parameters, "rank \(rank) ended with other weights")
            let gap = zip(hierarchical[rank].parameters, reduced[rank].parameters).map { abs($0 - $1) }.max() ?? .nan
            #expect(gap < 1e-5, "rank \(rank)'s weights differ from the allreduce's by \(gap)")
            let state = hierarchical[rank].state, expected = reduced[rank].state
            #expect(state.step == expected.step && state.firstMoment.count == expected.firstMoment.count)
            let momentGap = zip(state.firstMoment + state.secondMoment, expected.firstMoment + expected.secondMoment)
                .map { abs($0 - $1) }.max() ?? 0
            #expect(momentGap < 1e-5, "rank \(rank)'s assembled moments differ by \(momentGap)")
        }
        let clipped = try train(ranks: hosts.count, exchange: .automatic, rule: rule, clipNorm: 0.05, hosts: hosts)
        let clippedReference = try train(ranks: hosts.count, exchange: .allreduce, rule: rule, clipNorm: 0.05, hosts: hosts)
        let gap = zip(clipped[0].parameters, clippedReference[0].parameters).map { abs($0 - $1) }.max() ?? .nan
        #expect(gap < 1e-5, "clipped weights differ by \(gap)")
    }

    /// One rank per node, or nodes of different sizes: nothing to share, the allreduce it is.
    @Test(arguments: [["a", "b"], ["a", "a", "b"]])
    func unevenOrSingleRankNodesUseTheAllreduce(hosts: [String]) throws {
        let result = try train(ranks: hosts.count, exchange: .automatic, rule: Self.rules[0], hosts: hosts)
        #expect(result.allSatisfy { $0.exchange == "allreduce" })
    }

    @Test func oneRankNeedsNoExchange() throws {
        let result = try train(ranks: 1, exchange: .automatic, rule: Self.rules[1])
        #expect(result[0].exchange == "allreduce")
    }
}
