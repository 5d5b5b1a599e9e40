import RingmasterCore
import Testing
import Tuning

@Suite struct HyperbandSchedulerTests {
    /// R/r = 81, η = 3: Hyperband's worked example (Li et al. 2018, table 1): s_max = 4 and
    /// n = 81, 34, 15, 8, 5 configurations from the most aggressive bracket to plain training.
    @Test func bracketsFollowHyperband() throws {
        let hyperband = try HyperbandScheduler(minResource: 1, maxResource: 81, reductionFactor: 3)
        #expect(hyperband.bracketMinimumResources == [1, 3, 9, 27, 81])
        #expect(hyperband.bracketWeights == [81, 34, 15, 8, 5])
        #expect(hyperband.bracketRungResources == [[1, 3, 9, 27], [3, 9, 27], [9, 27], [27], []])
        #expect(hyperband.maxResource(forTrial: 7) == 81)

        let single = try HyperbandScheduler(minResource: 4, maxResource: 10, reductionFactor: 3)
        #expect(single.bracketMinimumResources == [4])
        #expect(single.bracketRungResources == [[4]])
    }

    /// Every period of Σn trial numbers gives each bracket exactly its weight, and every
    /// prefix stays within one trial of its share.
    @Test func assignmentIsWeightedAndSmooth() throws {
        let hyperband = try HyperbandScheduler(minResource: 1, maxResource: 81, reductionFactor: 3)
        let total = hyperband.bracketWeights.reduce(0, +)
        var counts = Array(repeating: 0, count: 5)
        for number in 0..<(2 * total) {
            counts[hyperband.bracket(forTrial: number)] += 1
            for (b, weight) in hyperband.bracketWeights.enumerated() {
                let share = Double(number + 1) * Double(weight) / Double(total)
                #expect(abs(Double(counts[b]) - share) < 1, "bracket \(b) after \(number + 1) trials")
            }
            if number + 1 == total { #expect(counts == hyperband.bracketWeights) }
        }
        let again = try HyperbandScheduler(minResource: 1, maxResource: 81, reductionFactor: 3)
        #expect((0..<500).map(again.bracket(forTrial:)) == (0..<500).map(hyperband.bracket(forTrial:)))
    }

    /// Brackets are independent: replaying each bracket's reports, in the same order, through
    /// a lone ASHA with that bracket's minimum resource gives the same decisions, and trials
    /// are only stopped at their own bracket's rungs.
    @Test(arguments: 0..<3 as Range<UInt64>)
    func eachBracketJudgesOnlyItsOwnTrials(seed: UInt64) throws {
        let hyperband = try HyperbandScheduler(minResource: 1, maxResource: 27, reductionFactor: 3)
        let outcome = LearningCurves.simulation(trials: 100, workers: 4, tau: 1...3, seed: seed).run(hyperband)
        let replicas = try hyperband.bracketMinimumResources.map {
            try ASHAScheduler(minResource: $0, maxResource: 27, reductionFactor: 3)
        }
        var stoppedIn = Array(repeating: 0, count: replicas.count)
        for report in outcome.reports {
            let b = hyperband.bracket(forTrial: report.trial)
            let alone = replicas[b].report(
                trial: report.trial, resource: report.resource, value: report.value, trials: [], direction: .minimize)
            #expect(alone == report.decision, "trial \(report.trial) at \(report.resource)")
            if report.decision == .stop {
                stoppedIn[b] += 1
                #expect(hyperband.bracketRungResources[b].contains(report.resource))
            }
        }
        #expect(stoppedIn.last == 0, "the last bracket trains every trial fully")
        #expect(stoppedIn[0] > stoppedIn[2], "the most aggressive bracket stops the most")
        let full = outcome.trials.filter { $0.state == .completed }.map(\.number)
        #expect(Set(full.map(hyperband.bracket(forTrial:))).count == hyperband.bracketMinimumResources.count)
        let ranking = LearningCurves.ranking(outcome.trials)
        print("Hyperband seed \(seed): epochs \(Double(outcome.epochs) / Double(100 * 27)) of full training; best fully trained trial ranked \(ranking.firstIndex { outcome.trials[$0].state == .completed }! + 1) of 100; stops per bracket \(stoppedIn)")
    }
}
