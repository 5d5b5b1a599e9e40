import Foundation
import RingmasterCore
import Testing
@testable import Tuning

@Suite struct TPESamplerTests {
    /// Median best over 5 seeds after 60 trials: TPE must beat independent random draws.
    @Test(arguments: ["branin", "hartmann6"])
    func beatsRandomSearch(function name: String) throws {
        let function = try #require(BenchmarkFunction.named(name))
        let tpe = try SamplerBenchmark(samplerName: "tpe", function: function, trials: 60, seeds: 5) { TPESampler() }.run()
        let random = try SamplerBenchmark(samplerName: "random", function: function, trials: 60, seeds: 5) { RandomSampler() }.run()
        #expect(tpe.regret < 0.5 * random.regret, "TPE \(tpe.regret) vs random \(random.regret)")
    }

    private func randomHistory(_ count: Int, seed: UInt64 = 5) throws -> [TrialSnapshot] {
        try sweep(RandomSampler(), space: BenchmarkFunction.branin.space, count: count, seed: seed) {
            BenchmarkFunction.branin.value(at: $0)
        }
    }

    private func suggest(
        _ trials: [TrialSnapshot], with sampler: TPESampler = TPESampler(), direction: OptimizationDirection = .minimize,
        seed: UInt64 = 42
    ) throws -> ParameterAssignment {
        var generator = RandomGenerator(seed: seed)
        return try sampler.suggest(space: BenchmarkFunction.branin.space, trials: trials, direction: direction, generator: &generator)
    }

    /// A running trial sits in g(x) as a liar, so the next suggestion moves away from it.
    @Test func runningTrialChangesTheNextSuggestion() throws {
        let history = try randomHistory(20)
        let alone = try suggest(history)
        let withLiar = history + [TrialSnapshot(number: 20, params: alone, state: .running)]
        let next = try suggest(withLiar)
        #expect(next != alone)
        // Without the liar, the same generator state gives the same point again.
        #expect(try suggest(history) == alone)
    }

    /// Failed trials carry no information: adding them changes nothing in the model. (They do
    /// take trial numbers, which schedule coordinate moves, so moves are off here.)
    @Test func failedTrialsAreIgnored() throws {
        let history = try randomHistory(20)
        let failed = try randomHistory(5, seed: 77).enumerated().map {
            TrialSnapshot(number: 20 + $0.offset, params: $0.element.params, state: .failed)
        }
        let unmoved = TPESampler(moveEvery: 0)
        #expect(try suggest(history + failed, with: unmoved) == suggest(history, with: unmoved))
        // Also during startup.
        #expect(try suggest(Array(history.prefix(4)) + failed) == suggest(Array(history.prefix(4))))
    }

    /// Maximising v is minimising −v.
    @Test func directionIsHandledThroughTheLoss() throws {
        let history = try randomHistory(25)
        let negated = history.map { trial in
            var trial = trial
            trial.value = -trial.value!
            return trial
        }
        #expect(try suggest(negated, direction: .maximize) == suggest(history))
    }

    /// Completed by loss, then pruned (deeper first, then by last value, then those with nothing
    /// reported), then running; failed and value-less completed trials dropped.
    @Test func trialRankingOrdersPrunedAfterCompletedAndLiarsLast() {
        let trials = [
            TrialSnapshot(number: 0, params: [:], state: .running),
            TrialSnapshot(number: 1, params: [:], state: .completed, value: 3),
            TrialSnapshot(number: 2, params: [:], state: .pruned, intermediate: [1: 0.1]),
            TrialSnapshot(number: 3, params: [:], state: .pruned, intermediate: [1: 5, 4: 9]),
            TrialSnapshot(number: 4, params: [:], state: .failed),
            TrialSnapshot(number: 5, params: [:], state: .completed, value: 1),
            TrialSnapshot(number: 6, params: [:], state: .pruned),
            TrialSnapshot(number: 7, params: [:], state: .completed),
            TrialSnapshot(number: 8, params: [:], state: .pruned, intermediate: [1: 0.05]),
        ]
        let ranking = TrialRanking(trials, direction: .minimize)
        #expect(ranking.trials.map(\.number) == [5, 1, 3, 8, 2, 6, 0])
        #expect(ranking.finishedCount == 6)
        #expect(TrialRanking(trials, direction: .maximize).trials.map(\.number) == [1, 5, 3, 2, 8, 6, 0])
    }

