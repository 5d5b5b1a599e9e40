import Foundation
import RingmasterCore
import Training

/// A sweep as written in `SWEEP.yaml`: what each trial runs, the space searched, the
/// objective, the budget, and how configurations are proposed and trials stopped.
public struct SweepSpec: Sendable {
    /// What a trial runs.
    public enum Workload: Sendable {
        /// Data-parallel training of `base` with the trial's values set as `--set` overrides.
        case training(base: TrainingConfiguration)
        /// Any program, run on the group's leader: `{name}` in the template is replaced by the
        /// trial's value; it reports metrics on standard output.
        case command(template: String, timeout: Double?)
        /// A built-in test function (branin, hartmann6, …) evaluated at once: for checking
        /// samplers and measuring dispatch overhead without training.
        case function(String)
    }

    public enum SamplerKind: String, Sendable, CaseIterable {
        case random, grid, sobol, tpe
    }

    public struct SamplerSettings: Sendable, Equatable {
        public var kind: SamplerKind = .tpe
        /// TPE: random trials before modelling starts.
        public var startupTrials: Int?
        /// TPE: candidates scored per suggestion.
        public var candidates: Int?
        /// TPE: share of finished trials counted as good.
        public var gamma: Double?
        /// TPE: candidates drawn close to the best trial.
        public var localCandidates: Int?
        /// TPE: their width, a fraction of the best trial's kernel width.
        public var localWidth: Double?
        /// TPE: weight of the prior kernel.
        public var priorWeight: Double?
        /// TPE: every this many suggestions a coordinate move (0: none).
        public var moveEvery: Int?
        /// TPE: how far a move takes its parameter, a share of the range.
        public var moveDistance: Double?
        /// Grid: points per continuous parameter.
        public var gridResolution: Int = 5
    }

    public enum SchedulerKind: String, Sendable, CaseIterable {
        case none, median, asha, hyperband, pbt
    }

    public struct SchedulerSettings: Sendable, Equatable {
        public var kind: SchedulerKind = .none
        public var minResource: Int = 1
        /// Default: the base configuration's epochs.
        public var maxResource: Int?
        public var reductionFactor: Int = 3
        public var warmupResource: Int = 1
        public var minTrials: Int = 3
        public var perturbationInterval: Int = 2
        public var quantile: Double = 0.25
        public var resampleProbability: Double = 0.25
    }

    public var name: String
    public var workload: Workload
    public var space: SearchSpace
    /// Metric the trial reports (`validation_accuracy`, …).
    public var objective: String
    public var direction: OptimizationDirection
    public var maxTrials: Int?
    public var maxSeconds: Double?
    public var sampler: SamplerSettings
    public var scheduler: SchedulerSettings
    public var seed: UInt64
    /// The specification's text, recorded with the sweep.
    public var text: String

    /// The epochs (or reported steps) a trial may run at most.
    public var maxResource: Int {
        if let maxResource = scheduler.maxResource { return maxResource }
        if case .training(let base) = workload { return base.training.epochs }
        return 1
    }

    /// The experiment the trials' runs are recorded under.
    public var experiment: String {
        if case .training(let base) = workload { return base.experiment }
        return name
    }
}
