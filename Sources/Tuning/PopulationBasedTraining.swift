import RingmasterCore

/// Population-based training (Jaderberg et al. 2017, "Population Based Training of Neural
/// Networks"; the asynchronous form of Ray Tune's `PopulationBasedTraining`).
///
/// The population is every running trial, ranked by its latest intermediate value (the
/// reporting trial by the value it reports now). Every `perturbationInterval` epochs of its own,
/// a trial is ranked: if it is in the bottom `quantile` it is told to
/// ``SchedulerDecision/exploit(source:params:)`` a trial drawn uniformly from the top
/// `quantile` (copy its weights) and to continue with an explored copy of that trial's
/// parameters (see ``explore(_:space:resampleProbability:generator:)``). Trials in the top and
/// the middle continue, and none is ever stopped. Each quantile holds
/// `min(⌈n · quantile⌉, ⌊n/2⌋)` trials, so the two never overlap and a trial never exploits
/// itself; with fewer than two trials ranked, everybody continues.
///
/// Ties rank by trial number; a NaN value ranks last. Random draws come from one generator
/// seeded with `seed`, used only when a trial exploits, so decisions are a function of the
/// seed and the sequence of calls.
public final class PopulationBasedTraining: Scheduler {
    /// Epochs of its own training between two rankings of a trial.
    public let perturbationInterval: Int
    /// Fraction of the population in the top and in the bottom group.
    public let quantile: Double
    /// Probability that an explored parameter is drawn afresh from its distribution.
    public let resampleProbability: Double
    /// The distributions explored values are kept within.
    public let space: SearchSpace
    /// Epochs every trial may train.
    public let maxResource: Int
    /// Seed of the generator behind the choice of source and the exploration.
    public let seed: UInt64

    private var generator: RandomGenerator
    /// The resource at which each trial was last ranked.
    private var lastRanked: [Int: Int] = [:]

    /// Throws ``TuningError/invalidSetting(field:reason:)`` for `perturbationInterval < 1`
    /// or not below `maxResource`, `quantile` outside (0, 0.5], `resampleProbability`
    /// outside [0, 1] or `maxResource < 1`.
    ///
    /// - Parameters:
    ///   - perturbationInterval: `scheduler.perturbation_interval`, epochs.
    ///   - quantile: `scheduler.quantile`; default 0.25 (Ray Tune's `quantile_fraction`).
    ///   - resampleProbability: `scheduler.resample_probability`; default 0.25 (Ray Tune).
    ///   - space: the sweep's search space.
    ///   - maxResource: `scheduler.max_resource`, epochs.
    ///   - seed: `scheduler.seed`; default 0.
    public init(
        perturbationInterval: Int, quantile: Double = 0.25, resampleProbability: Double = 0.25,
        space: SearchSpace, maxResource: Int, seed: UInt64 = 0
    ) throws {
        try SchedulerSetting.requirePositive(maxResource, field: "scheduler.max_resource")
        try SchedulerSetting.requirePositive(perturbationInterval, field: "scheduler.perturbation_interval")
        try SchedulerSetting.require(
            perturbationInterval < maxResource, field: "scheduler.perturbation_interval",
            "must be below scheduler.max_resource (\(maxResource)), or no trial would ever be perturbed; got \(perturbationInterval)")
        try SchedulerSetting.require(
            quantile > 0 && quantile <= 0.5, field: "scheduler.quantile", "must be in (0, 0.5], got \(quantile)")
        try SchedulerSetting.require(
            resampleProbability >= 0 && resampleProbability <= 1, field: "scheduler.resample_probability",
            "must be in [0, 1], got \(resampleProbability)")
        self.perturbationInterval = perturbationInterval
        self.quantile = quantile
        self.resampleProbability = resampleProbability
        self.space = space
        self.maxResource = maxResource
        self.seed = seed
        generator = RandomGenerator(seed: seed)
    }

    public func maxResource(forTrial number: Int) -> Int { maxResource }

    public func report(
        trial number: Int, resource: Int, value: Double, trials: [TrialSnapshot], direction: OptimizationDirection
    ) -> SchedulerDecision {
        guard resource - lastRanked[number, default: 0] >= perturbationInterval else { return .proceed }
        lastRanked[number] = resource

        var population: [(number: Int, loss: Double)] = [(number, SchedulerSetting.loss(value, direction))]
        for trial in trials where trial.number != number && trial.state == .running {
            guard let latest = trial.intermediate.max(by: { $0.key < $1.key }) else { continue }
            population.append((trial.number, SchedulerSetting.loss(latest.value, direction)))
        }
        guard population.count >= 2 else { return .proceed }
        population.sort { ($0.loss, $0.number) < ($1.loss, $1.number) }

        let count = population.count
        let groupSize = Swift.min(Int((Double(count) * quantile).rounded(.up)), count / 2)
        guard population[(count - groupSize)...].contains(where: { $0.number == number }) else { return .proceed }

        let source = population[generator.nextIndex(below: groupSize)].number
        let sourceParams = trials.first { $0.number == source }?.params ?? [:]
        let params = Self.explore(
            sourceParams, space: space, resampleProbability: resampleProbability, generator: &generator)
        return .exploit(source: source, params: params)
    }
}
