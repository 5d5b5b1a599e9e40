import Foundation
import RingmasterCore
import Testing
@testable import TrafficPolicies

/// Simulated bandits: each arm pays a random reward with a known mean; the router sees
/// only the rewards. Uniform routing over two arms with means 0.3 and 0.6 loses
/// 0.15 per round against always choosing the better arm (750 over 5,000 rounds).
@Suite struct BanditTests {
    struct Outcome {
        var betterShare: Double
        var regret: Double
        var statistics: [VariantStatistics]
    }

    static func simulate(
        _ algorithm: BanditAlgorithm, means: [Double], rounds: Int = 5_000, seed: UInt64,
        reward: (Double, inout RandomGenerator) -> Double
    ) throws -> Outcome {
        let arms = means.indices.map { Variant(name: "arm\($0)", model: "m:\($0)") }
        let router = TrafficRouter(policy: try TrafficPolicy(.bandit(arms, algorithm)), seed: seed)
        var world = RandomGenerator(seed: seed, stream: 99)
        let best = means.max()!
        var betterPulls = 0, regret = 0.0
        for round in 0..<rounds {
            let arm = Int(router.route(requestID: "r\(round)").variant.name.dropFirst(3))!
            if means[arm] == best { betterPulls += 1 }
            regret += best - means[arm]
            try router.reward(requestID: "r\(round)", value: reward(means[arm], &world))
        }
        return Outcome(betterShare: Double(betterPulls) / Double(rounds), regret: regret, statistics: router.snapshot())
    }

    static func bernoulli(_ mean: Double, _ generator: inout RandomGenerator) -> Double {
        generator.nextUnitDouble() < mean ? 1 : 0
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func epsilonGreedyFindsTheBetterArm(seed: UInt64) throws {
        let outcome = try Self.simulate(.epsilonGreedy(epsilon: 0.1), means: [0.3, 0.6], seed: seed, reward: Self.bernoulli)
        #expect(outcome.betterShare > 0.8, "better arm got \(outcome.betterShare)")
        #expect(outcome.regret < 0.25 * 750, "regret \(outcome.regret)")
        let shares = outcome.statistics.map(\.trafficShare)
        #expect(abs(shares[0] - 0.05) < 1e-12 && abs(shares[1] - 0.95) < 1e-12, "greedy on the better arm, 10 % spread over both: \(shares)")
        #expect(outcome.statistics.allSatisfy { $0.posteriorMean == nil })
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func thompsonSamplingFindsTheBetterArm(seed: UInt64) throws {
        let outcome = try Self.simulate(.thompsonBernoulli(alpha: 1, beta: 1), means: [0.3, 0.6], seed: seed, reward: Self.bernoulli)
        #expect(outcome.betterShare > 0.8, "better arm got \(outcome.betterShare)")
        #expect(outcome.regret < 0.25 * 750, "regret \(outcome.regret)")
        let better = outcome.statistics[1]
        #expect(better.trafficShare > 0.95, "\(better.trafficShare)")
        // Beta(1 + successes, 1 + failures) over thousands of pulls: mean within 0.05 of 0.6.
        #expect(abs(better.posteriorMean! - 0.6) < 0.05, "\(better.posteriorMean!)")
        #expect(abs(better.posteriorMean! - (1 + better.rewards.sum) / (2 + Double(better.rewards.count))) < 1e-12)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func gaussianThompsonSamplingFindsTheBetterArm(seed: UInt64) throws {
        // Real-valued rewards: normal with sd 1 around means 1.0 and 1.5 (uniform regret 1,250).
        let outcome = try Self.simulate(
            .thompsonGaussian(mean: 0, kappa: 1, alpha: 1, beta: 1), means: [1.0, 1.5], seed: seed,
            reward: { mean, generator in mean + generator.nextNormal() })
        #expect(outcome.betterShare > 0.8, "better arm got \(outcome.betterShare)")
        #expect(outcome.regret < 0.25 * 1_250, "regret \(outcome.regret)")
        #expect(abs(outcome.statistics[1].posteriorMean! - 1.5) < 0.1, "\(outcome.statistics[1].posteriorMean!)")
    }

    @Test func armsWithoutRewardsAreTriedFirst() throws {
        let arms = (0..<3).map { Variant(name: "arm\($0)", model: "m:\($0)") }
        let router = TrafficRouter(policy: try TrafficPolicy(.bandit(arms, .epsilonGreedy(epsilon: 0))), seed: 1)
        var seen: Set<String> = []
        for round in 0..<3 {
            let name = router.route(requestID: "r\(round)").variant.name
            seen.insert(name)
            try router.reward(requestID: "r\(round)", value: 0)
        }
        #expect(seen.count == 3)
    }

    @Test func posteriorsKeepLearningAcrossAReplace() throws {
        let arms = [Variant(name: "a", model: "m:1"), Variant(name: "b", model: "m:2")]
        let router = TrafficRouter(policy: try TrafficPolicy(.bandit(arms, .thompsonBernoulli(alpha: 1, beta: 1))), seed: 8)
        var world = RandomGenerator(seed: 8, stream: 1)
        for round in 0..<2_000 {
            let name = router.route(requestID: "r\(round)").variant.name
            try router.reward(requestID: "r\(round)", value: Self.bernoulli(name == "a" ? 0.2 : 0.7, &world))
        }
        let before = router.snapshot()
        router.replace(policy: try TrafficPolicy(.bandit(arms + [Variant(name: "c", model: "m:3")], .thompsonBernoulli(alpha: 1, beta: 1))))
        let after = router.snapshot()
        #expect(after[0].posteriorMean == before[0].posteriorMean && after[1].posteriorMean == before[1].posteriorMean)
        #expect(after[2].posteriorMean == 0.5 && after[2].rewards.count == 0)
    }
}
