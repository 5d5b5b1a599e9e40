import Foundation
import RingmasterCore
import Testing
import Tuning

@Suite struct ParameterImportanceTests {
    private let space = SearchSpace(parameters: [
        ParameterSpec(name: "dominant", distribution: .uniform(low: 0, high: 1)),
        ParameterSpec(name: "minor", distribution: .logUniform(low: 1e-3, high: 1)),
        ParameterSpec(name: "irrelevant", distribution: .uniform(low: -5, high: 5)),
        ParameterSpec(name: "kind", distribution: .choice([.text("a"), .text("b"), .text("c")])),
    ])

    private func trials(_ count: Int, seed: UInt64, loss: (ParameterAssignment) -> Double) throws -> [TrialSnapshot] {
        try sweep(RandomSampler(), space: space, count: count, seed: seed, loss: loss)
    }

    /// loss = 10 (x − 0.3)² + 0.3 |log10 m + 1.5|, nothing else: x must dominate, z must be negligible.
    @Test func dominantParameterRanksFirstAndIrrelevantOnesNearZero() throws {
        let history = try trials(300, seed: 1) { params in
            let x = params["dominant"]!.number!, m = params["minor"]!.number!
            return 10 * (x - 0.3) * (x - 0.3) + 0.3 * abs(log10(m) + 1.5)
        }
        let scores = try ParameterImportance().evaluate(space: space, trials: history, direction: .minimize)
        let importance = Dictionary(uniqueKeysWithValues: scores.map { ($0.parameter, $0.importance) })
        #expect(scores.first?.parameter == "dominant")
        #expect(importance["dominant"]! > 0.6, "\(scores)")
        #expect(importance["minor"]! > importance["irrelevant"]!, "\(scores)")
        #expect(importance["irrelevant"]! < 0.1 && importance["kind"]! < 0.1, "\(scores)")
        #expect(abs(scores.map(\.importance).reduce(0, +) - 1) < 1e-12)
    }

    /// Only the category matters (ties keep trial order, so the good trials are otherwise random);
    /// the direction decides which trials are good: maximising −loss ranks like minimising loss.
    @Test func categoricalParametersAndDirection() throws {
        let history = try trials(200, seed: 2) { params in params["kind"] == .text("b") ? 0 : 1 }
        let negated = history.map { trial in
            var trial = trial
            trial.value = -trial.value!
            return trial
        }
        let minimised = try ParameterImportance().evaluate(space: space, trials: history, direction: .minimize)
        let maximised = try ParameterImportance().evaluate(space: space, trials: negated, direction: .maximize)
        #expect(minimised.first?.parameter == "kind" && minimised.first!.importance > 0.8, "\(minimised)")
        #expect(minimised == maximised)
    }

    @Test func tooFewTrialsOrBadQuantilesAreRejected() throws {
        let history = try trials(10, seed: 3) { _ in 0 }
        #expect(throws: TuningError.self) { try ParameterImportance().evaluate(space: space, trials: history, direction: .minimize) }
        #expect(throws: TuningError.self) {
            try ParameterImportance(targetQuantile: 0.5, regionQuantile: 0.2).evaluate(space: space, trials: history, direction: .minimize)
        }
    }
}
