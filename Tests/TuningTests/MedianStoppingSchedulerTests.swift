import RingmasterCore
import Testing
import Tuning

@Suite struct MedianStoppingSchedulerTests {
    /// Trials 1… with the given values at epochs 1, 2 and 3 (a flat curve each).
    private func others(_ values: [Double], state: TrialState = .running) -> [TrialSnapshot] {
        values.enumerated().map { i, v in
            TrialSnapshot(number: i + 1, params: [:], state: state, intermediate: [1: v, 2: v, 3: v])
        }
    }

    @Test func stopsATrialWorseThanTheMedianAfterTheWarmup() throws {
        let median = try MedianStoppingScheduler(warmupResource: 1, minTrials: 3, maxResource: 10)
        let trials = others([1, 2, 3, 4])  // median 2.5
        #expect(median.report(trial: 0, resource: 1, value: 9, trials: trials, direction: .minimize) == .proceed)
        #expect(median.report(trial: 0, resource: 2, value: 2.6, trials: trials, direction: .minimize) == .stop)
        #expect(median.report(trial: 0, resource: 2, value: 2.5, trials: trials, direction: .minimize) == .proceed)
        #expect(median.report(trial: 0, resource: 2, value: 2.4, trials: trials, direction: .minimize) == .proceed)
    }

    @Test func needsMinTrialsOthersAtTheSameResource() throws {
        let median = try MedianStoppingScheduler(warmupResource: 0, minTrials: 3, maxResource: 10)
        var trials = others([1, 2])
        #expect(median.report(trial: 0, resource: 2, value: 9, trials: trials, direction: .minimize) == .proceed)
        // A third trial that has only reached epoch 1 does not count at epoch 2.
        trials.append(TrialSnapshot(number: 3, params: [:], state: .running, intermediate: [1: 0]))
        #expect(median.report(trial: 0, resource: 2, value: 9, trials: trials, direction: .minimize) == .proceed)
        #expect(median.report(trial: 0, resource: 1, value: 9, trials: trials, direction: .minimize) == .stop)
    }

    @Test func judgesTheBestValueSoFar() throws {
        let median = try MedianStoppingScheduler(warmupResource: 0, minTrials: 3, maxResource: 10)
        var trials = others([1, 2, 3])
        let own = TrialSnapshot(number: 0, params: [:], state: .running, intermediate: [1: 1.5, 2: 4])
        trials.append(own)
        // 5 at epoch 3 is worse than the median 2, but the best so far (1.5, epoch 1) is not.
        #expect(median.report(trial: 0, resource: 3, value: 5, trials: trials, direction: .minimize) == .proceed)
        // Values after the reported resource are not "so far".
        trials[3].intermediate = [4: 0]
        #expect(median.report(trial: 0, resource: 3, value: 5, trials: trials, direction: .minimize) == .stop)
    }

    @Test func failedTrialsAndNonFiniteValuesDoNotCount() throws {
        let median = try MedianStoppingScheduler(warmupResource: 0, minTrials: 3, maxResource: 10)
        let trials = others([1, 2]) + others([100, 100], state: .failed).map {
            var t = $0
            t.number += 10
            return t
        } + [TrialSnapshot(number: 20, params: [:], state: .running, intermediate: [1: .nan])]
        #expect(median.report(trial: 0, resource: 1, value: 50, trials: trials, direction: .minimize) == .proceed)
        let completed = trials + others([3], state: .pruned).map {
            var t = $0
            t.number = 30
            return t
        }
        #expect(median.report(trial: 0, resource: 1, value: 50, trials: completed, direction: .minimize) == .stop)
    }

