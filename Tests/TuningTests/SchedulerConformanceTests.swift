import RingmasterCore
import Testing
import Tuning

/// What every scheduler owes the coordinator, checked on the same simulated sweep.
@Suite struct SchedulerConformanceTests {
    enum Kind: String, CaseIterable, Sendable {
        case median, asha, hyperband, pbt

        func make() throws -> Scheduler {
            switch self {
            case .median: return try MedianStoppingScheduler(maxResource: 27)
            case .asha: return try ASHAScheduler(maxResource: 27)
            case .hyperband: return try HyperbandScheduler(maxResource: 27)
            case .pbt:
                let space = SearchSpace(parameters: [
                    ParameterSpec(name: "final", distribution: .uniform(low: 0.1, high: 0.9)),
                    ParameterSpec(name: "tau", distribution: .uniform(low: 1, high: 3)),
                ])
                return try PopulationBasedTraining(perturbationInterval: 3, space: space, maxResource: 27, seed: 4)
            }
        }
    }

    private func sweep(_ direction: OptimizationDirection = .minimize) -> SchedulerSimulation {
        LearningCurves.simulation(trials: 48, workers: 4, tau: 1...3, seed: 21, direction: direction)
    }

    /// The same curves, reported negated under `maximize`, give the same decisions.
    @Test(arguments: Kind.allCases)
    func maximizingMirrorsMinimizing(kind: Kind) throws {
        let low = sweep(.minimize).run(try kind.make()).reports
        let high = sweep(.maximize).run(try kind.make()).reports
        #expect(low.count == high.count)
        for (l, h) in zip(low, high) {
            #expect(l.trial == h.trial && l.resource == h.resource && l.value == -h.value)
            #expect(l.decision == h.decision, "trial \(l.trial) at \(l.resource)")
        }
        #expect(low.contains { $0.decision != .proceed }, "the sweep exercises a decision")
    }

    @Test(arguments: Kind.allCases)
    func sameCallsGiveTheSameDecisions(kind: Kind) throws {
        #expect(sweep().run(try kind.make()).reports == sweep().run(try kind.make()).reports)
    }

    /// No trial trains past `maxResource(forTrial:)`; completed trials train exactly that long.
    @Test(arguments: Kind.allCases)
    func budgetsAreKept(kind: Kind) throws {
        let scheduler = try kind.make()
        let outcome = sweep().run(scheduler)
        for trial in outcome.trials {
            let budget = scheduler.maxResource(forTrial: trial.number)
            #expect(trial.intermediate.count <= budget)
            if trial.state == .completed { #expect(trial.intermediate.count == budget) }
        }
    }
}
