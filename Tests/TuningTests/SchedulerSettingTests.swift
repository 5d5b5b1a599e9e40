import RingmasterCore
import Testing
import Tuning

/// Every invalid setting is refused with the sweep-spec field to fix.
@Suite struct SchedulerSettingTests {
    private func expectInvalid(_ field: String, _ make: () throws -> Scheduler, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try make()
            Issue.record("accepted an invalid \(field)", sourceLocation: sourceLocation)
        } catch let TuningError.invalidSetting(actual, reason) {
            #expect(actual == field, "\(reason)", sourceLocation: sourceLocation)
            #expect(!reason.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    static let space = SearchSpace(parameters: [ParameterSpec(name: "lr", distribution: .logUniform(low: 1e-4, high: 1))])

    @Test func medianStopping() throws {
        expectInvalid("scheduler.max_resource") { try MedianStoppingScheduler(maxResource: 0) }
        expectInvalid("scheduler.warmup_resource") { try MedianStoppingScheduler(warmupResource: -1, maxResource: 10) }
        expectInvalid("scheduler.warmup_resource") { try MedianStoppingScheduler(warmupResource: 10, maxResource: 10) }
        expectInvalid("scheduler.min_trials") { try MedianStoppingScheduler(minTrials: 0, maxResource: 10) }
        _ = try MedianStoppingScheduler(warmupResource: 0, minTrials: 1, maxResource: 1)
    }

    @Test func successiveHalving() throws {
        for make in [
            { try ASHAScheduler(minResource: $0, maxResource: $1, reductionFactor: $2) as Scheduler },
            { try HyperbandScheduler(minResource: $0, maxResource: $1, reductionFactor: $2) as Scheduler },
        ] as [(Int, Int, Int) throws -> Scheduler] {
            expectInvalid("scheduler.reduction_factor") { try make(1, 27, 1) }
            expectInvalid("scheduler.reduction_factor") { try make(1, 27, 0) }
            expectInvalid("scheduler.min_resource") { try make(0, 27, 3) }
            expectInvalid("scheduler.min_resource") { try make(28, 27, 3) }
            expectInvalid("scheduler.max_resource") { try make(1, -5, 3) }
            _ = try make(27, 27, 2)
        }
        expectInvalid("scheduler.min_trials_per_rung") { try ASHAScheduler(maxResource: 27, minTrialsPerRung: 0) }
        expectInvalid("scheduler.max_resource") { try HyperbandScheduler(minResource: 1, maxResource: 1 << 20) }
        _ = try HyperbandScheduler(minResource: 2, maxResource: 2 * HyperbandScheduler.maxResourceRatio)
    }

    @Test func populationBasedTraining() throws {
        let space = Self.space
        expectInvalid("scheduler.perturbation_interval") { try PopulationBasedTraining(perturbationInterval: 0, space: space, maxResource: 10) }
        expectInvalid("scheduler.perturbation_interval") { try PopulationBasedTraining(perturbationInterval: 10, space: space, maxResource: 10) }
        for quantile in [0, -0.1, 0.51, 1, .nan] {
            expectInvalid("scheduler.quantile") { try PopulationBasedTraining(perturbationInterval: 2, quantile: quantile, space: space, maxResource: 10) }
        }
        for probability in [-0.01, 1.01, .nan] {
            expectInvalid("scheduler.resample_probability") {
                try PopulationBasedTraining(perturbationInterval: 2, resampleProbability: probability, space: space, maxResource: 10)
            }
        }
        expectInvalid("scheduler.max_resource") { try PopulationBasedTraining(perturbationInterval: 2, space: space, maxResource: 0) }
        _ = try PopulationBasedTraining(perturbationInterval: 1, quantile: 0.5, resampleProbability: 1, space: space, maxResource: 2)
    }

    @Test func theMessageNamesTheField() {
        #expect(throws: TuningError.invalidSetting(field: "scheduler.reduction_factor", reason: "must be at least 2, got 1")) {
            try ASHAScheduler(maxResource: 9, reductionFactor: 1)
        }
        #expect("\(TuningError.invalidSetting(field: "scheduler.quantile", reason: "must be in (0, 0.5], got 0.7"))"
            == "scheduler.quantile: must be in (0, 0.5], got 0.7")
    }
}
