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
        let stopped = StopFlag()
        let objective = spec.objective
        let group = self.group, channel = self.channel
        options.epochHook = { epoch, metrics in
            guard let value = metrics[objective] else {
                throw TrainingError.invalidData(
                    "the sweep's objective '\(objective)' is not a training metric (training reports \(metrics.keys.sorted().joined(separator: ", ")))")
            }
            var proceed: [Float] = [1]
            if let channel, case .stop = try channel.ask(.report(trial: number, resource: epoch, value: value)) { proceed[0] = 0 }
            try group.broadcast(&proceed, root: 0)
            if proceed[0] == 0 { stopped.set() }
            return proceed[0] == 1
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
