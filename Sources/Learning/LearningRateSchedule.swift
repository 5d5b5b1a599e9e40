import Foundation

/// How the learning rate changes over training: an optional linear warmup, then a
/// constant rate, step decay, or cosine annealing over the remaining steps.
///
/// Rates are computed per optimizer step from the global step index, so a resumed run
/// gets exactly the rates an uninterrupted one would.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The base rate throughout.
        case constant
        /// Multiply by `gamma` every `stepEpochs` epochs (PyTorch `StepLR`).
        case step
        /// Cosine from the base rate down to `minLearningRate` (PyTorch `CosineAnnealingLR`).
        case cosine
    }

    /// The schedule after warmup. Default constant.
    public var kind: Kind
    /// For `.step`: epochs between decays, counted from the end of warmup. Default nil,
    /// meaning 30% of the post-warmup epochs (at least 1), which gives three decays in a run.
    public var stepEpochs: Int?
    /// For `.step`: the factor applied at each decay. Default 0.1.
    public var gamma: Double
    /// For `.cosine`: the rate reached at the last step. Default 0.
    public var minLearningRate: Double
    /// Epochs of linear warmup; fractions allowed (0.5 = half an epoch). Default 0.
    public var warmupEpochs: Double

    public init(
        kind: Kind = .constant, stepEpochs: Int? = nil, gamma: Double = 0.1,
        minLearningRate: Double = 0, warmupEpochs: Double = 0
    ) {
        self.kind = kind
        self.stepEpochs = stepEpochs
        self.gamma = gamma
        self.minLearningRate = minLearningRate
        self.warmupEpochs = warmupEpochs
    }

    /// Throws a message naming the first out-of-range field.
    public func validate() throws(LearningRateScheduleError) {
        if let stepEpochs, stepEpochs < 1 { throw .init(message: "stepEpochs must be at least 1 (got \(stepEpochs))") }
        guard gamma.isFinite, gamma > 0 else { throw .init(message: "gamma must be positive (got \(gamma))") }
        guard minLearningRate.isFinite, minLearningRate >= 0 else {
            throw .init(message: "minLearningRate must be non-negative (got \(minLearningRate))")
        }
        guard warmupEpochs.isFinite, warmupEpochs >= 0 else {
            throw .init(message: "warmupEpochs must be non-negative (got \(warmupEpochs))")
        }
    }

    /// The rate for global optimizer step `step` (0-based) of a run with `totalEpochs`
    /// epochs of `stepsPerEpoch` steps each.
    ///
    /// Warmup rises linearly over W = round(warmupEpochs · stepsPerEpoch) steps, from
    /// base / W at step 0 to base at step W - 1, so no step runs at rate 0. After it, with
    /// t = step - W of T = totalEpochs · stepsPerEpoch - W remaining steps:
    /// constant gives base; step gives base · gamma^⌊t / (stepEpochs · stepsPerEpoch)⌋;
    /// cosine gives min + (base - min)(1 + cos(π t / T)) / 2, reaching min at t = T (and
    /// staying there for steps past the end).
    public func rate(base: Double, step: Int, stepsPerEpoch: Int, totalEpochs: Int) -> Double {
        precondition(step >= 0 && stepsPerEpoch > 0 && totalEpochs > 0)
        let totalSteps = totalEpochs * stepsPerEpoch
        let warmupSteps = min(Int((warmupEpochs * Double(stepsPerEpoch)).rounded()), totalSteps)
        if step < warmupSteps {
            return base * Double(step + 1) / Double(warmupSteps)
        }
        let t = step - warmupSteps
        switch kind {
        case .constant:
            return base
        case .step:
            let postWarmupEpochs = Double(totalSteps - warmupSteps) / Double(stepsPerEpoch)
            let epochs = stepEpochs ?? max(1, Int((0.3 * postWarmupEpochs).rounded()))
            return base * Foundation.pow(gamma, Double(t / (epochs * stepsPerEpoch)))
        case .cosine:
            let remaining = totalSteps - warmupSteps
            guard remaining > 0 else { return minLearningRate }
            let progress = Double(min(t, remaining)) / Double(remaining)
            return minLearningRate + (base - minLearningRate) * (1 + Foundation.cos(Double.pi * progress)) / 2
        }
    }
}

/// A schedule field outside its valid range; the message names it.
public struct LearningRateScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "learning rate schedule: \(message)" }
}
