import RingmasterCore

/// Median stopping (Golovin et al. 2017, "Google Vizier", §3.2.2; Optuna's `MedianPruner`,
/// Ray Tune's `MedianStoppingRule`): after the warmup, a trial whose best value so far is
/// strictly worse than the median of the other trials' values at the same resource stops.
///
/// By default the others' values are taken at the reported resource, as Optuna does. That is
/// aggressive: the trials that reach a late epoch are the survivors, so their median is better
/// than the population's, and a good but not top trial can be stopped late (see
/// docs/tuning.md for measured rates). With `runningAverage`, the others' values are the
/// means of their values up to that resource, as in Vizier and Ray: on falling curves those
/// means lag behind, which stops fewer good trials and trains more epochs.
///
/// Other trials count whatever their state (running, completed or pruned: each value is a real
/// measurement at that resource) except failed ones, whose curve may be broken; non-finite
/// values are ignored. The rule keeps no state: everything it compares is in the snapshots.
public final class MedianStoppingScheduler: Scheduler {
    /// Epochs during which no trial is stopped: the first decision is made at `warmupResource + 1`.
    public let warmupResource: Int
    /// Other trials that must have a value at the reported resource before the rule applies.
    public let minTrials: Int
    /// Epochs every trial may train.
    public let maxResource: Int
    /// Whether the others are represented by their running averages rather than their values.
    public let runningAverage: Bool

    /// Throws ``TuningError/invalidSetting(field:reason:)`` when `maxResource < 1`,
    /// `warmupResource` is negative or not below `maxResource`, or `minTrials < 1`.
    ///
    /// - Parameters:
    ///   - warmupResource: `scheduler.warmup_resource`, epochs; default 1 (the first epoch
    ///     mostly reflects the initialisation).
    ///   - minTrials: `scheduler.min_trials`; default 3 (Ray Tune's `min_samples_required`).
    ///   - maxResource: `scheduler.max_resource`, epochs.
    ///   - runningAverage: `scheduler.running_average`; default false (Optuna's comparison).
    public init(warmupResource: Int = 1, minTrials: Int = 3, maxResource: Int, runningAverage: Bool = false) throws {
        try SchedulerSetting.requirePositive(maxResource, field: "scheduler.max_resource")
        try SchedulerSetting.require(
            warmupResource >= 0, field: "scheduler.warmup_resource", "must not be negative, got \(warmupResource)")
        try SchedulerSetting.require(
            warmupResource < maxResource, field: "scheduler.warmup_resource",
            "must be below scheduler.max_resource (\(maxResource)), or no trial could ever be stopped; got \(warmupResource)")
        try SchedulerSetting.requirePositive(minTrials, field: "scheduler.min_trials")
        self.warmupResource = warmupResource
        self.minTrials = minTrials
        self.maxResource = maxResource
        self.runningAverage = runningAverage
    }

    public func maxResource(forTrial number: Int) -> Int { maxResource }

    public func report(
        trial number: Int, resource: Int, value: Double, trials: [TrialSnapshot], direction: OptimizationDirection
    ) -> SchedulerDecision {
        // A diverged trial never recovers; the trainer stops on a NaN loss as well.
        if value.isNaN { return .stop }
        guard resource > warmupResource else { return .proceed }

        var best = SchedulerSetting.loss(value, direction)
        var others: [Double] = []
        for trial in trials {
            if trial.number == number {
                // The snapshot may or may not already hold this report; either way is the same.
                for (r, v) in trial.intermediate where r <= resource && !v.isNaN {
                    best = Swift.min(best, direction.loss(v))
                }
            } else if trial.state != .failed, let v = trial.intermediate[resource], v.isFinite {
                others.append(direction.loss(runningAverage ? Self.mean(of: trial.intermediate, upTo: resource) : v))
            }
        }
        guard others.count >= minTrials else { return .proceed }
        return best > Self.median(of: &others) ? .stop : .proceed
    }

    /// The mean of the finite values at resources up to `resource`.
    static func mean(of intermediate: [Int: Double], upTo resource: Int) -> Double {
        var sum = 0.0, count = 0
        for (r, v) in intermediate where r <= resource && v.isFinite {
            sum += v
            count += 1
        }
        return sum / Double(count)
    }

    /// The median; the mean of the two middle values for an even count (numpy's 50th percentile).
    static func median(of values: inout [Double]) -> Double {
        values.sort()
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
