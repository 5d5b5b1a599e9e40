import Foundation
import Tensors

/// Inference: evaluation sums and predictions, without dropout. Both accept any number
/// of rows and work through them `maxBatch` at a time.
extension Network {
    /// Loss and accuracy SUMS over `batch` rows, so that ranks evaluating disjoint shards
    /// can allreduce them and divide by the total row count once.
    ///
    /// - lossSum: Σ over rows of the per-row loss (for MSE, the row's mean over outputs),
    ///   so `lossSum / rows` equals the training loss on the same data.
    /// - correct: rows whose argmax (CE) or `p > 0.5` (BCE) matches the label; 0 for MSE.
    /// - squaredErrorSum: Σ over rows and outputs of (y - t)² for MSE (RMSE is
    ///   `sqrt(squaredErrorSum / (rows · outputs))`); 0 for classification.
    ///
    /// A `batch` of 0 returns zeros, so a rank whose shard ran out can still take part.
    public func evaluate(
        input: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int
    ) -> (lossSum: Double, correct: Int, squaredErrorSum: Double) {
        precondition(batch >= 0)
        let (inputs, columns, targetColumns) = (architecture.inputs, architecture.outputs, architecture.targetColumns)
        var lossSum = 0.0
        var correct = 0
        for start in stride(from: 0, to: batch, by: maxBatch) {
            let rows = min(maxBatch, batch - start)
            let chunkTargets = targets + start * targetColumns
            let outputs = forward(input + start * inputs, batch: rows)
            let mean = architecture.loss.mean(
                batch: rows, columns: columns, outputs: outputs, targets: chunkTargets, gradient: nil)
            lossSum += mean * Double(rows)
            correct += architecture.loss.correct(batch: rows, columns: columns, outputs: outputs, targets: chunkTargets)
        }
        let squaredErrorSum = architecture.loss == .meanSquaredError ? lossSum * Double(columns) : 0
        return (lossSum, correct, squaredErrorSum)
    }

    /// Outputs for `batch` rows of `input` (batch, inputs), as (batch, outputs) row-major:
    /// class probabilities for CE (softmax), the probability of class 1 for BCE (sigmoid),
    /// raw values for regression.
    public func predict(_ input: UnsafePointer<Float>, batch: Int) -> [Float] {
        precondition(batch >= 0)
        var result = [Float](repeating: 0, count: batch * architecture.outputs)
        result.withUnsafeMutableBufferPointer { predict(input, batch: batch, into: $0.baseAddress!) }
        return result
    }

    /// ``predict(_:batch:)`` into a caller-owned buffer of (batch, outputs) floats, so a
    /// server answering batch after batch allocates nothing per batch.
    public func predict(_ input: UnsafePointer<Float>, batch: Int, into destinationBase: UnsafeMutablePointer<Float>) {
        precondition(batch >= 0)
        let (inputs, columns) = (architecture.inputs, architecture.outputs)
        for start in stride(from: 0, to: batch, by: maxBatch) {
            let rows = min(maxBatch, batch - start)
            let outputs = forward(input + start * inputs, batch: rows)
            let destination = destinationBase + start * columns
            let count = rows * columns
            switch architecture.loss {
            case .softmaxCrossEntropy:
                Kernels.logSoftmax(rows: rows, columns: columns, input: outputs, output: destination)
                for i in 0..<count { destination[i] = Foundation.exp(destination[i]) }
            case .binaryCrossEntropy:
                Kernels.sigmoid(count: count, input: outputs, output: destination)
            case .meanSquaredError:
                destination.update(from: outputs, count: count)
            }
        }
    }
}

extension ModelArchitecture {
    /// The class each row of ``Network/predict(_:batch:)``'s `outputs` picks: the largest
    /// probability, or class 1 when a single sigmoid output is above 0.5.
    public func predictedClasses(_ outputs: [Float]) -> [Int] {
        let width = outputs.count / max(self.outputs, 1)
        guard self.outputs > 1 else { return outputs.map { $0 > 0.5 ? 1 : 0 } }
        return (0..<width).map { row in
            let base = row * self.outputs
            var best = 0
            for j in 1..<self.outputs where outputs[base + j] > outputs[base + best] { best = j }
            return best
        }
    }
}
