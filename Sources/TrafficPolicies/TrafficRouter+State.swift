import RingmasterCore

/// Counters of one variant.
struct VariantState: Sendable {
    let variant: Variant
    var requests = 0
    var shadowRequests = 0
    var errors = 0
    var latency = LatencyHistogram()
    var rewards = RewardTally()

    init(_ variant: Variant) { self.variant = variant }
}

/// A policy turned into what `route` needs, computed once per policy.
struct Plan: Sendable {
    enum Choice: Sendable {
        case fixed(Int)
        /// Cumulative weights in percent; a uniform draw in [0, 100) picks the first above it.
        case weighted([Double])
        case hashed([Double], salt: String)
        case epsilonGreedy(Double)
        case thompson(BanditAlgorithm)
    }

    var choice: Choice
    var shadows: [Int] = []
    var sampleRate = 0.0

    init(_ policy: TrafficPolicy) {
        func cumulative(_ weighted: [WeightedVariant]) -> [Double] {
            var total = 0.0
            return weighted.map { total += $0.weight; return total }
        }
        switch policy.rule {
        case .single: choice = .fixed(0)
        case .canary(let weighted): choice = .weighted(cumulative(weighted))
        case .shadow(_, let shadows, let sampleRate):
            choice = .fixed(0)
            self.shadows = Array(1...shadows.count)
            self.sampleRate = sampleRate
        case .ab(let weighted, _, let salt): choice = .hashed(cumulative(weighted), salt: salt)
        case .bandit(_, .epsilonGreedy(let epsilon)): choice = .epsilonGreedy(epsilon)
        case .bandit(_, let algorithm): choice = .thompson(algorithm)
        }
    }

    /// The variant whose cumulative weight first exceeds `point` (in [0, 100)); rounding in
    /// the sum can leave the top a hair below 100, which falls to the last weighted variant.
    static func pick(_ cumulative: [Double], _ point: Double) -> Int {
        for (index, bound) in cumulative.enumerated() where point < bound { return index }
        var last = cumulative.count - 1
        while last > 0 && cumulative[last] == cumulative[last - 1] { last -= 1 }
        return last
    }
}

/// Everything the router's lock protects.
struct State {
    var policy: TrafficPolicy
    var plan: Plan
    var variants: [VariantState]
    var index: [String: Int]
    var generator: RandomGenerator
    var recent: RecentRequests
    var snapshots = 0

    init(policy: TrafficPolicy, plan: Plan, variants: [VariantState], generator: RandomGenerator, recent: RecentRequests) {
        (self.policy, self.plan, self.variants, self.generator, self.recent) = (policy, plan, variants, generator, recent)
        index = Self.index(variants)
    }

    static func index(_ variants: [VariantState]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1.variant.name, $0) })
    }

    /// The index of the variant that answers, drawing from the generator as the plan needs.
    mutating func choose(key: String) -> Int {
        switch plan.choice {
        case .fixed(let index):
            return index
        case .weighted(let cumulative):
            return Plan.pick(cumulative, generator.nextUnitDouble() * 100)
        case .hashed(let cumulative, let salt):
            return Plan.pick(cumulative, StableHash.unit(salt: salt, key: key) * 100)
        case .epsilonGreedy(let epsilon):
            if generator.nextUnitDouble() < epsilon { return generator.nextIndex(below: variants.count) }
            let best = Self.bestArms(variants)
            return best.count == 1 ? best[0] : best[generator.nextIndex(below: best.count)]
        case .thompson(let algorithm):
            var best = 0, bestDraw = -Double.infinity
            for index in variants.indices {
                let draw = ArmPosterior(algorithm, variants[index].rewards)!.sample(&generator)
                if draw > bestDraw { (best, bestDraw) = (index, draw) }
            }
            return best
        }
    }

    /// The arms with the highest mean reward; arms without rewards count as best, so each is
    /// tried before the greedy choice settles.
    static func bestArms(_ variants: [VariantState]) -> [Int] {
        var best: [Int] = [], bestMean = -Double.infinity
        for (index, variant) in variants.enumerated() {
            let mean = variant.rewards.count == 0 ? Double.infinity : variant.rewards.mean
            if mean > bestMean { (best, bestMean) = ([index], mean) } else if mean == bestMean { best.append(index) }
        }
        return best
    }
}
