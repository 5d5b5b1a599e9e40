import Pipelines
import Testing

@Suite struct GateTests {
    @Test func theFirstModelPassesOnAbsoluteThresholdsAlone() {
        let thresholds = [GateThreshold(metric: .accuracy, min: 0.9, minDelta: 0.01)]
        let pass = Gate.decide(thresholds, candidate: [.accuracy: 0.93], baseline: nil)
        #expect(pass.passed)
        #expect(pass.checks == ["accuracy 0.93 >= min 0.9: ok", "accuracy: no baseline, relative thresholds skipped"])
        #expect(!Gate.decide(thresholds, candidate: [.accuracy: 0.85], baseline: nil).passed)
    }

    @Test func aCandidateMustImproveOnTheBaselineByTheDelta() {
        let thresholds = [GateThreshold(metric: .accuracy, min: 0.5, minDelta: 0.01)]
        #expect(Gate.decide(thresholds, candidate: [.accuracy: 0.95], baseline: [.accuracy: 0.93]).passed)
        let worse = Gate.decide(thresholds, candidate: [.accuracy: 0.935], baseline: [.accuracy: 0.93])
        #expect(!worse.passed)
        #expect(worse.summary == "rejected: accuracy 0.935 vs baseline 0.93: improvement +0.005 >= min_delta 0.01: FAILED")
        // A negative delta tolerates a small regression.
        let tolerant = [GateThreshold(metric: .accuracy, minDelta: -0.01)]
        #expect(Gate.decide(tolerant, candidate: [.accuracy: 0.925], baseline: [.accuracy: 0.93]).passed)
        #expect(!Gate.decide(tolerant, candidate: [.accuracy: 0.91], baseline: [.accuracy: 0.93]).passed)
    }

    @Test func lowerIsBetterForLossAndRelativeThresholdsScaleByTheBaseline() {
        let loss = [GateThreshold(metric: .loss, max: 1.0, minRelative: 0.1)]
        #expect(Gate.decide(loss, candidate: [.loss: 0.44], baseline: [.loss: 0.5]).passed)
        #expect(!Gate.decide(loss, candidate: [.loss: 0.46], baseline: [.loss: 0.5]).passed)
        #expect(!Gate.decide(loss, candidate: [.loss: 1.2], baseline: nil).passed)
        let inverted = [GateThreshold(metric: .r2, minDelta: 0, higherIsBetter: false)]
        #expect(Gate.decide(inverted, candidate: [.r2: 0.4], baseline: [.r2: 0.5]).passed)
    }

    @Test func aMissingCandidateMetricFails() {
        let decision = Gate.decide([GateThreshold(metric: .accuracy, min: 0.1)], candidate: [.loss: 0.2], baseline: nil)
        #expect(!decision.passed && decision.summary == "rejected: candidate has no accuracy: FAILED")
    }
}
