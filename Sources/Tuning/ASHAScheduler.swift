import RingmasterCore

/// Asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel
/// Hyperparameter Tuning", MLSys; Optuna's `SuccessiveHalvingPruner`, Ray Tune's `ASHAScheduler`).
///
/// Rungs sit at `minResource · η^k` epochs for every k with a rung below `maxResource` (a trial
/// that reaches `maxResource` has finished; judging it there would only relabel it pruned).
/// When a trial reaches a rung, its value is recorded there, and the trial continues only if
/// that value is among the best `max(1, ⌊n/η⌋)` of the `n` values recorded at the rung so far,
/// its own included; a value equal to the cut-off continues. So the first trial at a rung
/// continues (it is the best of one), as do later ones that beat everything recorded while the
/// rung holds fewer than η values: the rule of the paper's `get_job` and of Optuna. Unlike the
/// paper's promotion variant, nothing is paused and resumed: a stopped trial stays stopped, and
/// the cost is that early arrivals are judged against few values.
///
/// A NaN value stops the trial without being recorded. State is in memory and grows by one
/// `Double` per trial and rung.
public final class ASHAScheduler: Scheduler {
    /// Epochs of the first rung.
    public let minResource: Int
    /// Epochs every trial may train.
    public let maxResource: Int
    /// η: the fraction `1/η` of a rung continues to the next, whose resource is η times larger.
    public let reductionFactor: Int
    /// A rung stops no trial until it holds this many values, the reporting trial's included.
    public let minTrialsPerRung: Int
    /// Epochs at which trials are judged, ascending; empty when `minResource == maxResource`.
    public let rungResources: [Int]

    /// Losses recorded at each rung (direction-adjusted), kept sorted ascending.
    private var rungLosses: [[Double]]
    /// How many rungs each trial has been judged at.
    private var rungsPassed: [Int: Int] = [:]
    private var stopped: Set<Int> = []

    /// Throws ``TuningError/invalidSetting(field:reason:)`` for a resource below 1,
    /// `minResource > maxResource`, `reductionFactor < 2` or `minTrialsPerRung < 1`.
    ///
    /// - Parameters:
    ///   - minResource: `scheduler.min_resource`, epochs; default 1 (Ray Tune, Optuna).
    ///   - maxResource: `scheduler.max_resource`, epochs.
    ///   - reductionFactor: `scheduler.reduction_factor`; default 3 (Hyperband's paper and Optuna's
    ///     `HyperbandPruner`; Ray Tune's ASHA and Optuna's successive halving default to 4).
    ///   - minTrialsPerRung: `scheduler.min_trials_per_rung`; default 1, the paper's rule.
    ///     Larger values let the first arrivals at each rung through unjudged, trading epochs
    ///     for fewer decisions made on small samples.
    public convenience init(minResource: Int = 1, maxResource: Int, reductionFactor: Int = 3, minTrialsPerRung: Int = 1) throws {
        try Self.validate(minResource: minResource, maxResource: maxResource, reductionFactor: reductionFactor)
        try SchedulerSetting.requirePositive(minTrialsPerRung, field: "scheduler.min_trials_per_rung")
        self.init(validatedMinResource: minResource, maxResource: maxResource, reductionFactor: reductionFactor,
                  minTrialsPerRung: minTrialsPerRung)
    }

    /// For settings already checked by ``validate(minResource:maxResource:reductionFactor:)``
    /// (Hyperband builds its brackets with it).
    init(validatedMinResource minResource: Int, maxResource: Int, reductionFactor: Int, minTrialsPerRung: Int = 1) {
        self.minResource = minResource
        self.maxResource = maxResource
        self.reductionFactor = reductionFactor
        self.minTrialsPerRung = minTrialsPerRung
        var rungs: [Int] = []
        var resource = minResource
        while resource < maxResource {
            rungs.append(resource)
            let (next, overflow) = resource.multipliedReportingOverflow(by: reductionFactor)
            if overflow { break }
            resource = next
        }
        rungResources = rungs
        rungLosses = Array(repeating: [], count: rungs.count)
    }

    static func validate(minResource: Int, maxResource: Int, reductionFactor: Int) throws {
        try SchedulerSetting.requirePositive(minResource, field: "scheduler.min_resource")
        try SchedulerSetting.requirePositive(maxResource, field: "scheduler.max_resource")
        try SchedulerSetting.require(
            minResource <= maxResource, field: "scheduler.min_resource",
            "must not exceed scheduler.max_resource (\(maxResource)), got \(minResource)")
        try SchedulerSetting.require(
            reductionFactor >= 2, field: "scheduler.reduction_factor", "must be at least 2, got \(reductionFactor)")
    }

    public func maxResource(forTrial number: Int) -> Int { maxResource }

    public func report(
        trial number: Int, resource: Int, value: Double, trials: [TrialSnapshot], direction: OptimizationDirection
    ) -> SchedulerDecision {
        if stopped.contains(number) { return .stop }
        if value.isNaN {
            stopped.insert(number)
            return .stop
        }
        let loss = direction.loss(value)
        // Every rung reached and not yet judged, so a trial that skips a rung's epoch is still judged.
        var rung = rungsPassed[number, default: 0]
        while rung < rungResources.count, rungResources[rung] <= resource {
            let count = record(loss, atRung: rung)
            rung += 1
            rungsPassed[number] = rung
            if count >= minTrialsPerRung {
                let kept = Swift.max(1, count / reductionFactor)
                if loss > rungLosses[rung - 1][kept - 1] {
                    stopped.insert(number)
                    return .stop
                }
            }
        }
        return .proceed
    }

    /// Inserts `loss` into the rung's sorted values and returns how many the rung now holds.
    private func record(_ loss: Double, atRung rung: Int) -> Int {
        var low = 0, high = rungLosses[rung].count
        while low < high {
            let middle = (low + high) / 2
            if rungLosses[rung][middle] <= loss { low = middle + 1 } else { high = middle }
        }
        rungLosses[rung].insert(loss, at: low)
        return rungLosses[rung].count
    }
}
