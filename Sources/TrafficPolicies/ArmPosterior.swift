import RingmasterCore

/// Running sums of one variant's rewards (Welford's mean and squared deviations, which stay
/// accurate over millions of rewards).
struct RewardTally: Sendable {
    private(set) var count = 0
    private(set) var sum = 0.0
    private(set) var mean = 0.0
    private(set) var squaredDeviations = 0.0

    mutating func add(_ value: Double) {
        count += 1
        sum += value
        let delta = value - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (value - mean)
    }

    var summary: RewardSummary { RewardSummary(count: count, sum: sum, mean: count == 0 ? nil : mean) }
}

/// The posterior of one bandit arm's mean reward: its prior updated with the arm's rewards.
enum ArmPosterior: Sendable {
    case beta(alpha: Double, beta: Double)
    case normalGamma(mean: Double, kappa: Double, alpha: Double, beta: Double)

    /// The prior of `algorithm` updated with `tally`; nil for algorithms without a posterior.
    init?(_ algorithm: BanditAlgorithm, _ tally: RewardTally) {
        switch algorithm {
        case .epsilonGreedy:
            return nil
        case .thompsonBernoulli(let alpha, let beta):
            // A reward r in [0, 1] counts as r successes and 1 - r failures.
            self = .beta(alpha: alpha + tally.sum, beta: beta + Double(tally.count) - tally.sum)
        case .thompsonGaussian(let mean0, let kappa0, let alpha0, let beta0):
            let n = Double(tally.count)
            let kappa = kappa0 + n
            let shift = tally.count == 0 ? 0 : tally.mean - mean0
            self = .normalGamma(
                mean: (kappa0 * mean0 + n * (tally.count == 0 ? 0 : tally.mean)) / kappa,
                kappa: kappa,
                alpha: alpha0 + n / 2,
                beta: beta0 + tally.squaredDeviations / 2 + kappa0 * n * shift * shift / (2 * kappa))
        }
    }

    var mean: Double {
        switch self {
        case .beta(let alpha, let beta): return alpha / (alpha + beta)
        case .normalGamma(let mean, _, _, _): return mean
        }
    }

    /// One draw of the arm's mean reward from the posterior.
    func sample(_ generator: inout RandomGenerator) -> Double {
        switch self {
        case .beta(let alpha, let beta):
            return generator.nextBeta(alpha: alpha, beta: beta)
        case .normalGamma(let mean, let kappa, let alpha, let beta):
            let precision = generator.nextGamma(shape: alpha) / beta
            return mean + generator.nextNormal() / (kappa * precision).squareRoot()
        }
    }
}