    /// Pruned trials count as finished for the startup phase and can never outrank a completed one.
    @Test func prunedTrialsEndTheStartupPhase() throws {
        let history = try randomHistory(10).map { trial in
            TrialSnapshot(number: trial.number, params: trial.params, state: .pruned, intermediate: [1: trial.value!])
        }
        let design = try suggest(history, with: TPESampler(startupTrials: 11))
        let model = try suggest(history, with: TPESampler(startupTrials: 10))
        #expect(design != model, "ten pruned trials are enough to start modelling")
    }

    @Test func gammaFollowsTheConfiguredSplit() {
        let tpe = TPESampler()
        #expect([1, 10, 20, 100, 166, 167, 1000].map { tpe.gamma($0) } == [1, 2, 3, 15, 25, 25, 25])
        #expect(TPESampler(gammaFraction: 0.1).gamma(100) == 10)
    }

    /// Until `startupTrials` trials have finished, suggestions are plain random draws (running
    /// trials do not count), and the model takes over from then on.
    @Test func startupTrialsAreRandomDraws() throws {
        let history = try randomHistory(10)
        let running = history.prefix(9).map { TrialSnapshot(number: $0.number, params: $0.params, state: .running) }
        for trials in [Array(history.prefix(9)), running + [history[9]]] {
            var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
            let tpe = try TPESampler().suggest(space: BenchmarkFunction.branin.space, trials: trials, direction: .minimize, generator: &a)
            let random = try RandomSampler().suggest(space: BenchmarkFunction.branin.space, trials: trials, direction: .minimize, generator: &b)
            #expect(tpe == random)
        }
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let modelled = try TPESampler().suggest(space: BenchmarkFunction.branin.space, trials: history, direction: .minimize, generator: &a)
        #expect(try modelled != RandomSampler().suggest(space: BenchmarkFunction.branin.space, trials: history, direction: .minimize, generator: &b))
    }

    /// A choice that is clearly best gets picked far more often than chance once the model
    /// takes over, and integers stay on their grid. Unseen combinations keep some pull (g is thin
    /// there), so not every late pick is the best category: over 5 seeds, at least 45 % of the
    /// last 15 picks (chance: 25 %; Optuna's TPE on the same problem: about 55 %).
    @Test func categoricalAndIntegerParametersAreModelled() throws {
        let space = SearchSpace(parameters: [
            ParameterSpec(name: "kind", distribution: .choice([.text("a"), .text("b"), .text("c"), .text("d")])),
            ParameterSpec(name: "n", distribution: .integer(low: 0, high: 20, step: 2, log: false)),
        ])
        var latePicks = 0
        for seed in 0..<5 as Range<UInt64> {
            let trials = try sweep(TPESampler(), space: space, count: 40, seed: seed) { params in
                (params["kind"] == .text("c") ? 0 : 10) + abs(params["n"]!.number! - 8)
            }
            latePicks += trials.suffix(15).filter { $0.params["kind"] == .text("c") }.count
            #expect(trials.map { $0.value! }.min() == 0, "seed \(seed) should find c with n = 8")
            #expect(trials.allSatisfy { if case .integer(let n) = $0.params["n"]! { return n % 2 == 0 } else { return false } })
        }
        #expect(Double(latePicks) / 75 >= 0.45, "\(latePicks) of 75")
    }

