import Foundation

/// Loss functions over a batch, each returning the MEAN loss over the batch (as PyTorch's
/// default `reduction='mean'`) and, when `gradient` is non-nil, writing
/// d(mean loss)/d(network output) into it, overwriting it.
///
/// Losses accumulate in Double: a batch of thousands of small per-row losses summed in
/// Float would lose the digits that distinguish two nearby learning rates.
extension Kernels {
    /// Softmax cross-entropy from logits: mean over rows of `logsumexp(z) - z[label]`.
    ///
    /// - logits: (rows, classes), classes ≥ 2
    /// - labels: (rows), class indices stored as Float (0, 1, …, classes - 1)
    /// - gradient: (rows, classes), `(softmax(z) - onehot(label)) / rows`
    public static func softmaxCrossEntropy(
        rows: Int, classes: Int, logits: UnsafePointer<Float>, labels: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        precondition(rows > 0 && classes > 0)
        let inverseRows = 1 / Float(rows)
        var total = 0.0
        for r in 0..<rows {
            let z = logits + r * classes
            let label = classIndex(labels[r], classes: classes)
            let (maximum, logSum) = shiftedLogSumExp(z, count: classes)
            total += Double(maximum - z[label]) + Double(logSum)
            if let gradient {
                let g = gradient + r * classes
                for c in 0..<classes { g[c] = Foundation.exp((z[c] - maximum) - logSum) * inverseRows }
                g[label] -= inverseRows
            }
        }
        return total / Double(rows)
    }

    /// Binary cross-entropy from logits (one output column), in the stable form
    /// `max(z, 0) - z t + log(1 + exp(-|z|))` that PyTorch's `BCEWithLogitsLoss` uses.
    ///
    /// - logits: (rows, 1)
    /// - labels: (rows), 0 or 1 (soft labels in [0, 1] also work)
    /// - gradient: (rows, 1), `(σ(z) - t) / rows`
    public static func binaryCrossEntropy(
        rows: Int, logits: UnsafePointer<Float>, labels: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        precondition(rows > 0)
        let inverseRows = 1 / Float(rows)
        var total = 0.0
        for r in 0..<rows {
            let z = Double(logits[r])
            let t = Double(labels[r])
            total += max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-abs(z)))
            if let gradient { gradient[r] = (sigmoid(logits[r]) - labels[r]) * inverseRows }
        }
        return total / Double(rows)
    }

    /// Mean squared error over every element, `Σ (y - t)² / (rows · columns)`, exactly
    /// PyTorch's `MSELoss()`: no ½ factor, and the mean runs over outputs as well as rows.
    ///
    /// - outputs, targets: (rows, columns)
    /// - gradient: (rows, columns), `2 (y - t) / (rows · columns)`
    public static func meanSquaredError(
        rows: Int, columns: Int, outputs: UnsafePointer<Float>, targets: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        precondition(rows > 0 && columns > 0)
        let count = rows * columns
        let gradientScale = 2 / Float(count)
        var total = 0.0
        for i in 0..<count {
            let difference = outputs[i] - targets[i]
            total += Double(difference) * Double(difference)
            if let gradient { gradient[i] = gradientScale * difference }
        }
        return total / Double(count)
    }

    /// Converts a label stored as Float to a class index, stopping with a clear message
    /// on a label the dataset should never have produced.
    @inline(__always)
    static func classIndex(_ label: Float, classes: Int) -> Int {
        precondition(
            label >= 0 && label < Float(classes) && label == label.rounded(.towardZero),
            "class label \(label) is not an integer in 0..<\(classes)")
        return Int(label)
    }
}
