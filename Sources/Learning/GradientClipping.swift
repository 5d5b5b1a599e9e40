import Tensors

/// Rescales `gradients` in place so their global L2 norm is at most `maxNorm`, exactly as
/// PyTorch's `clip_grad_norm_`: when the norm exceeds it, every element is multiplied by
/// `maxNorm / (norm + 1e-6)`. Run it after the allreduce, so every rank clips the same
/// averaged gradient by the same factor.
///
/// Returns the norm before clipping, the value worth logging. A non-finite norm leaves
/// the gradients untouched (scaling would turn them all into NaN); the caller should skip
/// the step or stop the run.
@discardableResult
public func clipGradientNorm(_ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Double) -> Double {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm must be positive")
    guard let base = gradients.baseAddress else { return 0 }
    let norm = Double(BLAS.nrm2(n: gradients.count, x: base))
    guard norm.isFinite else { return norm }
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        BLAS.scale(n: gradients.count, alpha: Float(coefficient), x: base)
    }
    return norm
}
