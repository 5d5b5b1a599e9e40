import RingmasterCore

/// Asynchronous Hyperband (Li et al. 2018, "Hyperband", JMLR; the asynchronous form of Li et
/// al. 2020 and Optuna's `HyperbandPruner`): several ASHA brackets that hedge over how early
/// trials can be judged.
///
/// With `s_max = ⌊log_η(maxResource / minResource)⌋`, bracket `b` (0…s_max) is an
/// ``ASHAScheduler`` whose first rung is at `minResource · η^b`: bracket 0 is the most
/// aggressive, bracket s_max judges nobody when `minResource · η^s_max == maxResource` (plain
/// full training, Hyperband's last bracket).
///
/// Assignment: bracket `b` receives a share of trials proportional to Hyperband's number of
/// configurations for it, `n_b = ⌈(s_max + 1) · η^s / (s + 1)⌉` with `s = s_max − b`, which
/// gives every bracket about the same total budget (Optuna uses the same weights). Trial
/// numbers are dealt out by smooth weighted round-robin over these weights: in every run of
/// `Σ n_b` consecutive trial numbers, bracket `b` gets exactly `n_b`, and every prefix stays
/// within one trial of its share, so small sweeps still visit every bracket. The bracket is
/// a function of the trial number alone (Optuna hashes the study name and number instead).
/// Each report goes to the trial's own bracket, so it is judged only against that bracket.
public final class HyperbandScheduler: Scheduler {
    /// Epochs of the first rung of the most aggressive bracket.
    public let minResource: Int
    /// Epochs every trial may train.
    public let maxResource: Int
    /// η, shared by every bracket.
    public let reductionFactor: Int
    /// For each bracket, its first rung (its minimum resource before it may stop a trial).
    public let bracketMinimumResources: [Int]
    /// For each bracket, its rungs (see ``ASHAScheduler/rungResources``).
    public var bracketRungResources: [[Int]] { brackets.map(\.rungResources) }
    /// For each bracket, its weight `n_b` in the assignment of trials.
    public let bracketWeights: [Int]

    /// The largest `maxResource / minResource` accepted.
    public static let maxResourceRatio = 65_536

    private let brackets: [ASHAScheduler]
    /// One period of the round-robin: `assignmentCycle[n % count]` is trial n's bracket.
    private let assignmentCycle: [Int]

    /// Throws ``TuningError/invalidSetting(field:reason:)`` for a resource below 1,
    /// `minResource > maxResource`, `maxResource / minResource > maxResourceRatio` or
    /// `reductionFactor < 2`.
    ///
    /// - Parameters:
    ///   - minResource: `scheduler.min_resource`, epochs; default 1 (Optuna).
    ///   - maxResource: `scheduler.max_resource`, epochs.
    ///   - reductionFactor: `scheduler.reduction_factor`; default 3 (Hyperband's paper, Optuna).
    public init(minResource: Int = 1, maxResource: Int, reductionFactor: Int = 3) throws {
        try ASHAScheduler.validate(minResource: minResource, maxResource: maxResource, reductionFactor: reductionFactor)
        // Keeps the assignment period (about log_η(ratio) · ratio trials) small.
        try SchedulerSetting.require(
            maxResource / minResource <= Self.maxResourceRatio, field: "scheduler.max_resource",
            "must be at most \(Self.maxResourceRatio) times scheduler.min_resource (\(minResource)), got \(maxResource)")
        self.minResource = minResource
        self.maxResource = maxResource
        self.reductionFactor = reductionFactor

        var minimums = [minResource]
        while true {
            let (next, overflow) = minimums[minimums.count - 1].multipliedReportingOverflow(by: reductionFactor)
            guard !overflow, next <= maxResource else { break }
            minimums.append(next)
        }
        bracketMinimumResources = minimums
        brackets = minimums.map {
            ASHAScheduler(validatedMinResource: $0, maxResource: maxResource, reductionFactor: reductionFactor)
        }

        let sMax = minimums.count - 1
        bracketWeights = (0...sMax).map { b in
            let s = sMax - b
            // η^s ≤ maxResource / minResource ≤ maxResourceRatio, so this cannot overflow.
            let power = minimums[s] / minResource
            return ((sMax + 1) * power + s) / (s + 1)
        }
        assignmentCycle = Self.smoothWeightedRoundRobin(bracketWeights)
    }

    /// The bracket trial `number` belongs to.
    public func bracket(forTrial number: Int) -> Int {
        assignmentCycle[number % assignmentCycle.count]
    }

    public func maxResource(forTrial number: Int) -> Int { maxResource }

    public func report(
        trial number: Int, resource: Int, value: Double, trials: [TrialSnapshot], direction: OptimizationDirection
    ) -> SchedulerDecision {
        brackets[bracket(forTrial: number)].report(
            trial: number, resource: resource, value: value, trials: trials, direction: direction)
    }

    /// One period of smooth weighted round-robin: each turn every index gains its weight in
    /// credit, the index with the most credit (the lowest on ties) is chosen and pays the total.
    static func smoothWeightedRoundRobin(_ weights: [Int]) -> [Int] {
        let total = weights.reduce(0, +)
        var credit = Array(repeating: 0, count: weights.count)
        var order: [Int] = []
        order.reserveCapacity(total)
        for _ in 0..<total {
            var chosen = 0
            for i in weights.indices {
                credit[i] += weights[i]
                if credit[i] > credit[chosen] { chosen = i }
            }
            credit[chosen] -= total
            order.append(chosen)
        }
        return order
    }
}
