import Foundation
import Tensors

/// Applies one update per step to a parameter arena from its gradient arena, with
/// PyTorch's exact semantics (`torch.optim.SGD`, `Adam`, `AdamW`, no dampening, no
/// amsgrad), so results can be checked against it and hyperparameters carry over.
///
/// Moment buffers are allocated once at init; `step` allocates nothing. The gradients
/// are read, never modified.
///
/// `@unchecked Sendable` for the same reason as ``Network``: one thread at a time uses an
/// instance (each rank owns its own), and it owns its buffers.
public final class Optimizer: @unchecked Sendable {
    public let configuration: OptimizerConfiguration
    public let parameterCount: Int
    /// Steps taken, which Adam's bias correction and SGD's first momentum step depend on.
    public private(set) var stepCount = 0
    /// SGD momentum buffer or Adam's exp_avg; empty when unused.
    private var firstMoment: UnsafeMutableBufferPointer<Float>
    /// Adam's exp_avg_sq; empty when unused.
    private var secondMoment: UnsafeMutableBufferPointer<Float>
    /// What keeps the moment buffers alive once they were placed elsewhere; nil while the
    /// optimizer allocated them itself.
    private var momentOwner: AnyObject?

    public init(configuration: OptimizerConfiguration, parameterCount: Int) {
        precondition(parameterCount >= 0)
        self.configuration = configuration
        self.parameterCount = parameterCount
        let usesFirst = configuration.kind != .sgd || configuration.momentum != 0
        let usesSecond = configuration.kind != .sgd
        firstMoment = .allocate(capacity: usesFirst ? parameterCount : 0)
        firstMoment.initialize(repeating: 0)
        secondMoment = .allocate(capacity: usesSecond ? parameterCount : 0)
        secondMoment.initialize(repeating: 0)
    }

    deinit {
        if momentOwner == nil {
            firstMoment.deallocate()
            secondMoment.deallocate()
        }
    }

    /// Whether the optimizer keeps a first moment (SGD with momentum, Adam) and a second (Adam).
    public var usesMoments: (first: Bool, second: Bool) { (firstMoment.count > 0, secondMoment.count > 0) }

    /// Moves the moment buffers to memory the caller provides, `parameterCount` floats at
    /// each pointer (unused ones are left alone), copying their contents there; the optimizer
    /// keeps `owner` alive for as long as it uses that memory. With
    /// ``Network/placeArenas(parameters:gradients:owner:)``, this lets other ranks of a node
    /// read a rank's optimizer state directly.
    public func placeMoments(first: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>, owner: AnyObject) {
        let placed = (UnsafeMutableBufferPointer(start: first, count: firstMoment.count),
                      UnsafeMutableBufferPointer(start: second, count: secondMoment.count))
        for (old, new) in [(firstMoment, placed.0), (secondMoment, placed.1)]
        where old.count > 0 && old.baseAddress != new.baseAddress {
            new.baseAddress!.update(from: old.baseAddress!, count: old.count)
        }
        if momentOwner == nil {
            firstMoment.deallocate()
            secondMoment.deallocate()
        }
        (firstMoment, secondMoment) = placed
        momentOwner = owner
    }

    /// Updates `parameters` in place from `gradients` at `learningRate` (the scheduled
    /// rate for this step, not necessarily the configured base).
    ///
    /// With `range`, only the parameters (and moments) at those indices change, from the
    /// gradients at the same indices, and the step still counts once: ranks that each
    /// update one slice of the arena together take one step (the update is element-wise, so
    /// the slices give the same bits as a whole-arena step).
    public func step(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>,
        learningRate: Float, range: Range<Int>? = nil
    ) {
        precondition(parameters.count == parameterCount && gradients.count == parameterCount,
                     "Optimizer.step: buffers of \(parameters.count)/\(gradients.count) for \(parameterCount) parameters")
        let range = range ?? 0..<parameterCount
        if let g = gradients.baseAddress { update(parameters, LaneBuffer(g + range.lowerBound), range, learningRate) }
        stepCount += 1
    }

    /// One step on `range` of `parameters` whose gradients are the mean of several ranks'
    /// arenas (`gradients[r]` points at rank r's element `range.lowerBound`), averaged on the
    /// fly: the same bits as averaging into a buffer first (``Tensors/Kernels/mean(of:into:count:)``)
    /// and stepping from it, in one pass over memory.
    ///
    /// With `divisor`, the gradients' sum is divided by that rather than by their count (ranks
    /// whose sums already hold other nodes' gradients).
    public func step(
        parameters: UnsafeMutableBufferPointer<Float>, meanOf gradients: [UnsafePointer<Float>], divisor: Int? = nil,
        learningRate: Float, range: Range<Int>
    ) {
        precondition(parameters.count == parameterCount, "Optimizer.step: \(parameters.count) parameters for \(parameterCount)")
        update(parameters, LaneMean(gradients, divisor: divisor), range, learningRate)
        stepCount += 1
    }

