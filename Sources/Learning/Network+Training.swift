import RingmasterCore
import Tensors

/// The loss and backward halves of a training step.
extension Network {
    /// d(mean loss)/d(outputs) (batch, outputs) from the last
    /// ``lossAndGradient(targets:batch:)``, the usual argument to ``backward(_:batch:)``.
    public var outputGradient: UnsafePointer<Float> { UnsafePointer(outputGradientBuffer) }

    /// The mean loss of the last forward's outputs against `targets`
    /// (batch, ``ModelArchitecture/targetColumns``), and how many rows were classified
    /// correctly (0 for regression). Writes d(mean loss)/d(outputs) into
    /// ``outputGradient``. `batch` must be the last forward's.
    public func lossAndGradient(targets: UnsafePointer<Float>, batch: Int) -> (loss: Double, correct: Int) {
        precondition(lastInput != nil && batch == lastBatch, "lossAndGradient: batch \(batch) does not match the last forward (\(lastBatch))")
        let outputs = UnsafePointer(layers[layers.count - 1].preActivation)
        let columns = architecture.outputs
        let loss = architecture.loss.mean(
            batch: batch, columns: columns, outputs: outputs, targets: targets, gradient: outputGradientBuffer)
        return (loss, architecture.loss.correct(batch: batch, columns: columns, outputs: outputs, targets: targets))
    }

    /// Overwrites ``gradients`` with d(loss)/d(parameters) for the last forward, given
    /// d(loss)/d(outputs) (batch, outputs). Dropout masks and activations are those of
    /// that forward, so `batch` must match it and its input must still be valid. The
    /// gradient with respect to the network's input is not computed.
    public func backward(_ outputGradient: UnsafePointer<Float>, batch: Int) {
        precondition(batch == lastBatch, "backward: batch \(batch) does not match the last forward (\(lastBatch))")
        guard let input = lastInput else { preconditionFailure("backward called before forward") }
        let weights = UnsafePointer(parameters.baseAddress!)
        let gradientArena = gradients.baseAddress!
        func inputOf(_ index: Int) -> UnsafePointer<Float> {
            index == 0 ? input : layers[index - 1].output(training: lastTraining)
        }

        // dz of the output layer is the loss gradient itself.
        let last = layers.count - 1
        var upstream = scratch.0
        var spare = scratch.1
        layers[last].backward(
            batch: batch, dz: outputGradient, input: inputOf(last), weights: weights,
            gradients: gradientArena, inputGradient: last > 0 ? upstream : nil)

        // Hidden layers, top down: `upstream` holds d(loss)/d(layer output) on entry and is
        // turned into dz in place, first through the dropout mask, then the activation.
        for index in stride(from: last - 1, through: 0, by: -1) {
            let layer = layers[index]
            let count = batch * layer.parameters.outputs
            if lastTraining, let mask = layer.mask {
                for i in 0..<count { upstream[i] *= mask[i] }
            }
            layer.activation!.backward(
                count: count, preActivation: layer.preActivation, activated: layer.activated, gradient: upstream)
            layer.backward(
                batch: batch, dz: upstream, input: inputOf(index), weights: weights,
                gradients: gradientArena, inputGradient: index > 0 ? spare : nil)
            swap(&upstream, &spare)
        }
    }

    /// One training step on `batch` rows: forward with dropout, mean loss and its
    /// gradient, backward into ``gradients``. Returns the mean loss and the number of
    /// correctly classified rows; the optimizer step is the caller's.
    public func trainStep(
        input: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, rng: inout RandomGenerator
    ) -> (loss: Double, correct: Int) {
        _ = forward(input, batch: batch, training: true, rng: &rng)
        let result = lossAndGradient(targets: targets, batch: batch)
        backward(outputGradient, batch: batch)
        return result
    }
}
