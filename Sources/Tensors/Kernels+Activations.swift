import Foundation

/// Activation functions over `count` contiguous elements, forward and backward.
///
/// Forward: `output = f(input)`; output may alias input.
/// Backward: `gradient = f'(·) * upstream`, where each function takes whichever of the
/// pre-activation `input` or the activation `output` gives the cheaper derivative;
/// `gradient` may alias `upstream`.
extension Kernels {
    public static func relu(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for i in 0..<count { output[i] = max(input[i], 0) }
    }

    /// ReLU'(x) is taken as 0 at x = 0, as PyTorch does.
    ///
    /// Written with explicit 16-lane selects: the scalar form compiles to a branch per
    /// element when `gradient` aliases `upstream` (the usual in-place call), and with
    /// activations of random sign that branch mispredicts half the time (measured: 16 %
    /// of a 784-512-512-10 training step).
    public static func reluBackward(
        count: Int, input: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>
    ) {
        for i in stride(from: 0, to: count, by: Lanes.width) {
            let pre = Lanes.load(input, i, count: count)
            let up = Lanes.load(upstream, i, count: count)
            Lanes.store(up.replacing(with: 0, where: .!(pre .> 0)), gradient, i, count: count)
        }
    }

    public static func tanh(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for i in 0..<count { output[i] = Foundation.tanh(input[i]) }
    }

    /// Uses the forward output: tanh'(x) = 1 - tanh(x)².
    public static func tanhBackward(
        count: Int, output: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let y = output[i]
            gradient[i] = (1 - y * y) * upstream[i]
        }
    }

    /// Evaluated so that `exp` only ever sees a non-positive argument: no overflow for
    /// large |x|, and 1/(1+e) never rounds a tiny probability to exactly 0 early.
    public static func sigmoid(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for i in 0..<count { output[i] = sigmoid(input[i]) }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + Foundation.exp(-x))
        }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// Uses the forward output: σ'(x) = σ(x)(1 - σ(x)).
    public static func sigmoidBackward(
        count: Int, output: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let y = output[i]
            gradient[i] = y * (1 - y) * upstream[i]
        }
    }

    /// The exact GELU, `x Φ(x) = x (1 + erf(x / √2)) / 2`, which is PyTorch's default
    /// (`approximate='none'`), not the tanh approximation.
    public static func gelu(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let x = input[i]
            output[i] = 0.5 * x * (1 + Foundation.erf(x * inverseSquareRootOfTwo))
        }
    }

    /// Uses the pre-activation input: GELU'(x) = Φ(x) + x φ(x).
    public static func geluBackward(
        count: Int, input: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
        gradient: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let x = input[i]
            let cdf = 0.5 * (1 + Foundation.erf(x * inverseSquareRootOfTwo))
            let pdf = inverseSquareRootOfTwoPi * Foundation.exp(-0.5 * x * x)
            gradient[i] = (cdf + x * pdf) * upstream[i]
        }
    }

    static let inverseSquareRootOfTwo: Float = 0.707_106_781_186_547_524
    static let inverseSquareRootOfTwoPi: Float = 0.398_942_280_401_432_678
}
