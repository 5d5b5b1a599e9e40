import Foundation
import RingmasterCore
import Training

/// How one trial ended, as its group leader reports it.
struct TrialOutcome {
    var value: Double?
    var runID: String?
    var pruned: Bool
}

/// A flag the trainer's epoch hook sets when the scheduler stops the trial.
/// `@unchecked Sendable`: written and read only with `lock` held.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    var isSet: Bool { lock.withLock { stopped } }
    func set() { lock.withLock { stopped = true } }
}

/// Runs one trial's training data-parallel on the group's ranks, asking the coordinator
/// after every epoch whether to go on (one decision, broadcast inside the group).
struct TrainingTrial {
    let base: TrainingConfiguration
    let spec: SweepSpec
    let sweepID: String
    let group: any Communicator
    /// Group leader only.
    let channel: CoordinatorChannel?
    let store: (any MetadataStore)?
    let workDirectory: URL
    let environment: [String: String]

    func run(number: Int, params: ParameterAssignment, maxResource: Int) throws -> TrialOutcome {
        let overrides = params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + ["training.epochs=\(maxResource)"]
        let config = try group.agreeing {
            try ConfigurationLoader.parse(yaml: base.yaml, file: "trial \(number)", overrides: overrides)
        }
        var options = TrainingOptions(workDirectory: workDirectory)
        options.tags = ["ringmaster.sweep": sweepID, "ringmaster.trial": "\(number)"]
        options.environment = environment
        options.watchSignals = false
        let stopped = StopFlag()
        let objective = spec.objective
        let group = self.group, channel = self.channel
        // Population-based training hands weights between trials at its perturbation interval.
        let shareEvery = spec.scheduler.kind == .pbt ? spec.scheduler.perturbationInterval : nil
        let current = config
        options.epochHook = { context in
            guard let value = context.metrics[objective] else {
                throw TrainingError.invalidData(
                    "the sweep's objective '\(objective)' is not a training metric (training reports \(context.metrics.keys.sorted().joined(separator: ", ")))")
            }
            // The leader asks; its answer reaches the group's other ranks as bytes.
            var answer = Data()
            if let channel {
                let state = shareEvery.flatMap { context.epoch % $0 == 0 ? try? context.exportState() : nil }
                answer = try SweepProtocol.encode(try channel.ask(.report(trial: number, resource: context.epoch, value: value, state: state)))
            }
            switch try SweepProtocol.decode(SweepReply.self, try group.broadcast(answer, root: 0)) {
            case .stop:
                stopped.set()
                return .stop
            case .exploit(let state, let params):
                let perturbed = try ConfigurationLoader.parse(
                    yaml: current.yaml, file: "trial \(number)",
                    overrides: params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                return .replace(state: state, optimizer: perturbed.optimizer)
            default:
                return .proceed
            }
        }
        let result = try Trainer(configuration: config, communicator: group, store: store, options: options).run()
        return TrialOutcome(value: result.validation.metrics[objective], runID: result.runID, pruned: stopped.isSet)
    }
}

/// Evaluates a built-in test function: no training, for sampler checks and dispatch overhead.
struct FunctionTrial {
    let function: BenchmarkFunction

    func run(params: ParameterAssignment) -> TrialOutcome {
        TrialOutcome(value: function.value(at: params), runID: nil, pruned: false)
    }
}
