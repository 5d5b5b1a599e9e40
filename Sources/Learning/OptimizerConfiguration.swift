import Foundation

/// The update rule.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Stochastic gradient descent, optionally with (Nesterov) momentum: `torch.optim.SGD`.
    case sgd
    /// Adam with L2 weight decay added to the gradient: `torch.optim.Adam`.
    case adam
    /// Adam with decoupled weight decay: `torch.optim.AdamW`.
    case adamw
}

/// How parameters are updated from gradients; hyperparameters mean exactly what they
/// mean in PyTorch.
public struct OptimizerConfiguration: Codable, Sendable, Equatable {
    /// The update rule.
    public var kind: OptimizerKind
    /// Base learning rate; a ``LearningRateSchedule`` scales it per step.
    public var learningRate: Double
    /// SGD momentum factor μ (no dampening). Default 0: plain SGD.
    public var momentum: Double
    /// SGD: use Nesterov momentum (needs `momentum > 0`). Default false.
    public var nesterov: Bool
    /// L2 penalty added to the gradient (SGD, Adam), or decoupled decay rate (AdamW). Default 0.
    public var weightDecay: Double
    /// Adam/AdamW first-moment decay. Default 0.9.
    public var beta1: Double
    /// Adam/AdamW second-moment decay. Default 0.999.
    public var beta2: Double
    /// Adam/AdamW term added to the denominator for stability. Default 1e-8.
    public var epsilon: Double

    public init(
        kind: OptimizerKind, learningRate: Double, momentum: Double = 0, nesterov: Bool = false,
        weightDecay: Double = 0, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8
    ) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Throws a message naming the first out-of-range hyperparameter.
    public func validate() throws(OptimizerConfigurationError) {
        func check(_ ok: Bool, _ message: String) throws(OptimizerConfigurationError) {
            if !ok { throw OptimizerConfigurationError(message: message) }
        }
        try check(learningRate.isFinite && learningRate > 0, "learning rate must be positive (got \(learningRate))")
        try check(momentum.isFinite && momentum >= 0 && momentum < 1, "momentum must be in [0, 1) (got \(momentum))")
        try check(!nesterov || (kind == .sgd && momentum > 0), "nesterov needs the sgd optimizer with momentum > 0")
        try check(weightDecay.isFinite && weightDecay >= 0, "weight decay must be non-negative (got \(weightDecay))")
        try check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1) (got \(beta1))")
        try check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1) (got \(beta2))")
        try check(epsilon.isFinite && epsilon > 0, "epsilon must be positive (got \(epsilon))")
    }
}

/// A hyperparameter outside its valid range; the message names it and the range.
public struct OptimizerConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "optimizer: \(message)" }
}

/// Everything an ``Optimizer`` carries between steps, for checkpoints. Restoring it and
/// the parameters continues training bit for bit.
public struct OptimizerState: Codable, Sendable, Equatable {
    /// Steps taken so far.
    public var step: Int
    /// SGD momentum buffer, or Adam's first moment; empty when the rule keeps none.
    public var firstMoment: [Float]
    /// Adam's second moment; empty for SGD.
    public var secondMoment: [Float]

    public init(step: Int, firstMoment: [Float], secondMoment: [Float]) {
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }
}
