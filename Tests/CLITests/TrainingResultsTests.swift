import Foundation
import Testing
import TestSupport

/// The published quality bars: digits ≥ 0.97 at 1, 2 and 4 ranks (same global batch,
/// within 0.01 of each other), breast cancer ≥ 0.96, diabetes R² ≥ 0.40.
@Suite(.serialized) struct TrainingResultsTests {
    @Test func digitsAccuracyHoldsAcrossRankCounts() throws {
        let cli = try CLI()
        let globalBatch = 64
        var accuracies: [Int: Double] = [:]
        for ranks in [1, 2, 4] {
            let result = try cli.train(
                CLI.example("digits.yaml"), ranks: ranks, ["--set", "training.batch_size=\(globalBatch / ranks)"])
            #expect(result.ranks == ranks)
            accuracies[ranks] = try #require(result.validation.accuracy)
        }
        for (ranks, accuracy) in accuracies {
            #expect(accuracy >= 0.97, "digits on \(ranks) ranks: accuracy \(accuracy)")
        }
        let spread = accuracies.values.max()! - accuracies.values.min()!
        #expect(spread <= 0.01, "accuracy spread across rank counts \(accuracies)")
    }

    @Test func breastCancerLogisticRegression() throws {
        let result = try CLI().train(CLI.example("breast_cancer.yaml"), ranks: 2)
        let accuracy = try #require(result.validation.accuracy)
        #expect(accuracy >= 0.96, "breast cancer accuracy \(accuracy)")
    }

    @Test func diabetesLinearRegression() throws {
        let result = try CLI().train(CLI.example("diabetes.yaml"))
        let r2 = try #require(result.validation.r2)
        #expect(r2 >= 0.40, "diabetes R² \(r2)")
    }
}
