import Foundation
import RingmasterCore
import Testing
import Tuning

@Suite struct SamplerBenchmarkTests {
    @Test func reportsMedianRegretAndEverySeed() throws {
        let result = try SamplerBenchmark(samplerName: "random", function: .branin, trials: 20, seeds: 3) { RandomSampler() }.run()
        #expect(result.bestPerSeed.count == 3)
        #expect(result.medianBest == median(result.bestPerSeed))
        #expect(abs(result.regret - (result.medianBest - BenchmarkFunction.branin.optimum)) < 1e-12)
        #expect(result.regret >= 0 && result.msPerTrial >= 0)
        let again = try SamplerBenchmark(samplerName: "random", function: .branin, trials: 20, seeds: 3) { RandomSampler() }.run()
        #expect(again.bestPerSeed == result.bestPerSeed, "seeded, so repeatable")
    }

    /// `firstSeed` shifts the seeds: seeds 3 and 4 alone reproduce the last two of seeds 0…4.
    @Test func firstSeedSelectsTheSeedRange() throws {
        let all = try SamplerBenchmark(samplerName: "tpe", function: .branin, trials: 15, seeds: 5) { TPESampler() }.run()
        let tail = try SamplerBenchmark(samplerName: "tpe", function: .branin, trials: 15, seeds: 2, firstSeed: 3) {
            TPESampler()
        }.run()
        #expect(tail.firstSeed == 3 && all.firstSeed == 0)
        #expect(tail.bestPerSeed == Array(all.bestPerSeed.suffix(2)))
        #expect(throws: TuningError.invalidSetting(field: "first-seed", reason: "must be at least 0, got -1")) {
            _ = try SamplerBenchmark(samplerName: "random", function: .branin, seeds: 1, firstSeed: -1) { RandomSampler() }.run()
        }
    }

    /// A grid smaller than the trial budget ends the seed early instead of failing.
    @Test func finishedGridEndsTheSweep() throws {
        let result = try SamplerBenchmark(samplerName: "grid", function: .branin, trials: 100, seeds: 1) {
            GridSampler(resolution: 3)
        }.run()
        #expect(result.bestPerSeed.count == 1)
    }

    @Test func encodesTheDocumentedFields() throws {
        let result = try SamplerBenchmark(samplerName: "sobol", function: .hartmann6, trials: 8, seeds: 2) { SobolSampler() }.run()
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let object = try #require(JSONSerialization.jsonObject(with: encoder.encode(result)) as? [String: Any])
        #expect(Set(object.keys) == ["sampler", "function", "trials", "seeds", "first_seed", "median_best", "regret", "ms_per_trial", "best_per_seed"])
    }
}
