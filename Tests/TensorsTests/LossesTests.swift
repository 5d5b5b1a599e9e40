import Foundation
import RingmasterCore
import Tensors
import Testing

/// Loss kernels against ``Reference``: the mean loss to 1e-6 relative and the gradient to
/// 1e-5 relative (Float rounding of `exp` and of the 1/rows factor is ~1e-7).
@Suite struct LossesTests {
    @Test func softmaxCrossEntropyMatchesReference() {
        var rng = RandomGenerator(seed: 10)
        let rows = 11, classes = 5
        let logits = randomValues(rows * classes, in: -8...8, rng: &rng)
        let labels = (0..<rows).map { Float($0 % classes) }
        var gradient = [Float](repeating: .nan, count: rows * classes)
        let loss = Kernels.softmaxCrossEntropy(rows: rows, classes: classes, logits: logits, labels: labels, gradient: &gradient)
        let expected = Reference.softmaxCrossEntropy(rows: rows, classes: classes, logits: logits, labels: labels)
        #expect(abs(loss - expected.loss) <= 1e-6 * expected.loss)
        expectClose(gradient, expected.gradient, tolerance: 1e-5)
        #expect(Kernels.softmaxCrossEntropy(rows: rows, classes: classes, logits: logits, labels: labels, gradient: nil) == loss)
    }

    @Test func binaryCrossEntropyMatchesReference() {
        var rng = RandomGenerator(seed: 11)
        let rows = 40
        let logits = randomValues(rows, in: -12...12, rng: &rng)
        let labels = (0..<rows).map { Float($0 % 2) }
        var gradient = [Float](repeating: .nan, count: rows)
        let loss = Kernels.binaryCrossEntropy(rows: rows, logits: logits, labels: labels, gradient: &gradient)
        let expected = Reference.binaryCrossEntropy(rows: rows, logits: logits, labels: labels)
        #expect(abs(loss - expected.loss) <= 1e-6 * expected.loss)
        expectClose(gradient, expected.gradient, tolerance: 1e-5)
    }

    /// PyTorch's `MSELoss()` divides by every element, not by rows, and has no ½.
    @Test func meanSquaredErrorMatchesReferenceAndPyTorchConvention() {
        var rng = RandomGenerator(seed: 12)
        let rows = 6, columns = 3
        let outputs = randomValues(rows * columns, rng: &rng)
        let targets = randomValues(rows * columns, rng: &rng)
        var gradient = [Float](repeating: .nan, count: rows * columns)
        let loss = Kernels.meanSquaredError(rows: rows, columns: columns, outputs: outputs, targets: targets, gradient: &gradient)
        let expected = Reference.meanSquaredError(outputs: outputs, targets: targets)
        #expect(abs(loss - expected.loss) <= 1e-6 * expected.loss)
        expectClose(gradient, expected.gradient, tolerance: 1e-5)

        let two = Kernels.meanSquaredError(rows: 2, columns: 1, outputs: [1, 3], targets: [0, 0], gradient: nil)
        #expect(two == 5)
    }

    /// Logits of ±1e4 overflow a naive `exp`; the stable forms give the exact answers
    /// (0 for a confident right answer, 2e4 for a confident wrong one) and finite gradients.
    @Test func crossEntropyIsStableForLargeLogits() {
        let logits: [Float] = [10_000, -10_000, 0, -10_000, 10_000, 0]
        var gradient = [Float](repeating: .nan, count: 6)
        let right = Kernels.softmaxCrossEntropy(rows: 1, classes: 3, logits: logits, labels: [0], gradient: nil)
        #expect(right == 0)
        let mixed = Kernels.softmaxCrossEntropy(rows: 2, classes: 3, logits: logits, labels: [1, 1], gradient: &gradient)
        #expect(mixed == 10_000)
        #expect(gradient.allSatisfy { $0.isFinite })
        #expect(gradient == [0.5, -0.5, 0, 0, 0, 0])
    }

    @Test func binaryCrossEntropyIsStableForLargeLogits() {
        var gradient = [Float](repeating: .nan, count: 4)
        let loss = Kernels.binaryCrossEntropy(rows: 4, logits: [100, -100, 100, -100], labels: [1, 0, 0, 1], gradient: &gradient)
        // Two rows contribute ~0 (log1p(e^-100)), two contribute exactly 100.
        #expect(abs(loss - 50) < 1e-9)
        expectClose(gradient, [0, 0, 0.25, -0.25], tolerance: 1e-7)
    }

    /// Near-perfect predictions: the loss is the tiny positive number it should be, not 0 or
    /// negative from cancellation.
    @Test func confidentCorrectPredictionsGiveTinyPositiveLoss() {
        let ce = Kernels.softmaxCrossEntropy(rows: 1, classes: 2, logits: [20, 0], labels: [0], gradient: nil)
        #expect(abs(ce - Foundation.exp(-20.0)) < 1e-12)
        let bce = Kernels.binaryCrossEntropy(rows: 1, logits: [20], labels: [1], gradient: nil)
        #expect(abs(bce - Foundation.exp(-20.0)) < 1e-12)
    }
}
