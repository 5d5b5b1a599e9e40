import Foundation
import Learning
import RingmasterCore

/// What the `optimizer` section of a configuration sets up for a run: the optimizer, the
/// data-parallel step that applies it, the base learning rate and its schedule. Rebuilt
/// when population-based training changes those hyperparameters in the middle of a run.
struct UpdateRule {
    let optimizer: Optimizer
    let stepper: DataParallelStep
    let baseRate: Double
    let schedule: LearningRateSchedule

    /// Collective over `comm` (see ``DataParallelStep``).
    init(_ section: TrainingConfiguration.OptimizerSection, network: Network, communicator comm: any Communicator,
         timeline: Timeline?) throws {
        optimizer = Optimizer(
            configuration: OptimizerConfiguration(
                kind: section.kind, learningRate: section.learningRate, momentum: section.momentum,
                nesterov: section.nesterov, weightDecay: section.weightDecay),
            parameterCount: network.parameterCount)
        stepper = try DataParallelStep(
            network: network, optimizer: optimizer, communicator: comm, timeline: timeline, clipNorm: section.clipNorm)
        baseRate = section.learningRate * (section.scaleLearningRate ? Double(comm.size) : 1)
        schedule = LearningRateSchedule(
            kind: section.schedule, stepEpochs: section.stepEpochs, gamma: section.gamma,
            minLearningRate: section.minLearningRate, warmupEpochs: section.warmupEpochs)
    }

    /// `header` completed with the parameters and optimizer state.
    func checkpoint(_ header: Checkpoint.Header, network: Network) -> Checkpoint {
        var header = header
        let state = stepper.optimizerState()
        header.optimizerStep = state.step
        return Checkpoint(header: header, arrays: [
            ("parameters", Array(network.parameters)),
            ("optimizer.first_moment", state.firstMoment),
            ("optimizer.second_moment", state.secondMoment),
        ])
    }

    /// The weights and optimizer state alone, for handing to another trial.
    func snapshot(of network: Network, epoch: Int, step: Int) -> Checkpoint {
        checkpoint(Checkpoint.Header(
            runID: "", configFingerprint: "", ranks: 0, epoch: epoch, step: step, generatorStates: [], optimizerStep: 0,
            bestValidationLoss: .infinity, epochsWithoutImprovement: 0), network: network)
    }

    /// Loads parameters and optimizer state saved by ``checkpoint(_:network:)``.
    func restore(_ checkpoint: Checkpoint, into network: Network) {
        _ = network.parameters.update(fromContentsOf: checkpoint.arrays["parameters"]!)
        optimizer.state = OptimizerState(
            step: checkpoint.header.optimizerStep, firstMoment: checkpoint.arrays["optimizer.first_moment"] ?? [],
            secondMoment: checkpoint.arrays["optimizer.second_moment"] ?? [])
    }
}

/// What a run tells its ``TrainingOptions/epochHook`` after each epoch.
public struct EpochContext {
    /// Epochs completed, from 1.
    public let epoch: Int
    /// Validation metrics by recorded name (`validation_accuracy`, …).
    public let metrics: [String: Double]
    /// The weights and optimizer state now, encoded, for another trial to continue from.
    public let exportState: () throws -> Data
}

/// The hook's answer.
public enum EpochDecision: Sendable {
    case proceed
    /// End training after this epoch.
    case stop
    /// Continue from `state` (another trial's ``EpochContext/exportState``) with a new optimizer section.
    case replace(state: Data, optimizer: TrainingConfiguration.OptimizerSection)
}
