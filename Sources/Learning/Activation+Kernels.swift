import Tensors

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
