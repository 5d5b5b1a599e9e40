import Foundation
import RingmasterCore

/// Hyperparameter importance by PED-ANOVA (Watanabe, Bansal & Hutter, "PED-ANOVA: Efficiently
/// Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023).
///
/// A parameter matters for reaching the best `targetQuantile` of results to the extent that the
/// good trials' values of it are distributed differently from those of all trials in the region
/// (the best `regionQuantile`). PED-ANOVA shows that the variance of the indicator "this trial is
/// among the best γ′" explained by parameter d is, in closed form,
///
///     v_d = (γ′/γ)² · ∫ (p_d(x | γ′) / p_d(x | γ) − 1)² p_d(x | γ) dx,
///
/// a Pearson divergence between two one-dimensional marginals, so no surrogate model is fitted.
/// Here each marginal is a Parzen estimate in the parameter's unit coordinate (Gaussian kernels
/// with Scott's bandwidth, 1.06 σ̂ n^(−1/5), for numeric parameters; smoothed frequencies for
/// choices), integrated on a grid. The region density is estimated from the region's trials
/// (the "local" variant; with `regionQuantile` 1 that is every completed trial). Importances are
/// normalised to sum to 1. A conditional parameter is judged on the trials where it was active.
public struct ParameterImportance: Sendable {
    /// One parameter's share of the importance.
    public struct Score: Sendable, Equatable, Codable {
        public var parameter: String
        /// In [0, 1]; the scores of one evaluation sum to 1 (or are all 0 when no parameter
        /// separates the good trials from the rest).
        public var importance: Double
    }

    /// γ′: the share of trials counted as good. Default 0.1.
    public var targetQuantile: Double
    /// γ: the share of trials defining the region judged; 1 is the whole explored space. Default 1.
    public var regionQuantile: Double
    /// Points of the integration grid for numeric parameters. Default 50.
    public var gridPoints: Int

    public init(targetQuantile: Double = 0.1, regionQuantile: Double = 1, gridPoints: Int = 50) {
        self.targetQuantile = targetQuantile
        self.regionQuantile = regionQuantile
        self.gridPoints = gridPoints
    }

    /// Importance of every parameter of `space` from the completed trials, most important first.
    /// Throws ``TuningError/invalidSetting(field:reason:)`` for quantiles outside (0, 1] with
    /// target < region, or with fewer than 2 trials in the good set.
    public func evaluate(
        space: SearchSpace, trials: [TrialSnapshot], direction: OptimizationDirection
    ) throws -> [Score] {
        guard targetQuantile > 0, regionQuantile <= 1, targetQuantile < regionQuantile else {
            throw TuningError.invalidSetting(
                field: "quantiles", reason: "need 0 < target (\(targetQuantile)) < region (\(regionQuantile)) ≤ 1")
        }
        guard gridPoints >= 2 else { throw TuningError.invalidSetting(field: "gridPoints", reason: "must be at least 2") }
        let completed = trials
            .compactMap { trial in trial.value.flatMap { $0.isFinite ? (direction.loss($0), trial) : nil } }
            .sorted { ($0.0, $0.1.number) < ($1.0, $1.1.number) }
            .map(\.1)
        var raw: [Double] = []
        for parameter in space.parameters {
            let units = completed.compactMap { trial in trial.params[parameter.name].flatMap { parameter.distribution.unit(of: $0) } }
            let region = Int((regionQuantile * Double(units.count)).rounded(.up))
            let target = Int((targetQuantile * Double(units.count)).rounded(.up))
            guard target >= 2 else {
                throw TuningError.invalidSetting(
                    field: "trials",
                    reason: "\(parameter.name) is set in \(units.count) completed trials; the best \(targetQuantile) of them must be at least 2")
            }
            let grid = integrationGrid(for: parameter.distribution)
            let good = masses(of: Array(units[0..<target]), on: grid, distribution: parameter.distribution)
            let all = masses(of: Array(units[0..<region]), on: grid, distribution: parameter.distribution)
            var divergence = 0.0
            for i in grid.indices where all[i] > 0 { divergence += (good[i] - all[i]) * (good[i] - all[i]) / all[i] }
            let ratio = Double(target) / Double(region)
            raw.append(ratio * ratio * divergence)
        }
        let total = raw.reduce(0, +)
        return zip(space.parameters, raw)
            .map { Score(parameter: $0.name, importance: total > 0 ? $1 / total : 0) }
            .enumerated()
            .sorted { ($0.element.importance, -$0.offset) > ($1.element.importance, -$1.offset) }
            .map(\.element)
    }

    /// Unit coordinates to integrate on: every bin centre of a choice or a small integer range,
    /// otherwise `gridPoints` cell centres.
    private func integrationGrid(for distribution: Distribution) -> [Double] {
        var bins = gridPoints
        switch distribution {
        case .choice(let values): bins = values.count
        case .integer(let low, let high, let step, false): bins = Swift.min((high - low) / step + 1, gridPoints)
        default: break
        }
        return (0..<bins).map { (Double($0) + 0.5) / Double(bins) }
    }

    /// The probability mass of each grid point under a Parzen estimate from `units`.
    private func masses(of units: [Double], on grid: [Double], distribution: Distribution) -> [Double] {
        var density = [Double](repeating: 0, count: grid.count)
        if case .choice(let values) = distribution {
            // Frequencies with one pseudo-observation spread evenly over the categories.
            for u in units { density[Swift.min(Int(u * Double(values.count)), values.count - 1)] += 1 }
            for i in density.indices { density[i] += 1 / Double(values.count) }
        } else {
            let n = Double(units.count)
            let mean = units.reduce(0, +) / n
            let spread = (units.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Swift.max(n - 1, 1)).squareRoot()
            let estimator = ParzenEstimator(
                numeric: units, categories: [], count: units.count, numericCount: 1, categoryCounts: [],
                bandwidth: .scott(factor: 1.06 * spread), priorWeight: 0)
            grid.withUnsafeBufferPointer { points in
                density.withUnsafeMutableBufferPointer { output in
                    [Int]().withUnsafeBufferPointer { none in
                        estimator.logDensities(numeric: points, categories: none, count: grid.count, into: output)
                    }
                }
            }
            for i in density.indices { density[i] = Foundation.exp(density[i]) }
        }
        let total = density.reduce(0, +)
        return density.map { $0 / total }
    }
}