    @Test func maximizingMirrorsMinimizing() throws {
        let median = try MedianStoppingScheduler(warmupResource: 0, minTrials: 3, maxResource: 10)
        let low = others([1, 2, 3, 4]), high = others([-1, -2, -3, -4])
        for value in [0.5, 2.5, 2.6, 5] {
            #expect(
                median.report(trial: 0, resource: 1, value: value, trials: low, direction: .minimize)
                    == median.report(trial: 0, resource: 1, value: -value, trials: high, direction: .maximize))
        }
        #expect(median.report(trial: 0, resource: 1, value: -5, trials: high, direction: .maximize) == .stop)
    }

    @Test func aNaNStops() throws {
        let median = try MedianStoppingScheduler(maxResource: 10)
        #expect(median.report(trial: 0, resource: 1, value: .nan, trials: [], direction: .minimize) == .stop)
    }

    @Test func runningAveragesLagBehindFallingCurves() throws {
        let median = try MedianStoppingScheduler(warmupResource: 0, minTrials: 3, maxResource: 10, runningAverage: true)
        let falling = (1...3).map {
            TrialSnapshot(number: $0, params: [:], state: .completed, intermediate: [1: 4, 2: 2, 3: Double($0)])
        }
        // Values at epoch 3 are 1, 2, 3 (median 2); running averages are 7/3, 8/3, 3 (median 8/3).
        #expect(median.report(trial: 0, resource: 3, value: 2.5, trials: falling, direction: .minimize) == .proceed)
        #expect(median.report(trial: 0, resource: 3, value: 2.7, trials: falling, direction: .minimize) == .stop)
        let plain = try MedianStoppingScheduler(warmupResource: 0, minTrials: 3, maxResource: 10)
        #expect(plain.report(trial: 0, resource: 3, value: 2.5, trials: falling, direction: .minimize) == .stop)
    }

    /// Runs both comparisons over `seeds` sweeps of 40 trials on 3 workers, 20 epochs each,
    /// and counts, by true rank (0 = best final), how often a trial was stopped.
    private func stoppedByRank(tau: ClosedRange<Double>, runningAverage: Bool, seeds: Int)
        throws -> (stopped: [Int], badKept: Int, epochRatio: Double)
    {
        let workers = 3
        var stopped = Array(repeating: 0, count: 40), badKept = 0, epochs = 0
        for seed in 0..<UInt64(seeds) {
            let outcome = LearningCurves.simulation(trials: 40, workers: workers, tau: tau, seed: seed).run(
                try MedianStoppingScheduler(warmupResource: 1, minTrials: 3, maxResource: 20, runningAverage: runningAverage))
            for (rank, number) in LearningCurves.ranking(outcome.trials).enumerated() {
                if outcome.trials[number].state == .pruned { stopped[rank] += 1 }
                // The first `workers` trials never see three others ahead of them.
                if rank >= 30, number >= workers, outcome.trials[number].state == .completed { badKept += 1 }
            }
            epochs += outcome.epochs
        }
        print("Median stopping, τ \(tau), running average \(runningAverage): stopped by rank \(stopped); worst quarter kept \(badKept); epochs \(Double(epochs) / Double(seeds * 40 * 20)) of full training")
        return (stopped, badKept, Double(epochs) / Double(seeds * 40 * 20))
    }

    /// Curves that never cross (shared τ): every trial of the worst quarter that can be
    /// compared is stopped, and the three best of 40 never are. Below them, survivor bias
    /// stops some good trials; running averages stop far fewer of the best quarter, at the
    /// price of more epochs and an occasional bad trial kept. Figures in docs/tuning.md.
    @Test func stopsTheBadCurvesAndNoneOfTheTopOnes() throws {
        let plain = try stoppedByRank(tau: 2...2, runningAverage: false, seeds: 20)
        #expect(plain.badKept == 0)
        #expect(plain.stopped.prefix(3).allSatisfy { $0 == 0 }, "\(plain.stopped)")
        #expect(plain.epochRatio < 0.4)
        let averaged = try stoppedByRank(tau: 2...2, runningAverage: true, seeds: 20)
        #expect(averaged.badKept <= 2, "of about 190 bad trials")
        #expect(averaged.stopped.prefix(3).allSatisfy { $0 == 0 }, "\(averaged.stopped)")
        #expect(averaged.stopped.prefix(10).reduce(0, +) * 2 < plain.stopped.prefix(10).reduce(0, +))
        #expect(averaged.epochRatio > plain.epochRatio)
    }

    /// Curves that cross (τ in [1, 3]): a slow starter can be stopped, more often without
    /// running averages; the worst quarter is still stopped.
    @Test func stopsTheBadCurvesWhenCurvesCross() throws {
        let plain = try stoppedByRank(tau: 1...3, runningAverage: false, seeds: 20)
        let averaged = try stoppedByRank(tau: 1...3, runningAverage: true, seeds: 20)
        #expect(plain.badKept == 0)
        #expect(averaged.badKept <= 2, "of about 190 bad trials")
        #expect(averaged.stopped.prefix(10).reduce(0, +) * 2 < plain.stopped.prefix(10).reduce(0, +))
    }
}