    /// The univariate variant and Scott bandwidths are usable alternatives: both still beat
    /// random search on branin (median of 3 seeds, 50 trials).
    @Test func alternativeSettingsStillOptimise() throws {
        let random = try SamplerBenchmark(samplerName: "random", function: .branin, trials: 50, seeds: 3) { RandomSampler() }.run()
        for sampler in [TPESampler(multivariate: false), TPESampler(bandwidth: .scott(factor: 0.2))] {
            let result = try SamplerBenchmark(samplerName: "tpe", function: .branin, trials: 50, seeds: 3) { sampler }.run()
            #expect(result.regret < random.regret, "\(sampler)")
        }
    }

    /// Candidates drawn around the best trials land in the space like any other: in a sweep that
    /// leans on them (one candidate from l(x), 64 local ones at a tenth of the kernel width,
    /// three centres) over log ranges, integer grids and choices with conditions, every value
    /// belongs to its distribution, and the same seed gives the same sweep.
    @Test func localCandidatesStayInTheSpaceAndReproduce() throws {
        let sampler = TPESampler(candidates: 1, localCandidates: 64, localWidth: 0.1, localCentres: 3)
        let first = try sweep(sampler, space: conditionalSpace, count: 60, seed: 4, loss: conditionalLoss)
        for trial in first {
            for parameter in conditionalSpace.parameters {
                guard let value = trial.params[parameter.name] else { continue }
                #expect(parameter.distribution.unit(of: value) != nil, "\(parameter.name)=\(value)")
            }
        }
        let second = try sweep(sampler, space: conditionalSpace, count: 60, seed: 4, loss: conditionalLoss)
        #expect(first.map(\.params) == second.map(\.params))
        let without = try sweep(
            TPESampler(candidates: 1, localCandidates: 0), space: conditionalSpace, count: 60, seed: 4, loss: conditionalLoss)
        #expect(first.map(\.params) != without.map(\.params), "local candidates should change the sweep")
    }

    /// With only local candidates in play (one from l(x), many local ones at a fiftieth of the
    /// kernel width), a suggestion sits next to the best trial so far: within 0.1 of it in unit
    /// coordinates on both axes of branin, in at least 9 of 10 suggestions (the one draw from
    /// l(x) may still win the ratio).
    @Test func localCandidatesRefineAroundTheBestTrial() throws {
        let history = try randomHistory(30)
        let space = BenchmarkFunction.branin.space
        let best = try #require(history.min { $0.value! < $1.value! })
        let sampler = TPESampler(candidates: 1, localCandidates: 200, localWidth: 0.02)
        var near = 0
        for seed in 0..<10 as Range<UInt64> {
            let suggestion = try suggest(history, with: sampler, seed: seed)
            let close = space.parameters.allSatisfy { parameter in
                abs(parameter.distribution.unit(of: suggestion[parameter.name]!)!
                    - parameter.distribution.unit(of: best.params[parameter.name]!)!) < 0.1
            }
            if close { near += 1 }
        }
        #expect(near >= 9, "\(near) of 10 suggestions near the best trial")
    }

    /// Settings outside their range are refused with the field named.
    @Test func invalidSettingsAreRefused() throws {
        let history = try randomHistory(12)
        let cases: [(TPESampler, String)] = [
            (TPESampler(localCandidates: -1), "local_candidates"), (TPESampler(localWidth: 0), "local_width"),
            (TPESampler(localWidth: 1.5), "local_width"), (TPESampler(localCentres: 0), "local_centres"),
            (TPESampler(clipExponent: 0), "clip_exponent"), (TPESampler(minimumWidth: -0.1), "minimum_width"),
            (TPESampler(priorWeight: 0), "prior_weight"), (TPESampler(moveEvery: -1), "move_every"),
            (TPESampler(moveDistance: 0), "move_distance"), (TPESampler(moveDistance: 0.6), "move_distance"),
        ]
        for (sampler, field) in cases {
            #expect {
                try suggest(history, with: sampler)
            } throws: { error in
                guard case TuningError.invalidSetting(let named, _) = error else { return false }
                return named == field
            }
        }
    }
}
