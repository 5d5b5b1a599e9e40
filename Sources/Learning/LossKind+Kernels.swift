import Tensors

/// Dispatch from the configured ``LossKind`` to its kernel.
extension LossKind {
    /// Mean loss over `batch` rows of `outputs` (batch, columns) against `targets`
    /// (batch, targetColumns); writes d(mean loss)/d(outputs) when `gradient` is non-nil.
    func mean(
        batch: Int, columns: Int, outputs: UnsafePointer<Float>, targets: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        switch self {
        case .softmaxCrossEntropy:
            Kernels.softmaxCrossEntropy(rows: batch, classes: columns, logits: outputs, labels: targets, gradient: gradient)
        case .binaryCrossEntropy:
            Kernels.binaryCrossEntropy(rows: batch, logits: outputs, labels: targets, gradient: gradient)
        case .meanSquaredError:
            Kernels.meanSquaredError(rows: batch, columns: columns, outputs: outputs, targets: targets, gradient: gradient)
        }
    }

    /// Rows whose prediction matches the label: argmax for CE, logit > 0 (p > 0.5) for
    /// BCE; always 0 for regression.
    func correct(batch: Int, columns: Int, outputs: UnsafePointer<Float>, targets: UnsafePointer<Float>) -> Int {
        var count = 0
        switch self {
        case .softmaxCrossEntropy:
            for r in 0..<batch where Kernels.argmax(outputs + r * columns, count: columns) == Int(targets[r]) {
                count += 1
            }
        case .binaryCrossEntropy:
            for r in 0..<batch where (outputs[r] > 0) == (targets[r] > 0.5) { count += 1 }
        case .meanSquaredError:
            break
        }
        return count
    }
}
