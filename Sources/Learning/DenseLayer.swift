import RingmasterCore
import Tensors

/// One dense layer of a ``Network``: where its parameters sit in the arenas and the
/// forward buffers it keeps for backward. The buffers belong to the network's workspace.
///
/// Hidden layer:  z = x Wᵀ + b,  a = f(z),  y = a ⊙ mask (training with dropout) or a.
/// Output layer:  z = x Wᵀ + b,  y = z.
struct DenseLayer {
    let parameters: LayerParameters
    /// nil for the output layer.
    let activation: Activation?
    /// Probability of dropping a unit; 0 for the output layer.
    let dropout: Float
    /// z: (maxBatch, outputs).
    let preActivation: UnsafeMutablePointer<Float>
    /// a = f(z): (maxBatch, outputs); the same buffer as `preActivation` for the output layer.
    let activated: UnsafeMutablePointer<Float>
    /// Inverted-dropout multipliers, 0 or 1/(1 - p): (maxBatch, outputs); only with dropout.
    let mask: UnsafeMutablePointer<Float>?
    /// a ⊙ mask: (maxBatch, outputs); only with dropout.
    let dropped: UnsafeMutablePointer<Float>?

    /// The layer's output from a forward pass (dropped only in training), which is the
    /// next layer's input.
    func output(training: Bool) -> UnsafePointer<Float> {
        if training, let dropped { return UnsafePointer(dropped) }
        return UnsafePointer(activated)
    }

    /// Draws a fresh mask: each unit kept with probability 1 - p and scaled by 1/(1 - p),
    /// so the expected activation matches inference, where dropout is the identity
    /// (PyTorch's `nn.Dropout`). One uniform per unit, in row-major order, so a given
    /// generator state always yields the same mask.
    func drawMask(count: Int, rng: UnsafeMutablePointer<RandomGenerator>) {
        guard let mask else { preconditionFailure("drawMask on a layer without dropout") }
        let keep = 1 / (1 - dropout)
        for i in 0..<count { mask[i] = rng.pointee.nextUnitFloat() < dropout ? 0 : keep }
    }

    /// Given dz = d(loss)/dz (batch, outputs) and the layer's input x (batch, inputs),
    /// writes dW = dzᵀ x and db = Σ_rows dz into `gradients`, overwriting them, and, when
    /// `inputGradient` is given, dx = dz W (batch, inputs).
    func backward(
        batch: Int, dz: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        weights: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?
    ) {
        let (inputs, outputs) = (parameters.inputs, parameters.outputs)
        let w = weights + parameters.weights.lowerBound
        // dW (outputs, inputs) = dzᵀ (outputs, batch) · x (batch, inputs)
        BLAS.gemm(
            transposeA: true, transposeB: false, m: outputs, n: inputs, k: batch,
            alpha: 1, a: dz, lda: outputs, b: x, ldb: inputs,
            beta: 0, c: gradients + parameters.weights.lowerBound, ldc: inputs)
        Kernels.biasGradient(rows: batch, columns: outputs, upstream: dz, gradient: gradients + parameters.bias.lowerBound)
        if let inputGradient {
            // dx (batch, inputs) = dz (batch, outputs) · W (outputs, inputs)
            BLAS.gemm(
                transposeA: false, transposeB: false, m: batch, n: inputs, k: outputs,
                alpha: 1, a: dz, lda: outputs, b: w, ldb: inputs,
                beta: 0, c: inputGradient, ldc: inputs)
        }
    }
}

/// Dispatch from the configured ``Activation`` to its ``Kernels`` pair, once per layer
/// per step; the loops themselves stay free of any dispatch.
extension Activation {
    /// `activated = f(preActivation)` over `count` elements.
    func forward(count: Int, preActivation: UnsafePointer<Float>, activated: UnsafeMutablePointer<Float>) {
        switch self {
        case .relu: Kernels.relu(count: count, input: preActivation, output: activated)
        case .tanh: Kernels.tanh(count: count, input: preActivation, output: activated)
        case .sigmoid: Kernels.sigmoid(count: count, input: preActivation, output: activated)
        case .gelu: Kernels.gelu(count: count, input: preActivation, output: activated)
        }
    }

    /// Turns d(loss)/d(activated) in `gradient` into d(loss)/d(preActivation), in place.
    /// Both forward buffers are passed so each kernel can use whichever it needs.
    func backward(
        count: Int, preActivation: UnsafePointer<Float>, activated: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .relu: Kernels.reluBackward(count: count, input: preActivation, upstream: gradient, gradient: gradient)
        case .tanh: Kernels.tanhBackward(count: count, output: activated, upstream: gradient, gradient: gradient)
        case .sigmoid: Kernels.sigmoidBackward(count: count, output: activated, upstream: gradient, gradient: gradient)
        case .gelu: Kernels.geluBackward(count: count, input: preActivation, upstream: gradient, gradient: gradient)
        }
    }
}
