import Foundation
import Learning
import Testing

/// Schedules at chosen steps, for a run of 10 epochs of 10 steps with base rate 1.
@Suite struct LearningRateScheduleTests {
    func rate(_ schedule: LearningRateSchedule, _ step: Int) -> Double {
        schedule.rate(base: 1, step: step, stepsPerEpoch: 10, totalEpochs: 10)
    }

    /// Two warmup epochs = 20 steps rising 1/20, 2/20, …, 20/20, then the schedule.
    @Test func warmupRisesLinearlyToTheBase() {
        let schedule = LearningRateSchedule(kind: .constant, warmupEpochs: 2)
        #expect(rate(schedule, 0) == 0.05)
        #expect(abs(rate(schedule, 9) - 0.5) < 1e-12)
        #expect(rate(schedule, 19) == 1)
        #expect(rate(schedule, 20) == 1)
        #expect(rate(schedule, 99) == 1)
    }

    /// Decays by gamma every stepEpochs epochs counted from the end of warmup.
    @Test func stepDecaysEveryStepEpochs() {
        let schedule = LearningRateSchedule(kind: .step, stepEpochs: 3, gamma: 0.5, warmupEpochs: 1)
        #expect(rate(schedule, 10) == 1)
        #expect(rate(schedule, 39) == 1)
        #expect(rate(schedule, 40) == 0.5)
        #expect(rate(schedule, 70) == 0.25)
        #expect(rate(schedule, 99) == 0.25)
    }

    /// With stepEpochs unset, decays come every 30% of the (post-warmup) run: 3 epochs of 10.
    @Test func stepDefaultsToThirtyPercentOfTheRun() {
        let schedule = LearningRateSchedule(kind: .step)
        #expect(rate(schedule, 29) == 1)
        #expect(abs(rate(schedule, 30) - 0.1) < 1e-12)
        #expect(abs(rate(schedule, 90) - 0.001) < 1e-12)
    }

    /// Cosine over the 80 post-warmup steps: base at its start, the midpoint halfway, the
    /// minimum at the end (and past it).
    @Test func cosineAnnealsToTheMinimum() {
        let schedule = LearningRateSchedule(kind: .cosine, minLearningRate: 0.1, warmupEpochs: 2)
        #expect(rate(schedule, 20) == 1)
        #expect(abs(rate(schedule, 60) - 0.55) < 1e-12)
        #expect(abs(rate(schedule, 99) - (0.1 + 0.9 * (1 + cos(Double.pi * 79 / 80)) / 2)) < 1e-12)
        #expect(abs(rate(schedule, 100) - 0.1) < 1e-12)
        #expect(abs(rate(schedule, 150) - 0.1) < 1e-12)
        #expect((20..<99).allSatisfy { rate(schedule, $0) > rate(schedule, $0 + 1) })
    }

    @Test func validationAndCoding() throws {
        #expect(throws: LearningRateScheduleError.self) { try LearningRateSchedule(kind: .step, stepEpochs: 0).validate() }
        #expect(throws: LearningRateScheduleError.self) { try LearningRateSchedule(warmupEpochs: -1).validate() }
        let schedule = LearningRateSchedule(kind: .cosine, minLearningRate: 1e-4, warmupEpochs: 0.5)
        try schedule.validate()
        #expect(try JSONDecoder().decode(LearningRateSchedule.self, from: JSONEncoder().encode(schedule)) == schedule)
    }
}
