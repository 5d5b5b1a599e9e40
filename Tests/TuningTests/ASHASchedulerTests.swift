import RingmasterCore
import Testing
import Tuning

@Suite struct ASHASchedulerTests {
    @Test func rungsAreGeometricAndBelowTheMaximum() throws {
        #expect(try ASHAScheduler(maxResource: 27).rungResources == [1, 3, 9])
        #expect(try ASHAScheduler(minResource: 1, maxResource: 28).rungResources == [1, 3, 9, 27])
        #expect(try ASHAScheduler(minResource: 2, maxResource: 100, reductionFactor: 4).rungResources == [2, 8, 32])
        #expect(try ASHAScheduler(minResource: 5, maxResource: 5).rungResources.isEmpty)
        #expect(try ASHAScheduler(minResource: 1, maxResource: .max, reductionFactor: 2).rungResources.count == 63)
    }

    /// Hand-worked rung 1 with η = 3: a trial continues when it is among the best
    /// max(1, ⌊n/3⌋) of the n values recorded there, itself included; ties continue.
    @Test func aTrialContinuesOnlyInTheTopFractionOfItsRung() throws {
        let asha = try ASHAScheduler(minResource: 1, maxResource: 9, reductionFactor: 3)
        let script: [(value: Double, expected: SchedulerDecision)] = [
            (10, .proceed),  // n = 1: the first value at a rung is the best of one
            (20, .stop),  // n = 2, keep 1: [10, 20]
            (15, .stop),  // n = 3, keep 1
            (12, .stop),  // n = 4, keep 1
            (30, .stop),  // n = 5, keep 1
            (11, .proceed),  // n = 6, keep 2: [10, 11, 12, …]; keep 1 would have stopped it
            (10, .proceed),  // n = 7, keep 2: [10, 10, 11, …], a tie with the cut-off continues
            (10.5, .stop),  // n = 8, keep 2: cut-off 10
        ]
        for (number, step) in script.enumerated() {
            let decision = asha.report(trial: number, resource: 1, value: step.value, trials: [], direction: .minimize)
            #expect(decision == step.expected, "trial \(number) reporting \(step.value)")
        }
    }