    private func update<G: LaneSource>(_ parameters: UnsafeMutableBufferPointer<Float>, _ g: G, _ range: Range<Int>, _ lr: Float) {
        precondition(range.lowerBound >= 0 && range.upperBound <= parameterCount, "Optimizer.step: range \(range) outside the arena")
        guard !range.isEmpty, let p = parameters.baseAddress else { return }
        let (low, count) = (range.lowerBound, range.count)
        switch configuration.kind {
        case .sgd: sgd(p + low, g, firstMoment.baseAddress.map { $0 + low }, count, lr)
        case .adam, .adamw: adam(p + low, g, firstMoment.baseAddress! + low, secondMoment.baseAddress! + low, count, lr)
        }
    }

    /// d = g + λp;  b = d on the first step, else μb + d;  d = d + μb (Nesterov) or b;
    /// p -= lr·d. In 16-float lanes (``Lanes``): the optimizer is a pure memory stream and
    /// the scalar loop, over buffers the compiler cannot prove distinct, was not vectorized.
    private func sgd<G: LaneSource>(
        _ p: UnsafeMutablePointer<Float>, _ g: G, _ b: UnsafeMutablePointer<Float>?, _ n: Int, _ lr: Float
    ) {
        let decay = Lanes.Vector(repeating: Float(configuration.weightDecay))
        let mu = Lanes.Vector(repeating: Float(configuration.momentum))
        let rate = Lanes.Vector(repeating: lr)
        guard configuration.momentum != 0, let b else {
            for i in stride(from: 0, to: n, by: Lanes.width) {
                let pv = Lanes.load(p, i, count: n)
                Lanes.store(pv - rate * (g.load(i, count: n) + decay * pv), p, i, count: n)
            }
            return
        }
        let first = stepCount == 0
        let nesterov = configuration.nesterov
        for i in stride(from: 0, to: n, by: Lanes.width) {
            let pv = Lanes.load(p, i, count: n)
            let d = g.load(i, count: n) + decay * pv
            let bv = first ? d : mu * Lanes.load(b, i, count: n) + d
            Lanes.store(bv, b, i, count: n)
            Lanes.store(pv - rate * (nesterov ? d + mu * bv : bv), p, i, count: n)
        }
    }

    /// Adam: g += λp.  AdamW: p *= 1 - lr·λ.  Then m = lerp(m, g, 1 - β1),
    /// v = β2 v + (1 - β2) g², p -= (lr / (1 - β1ᵗ)) · m / (√v / √(1 - β2ᵗ) + ε),
    /// in PyTorch's order of operations.
    private func adam<G: LaneSource>(
        _ p: UnsafeMutablePointer<Float>, _ g: G, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        _ n: Int, _ lr: Float
    ) {
        let t = Double(stepCount + 1)
        let beta1 = configuration.beta1, beta2 = configuration.beta2
        let stepSize = Float(Double(lr) / (1 - Foundation.pow(beta1, t)))
        let correction2 = Float((1 - Foundation.pow(beta2, t)).squareRoot())
        let oneMinusBeta1 = Float(1 - beta1), b2 = Float(beta2), oneMinusBeta2 = Float(1 - beta2)
        let epsilon = Float(configuration.epsilon)
        let decoupled = configuration.kind == .adamw
        let l2 = decoupled ? 0 : Float(configuration.weightDecay)
        let shrink = decoupled ? Float(1 - Double(lr) * configuration.weightDecay) : 1
        typealias V = Lanes.Vector
        let (l2v, shrinkv, b1v, b2v, b2c) = (V(repeating: l2), V(repeating: shrink), V(repeating: oneMinusBeta1),
                                             V(repeating: b2), V(repeating: oneMinusBeta2))
        let (c2, eps, size) = (V(repeating: correction2), V(repeating: epsilon), V(repeating: stepSize))
        for i in stride(from: 0, to: n, by: Lanes.width) {
            let pv = Lanes.load(p, i, count: n)
            let gradient = g.load(i, count: n) + l2v * pv
            let parameter = pv * shrinkv
            var mv = Lanes.load(m, i, count: n)
            mv += b1v * (gradient - mv)
            let vv = Lanes.load(v, i, count: n) * b2v + b2c * gradient * gradient
            let denominator = vv.squareRoot() / c2 + eps
            Lanes.store(mv, m, i, count: n)
            Lanes.store(vv, v, i, count: n)
            Lanes.store(parameter - size * (mv / denominator), p, i, count: n)
        }
    }

    /// The step count and moment buffers, for checkpoints; setting it restores them.
    /// Getting copies the buffers into arrays, so call it at checkpoint time, not per step.
    public var state: OptimizerState {
        get {
            OptimizerState(step: stepCount, firstMoment: Array(firstMoment), secondMoment: Array(secondMoment))
        }
        set {
            precondition(newValue.step >= 0)
            precondition(newValue.firstMoment.count == firstMoment.count && newValue.secondMoment.count == secondMoment.count,
                         "OptimizerState does not match this optimizer's kind or parameter count")
            stepCount = newValue.step
            _ = firstMoment.update(fromContentsOf: newValue.firstMoment)
            _ = secondMoment.update(fromContentsOf: newValue.secondMoment)
        }
    }
}

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
