import Foundation
import RingmasterCore

/// Runs a sampler on a ``BenchmarkFunction`` the way a sequential sweep would (suggest, evaluate,
/// record, repeat) for several seeds, and reports the median best value and time per trial.
public struct SamplerBenchmark: Sendable {
    public struct Result: Codable, Sendable, Equatable {
        /// The sampler's name as given (`tpe`, `random`, …).
        public var sampler: String
        public var function: String
        public var trials: Int
        public var seeds: Int
        /// The first seed: the sweeps used seeds firstSeed ..< firstSeed + seeds.
        public var firstSeed: Int
        /// Median over seeds of the best value found.
        public var medianBest: Double
        /// `medianBest` minus the function's known minimum.
        public var regret: Double
        /// Median over seeds of wall time per trial (suggestion plus evaluation), milliseconds.
        public var msPerTrial: Double
        /// Best value found with seed firstSeed, firstSeed + 1, …
        public var bestPerSeed: [Double]
    }

    /// Name reported in the result.
    public var samplerName: String
    /// Makes the sampler of one sweep; called once per seed, since a sampler may fix state per
    /// sweep (a Sobol' scramble).
    public var makeSampler: @Sendable () -> any Sampler
    public var function: BenchmarkFunction
    /// Trials per seed. Default 100.
    public var trials: Int
    /// How many seeds, each an independent sweep. Default 10.
    public var seeds: Int
    /// Seeds firstSeed ..< firstSeed + seeds are run. Default 0. Settings can be chosen on one
    /// range of seeds and checked on another, so that they are not fitted to the seeds reported.
    public var firstSeed: Int

    public init(
        samplerName: String, function: BenchmarkFunction, trials: Int = 100, seeds: Int = 10, firstSeed: Int = 0,
        makeSampler: @escaping @Sendable () -> any Sampler
    ) {
        self.samplerName = samplerName
        self.makeSampler = makeSampler
        self.function = function
        self.trials = trials
        self.seeds = seeds
        self.firstSeed = firstSeed
    }

    /// Runs every seed. A sampler that runs out of points (a finished grid) ends that seed early.
    public func run() throws -> Result {
        guard trials >= 1, seeds >= 1 else {
            throw TuningError.invalidSetting(field: trials < 1 ? "trials" : "seeds", reason: "must be at least 1")
        }
        guard firstSeed >= 0 else {
            throw TuningError.invalidSetting(field: "first-seed", reason: "must be at least 0, got \(firstSeed)")
        }
        var bests: [Double] = [], msPerTrial: [Double] = []
        for seed in firstSeed..<firstSeed + seeds {
            let (best, ms) = try sweep(seed: UInt64(seed))
            bests.append(best)
            msPerTrial.append(ms)
        }
        let medianBest = Self.median(bests)
        return Result(
            sampler: samplerName, function: function.name, trials: trials, seeds: seeds, firstSeed: firstSeed,
            medianBest: medianBest,
            regret: medianBest - function.optimum, msPerTrial: Self.median(msPerTrial), bestPerSeed: bests)
    }

    /// One sequential sweep: the best value and milliseconds per trial.
    func sweep(seed: UInt64) throws -> (best: Double, msPerTrial: Double) {
        let sampler = makeSampler()
        var generator = RandomGenerator(seed: seed)
        var history: [TrialSnapshot] = []
        history.reserveCapacity(trials)
        var best = Double.infinity
        let clock = ContinuousClock()
        let started = clock.now
        for number in 0..<trials {
            let params: ParameterAssignment
            do {
                params = try sampler.suggest(space: function.space, trials: history, direction: .minimize, generator: &generator)
            } catch TuningError.spaceExhausted {
                break
            }
            let value = function.value(at: params)
            best = Swift.min(best, value)
            history.append(TrialSnapshot(number: number, params: params, state: .completed, value: value))
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (best, seconds * 1000 / Double(Swift.max(history.count, 1)))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