    @Test func maximizingMirrorsMinimizing() throws {
        let values: [Double] = [10, 20, 15, 12, 30, 11, 10, 10.5]
        let low = try ASHAScheduler(maxResource: 9), high = try ASHAScheduler(maxResource: 9)
        for (number, value) in values.enumerated() {
            #expect(
                low.report(trial: number, resource: 1, value: value, trials: [], direction: .minimize)
                    == high.report(trial: number, resource: 1, value: -value, trials: [], direction: .maximize))
        }
    }

    @Test func betweenRungsTrialsProceedAndAStopIsFinal() throws {
        let asha = try ASHAScheduler(minResource: 2, maxResource: 18, reductionFactor: 3)
        #expect(asha.report(trial: 0, resource: 1, value: 1, trials: [], direction: .minimize) == .proceed)
        #expect(asha.report(trial: 0, resource: 2, value: 1, trials: [], direction: .minimize) == .proceed)
        #expect(asha.report(trial: 1, resource: 1, value: 9, trials: [], direction: .minimize) == .proceed)
        #expect(asha.report(trial: 1, resource: 2, value: 9, trials: [], direction: .minimize) == .stop)
        #expect(asha.report(trial: 1, resource: 3, value: 0, trials: [], direction: .minimize) == .stop)
    }

    /// A trial whose reports skip a rung's epoch is judged at every rung it has passed.
    @Test func skippedRungsAreJudgedOnTheNextReport() throws {
        let asha = try ASHAScheduler(minResource: 1, maxResource: 27, reductionFactor: 3)
        #expect(asha.report(trial: 0, resource: 1, value: 5, trials: [], direction: .minimize) == .proceed)
        #expect(asha.report(trial: 0, resource: 3, value: 1, trials: [], direction: .minimize) == .proceed)
        // Trial 1 first reports at epoch 4: judged at rung 1 (2 beats 5), then at rung 3 (2 loses to 1).
        #expect(asha.report(trial: 1, resource: 4, value: 2, trials: [], direction: .minimize) == .stop)
        // Trial 2 reports 0.5 at epoch 4: best at rungs 1 and 3.
        #expect(asha.report(trial: 2, resource: 4, value: 0.5, trials: [], direction: .minimize) == .proceed)
    }

    @Test func aNaNStopsWithoutBeingRecorded() throws {
        let asha = try ASHAScheduler(maxResource: 9)
        #expect(asha.report(trial: 0, resource: 1, value: .nan, trials: [], direction: .minimize) == .stop)
        #expect(asha.report(trial: 1, resource: 1, value: 100, trials: [], direction: .minimize) == .proceed)
    }

    @Test func minTrialsPerRungLetsTheFirstArrivalsThrough() throws {
        let asha = try ASHAScheduler(maxResource: 9, minTrialsPerRung: 3)
        #expect(asha.report(trial: 0, resource: 1, value: 1, trials: [], direction: .minimize) == .proceed)
        #expect(asha.report(trial: 1, resource: 1, value: 2, trials: [], direction: .minimize) == .proceed)
        #expect(asha.report(trial: 2, resource: 1, value: 3, trials: [], direction: .minimize) == .stop)
    }

    /// Curves that never cross (shared τ): the ranking at every rung is the true ranking, so
    /// the best trial must reach the maximum in every seed, for a small fraction of the epochs
    /// of training all 81 trials fully. Figures in docs/tuning.md.
    @Test func keepsTheBestTrialWhenRankingsHold() throws {
        let seeds = 10
        var epochs = 0, mostEpochs = 0
        for seed in 0..<UInt64(seeds) {
            let outcome = LearningCurves.simulation(trials: 81, workers: 4, tau: 2...2, seed: seed)
                .run(try ASHAScheduler(minResource: 1, maxResource: 27, reductionFactor: 3))
            let best = LearningCurves.ranking(outcome.trials)[0]
            #expect(outcome.trials[best].state == .completed, "seed \(seed)")
            #expect(outcome.trials[best].intermediate.count == 27)
            epochs += outcome.epochs
            mostEpochs = max(mostEpochs, outcome.epochs)
        }
        print("ASHA, non-crossing curves: best kept in every seed; epochs \(Double(epochs) / Double(seeds * 81 * 27)) of full training (at most \(mostEpochs) of \(81 * 27))")
        #expect(Double(mostEpochs) < 0.25 * Double(81 * 27))
    }

    /// Curves that cross (τ in [1, 3]): an early rung can misjudge a slow starter, so the true
    /// best is not always kept, but what ASHA trains fully stays near the top in every seed.
    @Test func staysNearTheBestWhenCurvesCross() throws {
        var keptBest = 0, worstRank = 0, epochs = 0
        let seeds = 20
        for seed in 0..<UInt64(seeds) {
            let outcome = LearningCurves.simulation(trials: 81, workers: 4, tau: 1...3, seed: seed)
                .run(try ASHAScheduler(minResource: 1, maxResource: 27, reductionFactor: 3))
            let ranking = LearningCurves.ranking(outcome.trials)
            if outcome.trials[ranking[0]].state == .completed { keptBest += 1 }
            let rank = ranking.firstIndex { outcome.trials[$0].state == .completed }!
            worstRank = max(worstRank, rank)
            epochs += outcome.epochs
        }
        print("ASHA, crossing curves: best kept in \(keptBest)/\(seeds) seeds; best fully trained trial ranked ≤ \(worstRank + 1) of 81; epochs \(Double(epochs) / Double(seeds * 81 * 27)) of full training")
        #expect(worstRank < 8, "the best fully trained trial is in the top 10%")
        #expect(keptBest >= seeds / 2)
    }
}
