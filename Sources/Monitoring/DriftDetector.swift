import Foundation
import RingmasterCore

/// Which statistic decides whether a feature drifted.
public enum DriftMethod: String, Codable, Sendable, CaseIterable {
    /// Kolmogorov–Smirnov when the reference or the current data has at most
    /// ``DriftThresholds/smallReference`` values, normalised Wasserstein distance when both are larger.
    case auto
    case ks
    case wasserstein
    case psi
    case jensenShannon = "jensen_shannon"
}

/// When a feature, and the dataset, count as drifted. The defaults follow common practice
/// (those of Evidently, and the usual PSI bands): KS p < 0.05 for small references, Wasserstein
/// distance ≥ 0.1 reference standard deviations or Jensen–Shannon distance ≥ 0.1 for large ones,
/// PSI ≥ 0.2, and the dataset drifts when at least half its features do.
public struct DriftThresholds: Codable, Sendable, Equatable {
    public var method: DriftMethod = .auto
    /// A feature drifts when the KS p-value is below this.
    public var ksPValue = 0.05
    /// … or when the Wasserstein distance over the reference standard deviation reaches this.
    public var wasserstein = 0.1
    /// … or when the Jensen–Shannon distance (natural log) reaches this.
    public var jensenShannon = 0.1
    /// … or when the population stability index reaches this.
    public var psi = 0.2
    /// The dataset drifts when at least this share of its features drift.
    public var driftShare = 0.5
    /// `auto` uses KS when either sample has at most this many values, Wasserstein when both
    /// are larger: the distance between a small sample and its own population is itself
    /// around 1/√n deviations, so a threshold of 0.1 would flag a few hundred unchanged rows,
    /// while the KS test accounts for the sample sizes.
    public var smallReference = 1000

    public init() {}

    /// The statistic `auto` resolves to for a reference of `reference` values and `current` new ones.
    public func method(reference: Int, current: Int) -> DriftMethod {
        guard method == .auto else { return method }
        return Swift.min(reference, current) <= smallReference ? .ks : .wasserstein
    }

    /// Rejects thresholds that cannot mean anything, naming the field.
    public func validate() throws(DriftError) {
        func check(_ ok: Bool, _ field: String, _ rule: String) throws(DriftError) {
            if !ok { throw DriftError.invalidThreshold(field: field, reason: rule) }
        }
        try check(ksPValue > 0 && ksPValue < 1, "ks_p_value", "must be in (0, 1)")
        try check(wasserstein > 0 && wasserstein.isFinite, "wasserstein", "must be positive")
        try check(jensenShannon > 0 && jensenShannon <= 1, "jensen_shannon", "must be in (0, 1]")
        try check(psi > 0 && psi.isFinite, "psi", "must be positive")
        try check(driftShare > 0 && driftShare <= 1, "drift_share", "must be in (0, 1]")
        try check(smallReference >= 0, "small_reference", "must not be negative")
    }
}

public enum DriftError: Error, Equatable, CustomStringConvertible {
    case invalidThreshold(field: String, reason: String)
    case missingFeature(name: String, source: String)
    case noProfile(model: String)

    public var description: String {
        switch self {
        case .invalidThreshold(let field, let reason): return "drift threshold \(field): \(reason)"
        case .missingFeature(let name, let source): return "\(source): has no column '\(name)', which the model was trained on"
        case .noProfile(let model):
            return "\(model) has no feature profile (trained before profiles were saved); retrain it to monitor drift"
        }
    }
}

/// Drift of one feature: every statistic, and the verdict of the chosen one.
public struct FeatureDrift: Codable, Sendable, Equatable {
    public var name: String
    public var method: DriftMethod
    public var drifted: Bool
    /// The chosen statistic's value (for KS, the p-value).
    public var score: Double
    public var threshold: Double
    public var ksStatistic: Double
    public var ksPValue: Double
    /// Wasserstein distance divided by the reference standard deviation.
    public var wasserstein: Double
    public var jensenShannon: Double
    public var psi: Double
    public var referenceCount: Int
    public var currentCount: Int
    public var currentMissing: Int
    public var referenceMean: Double
    public var currentMean: Double
    /// Current values counted over the reference's equal-width histogram bins, as
    /// [below the reference minimum, each bin…, above the reference maximum].
    public var currentHistogram: [Int]
}

/// Drift of a class distribution (labels or predictions).
public struct DistributionDrift: Codable, Sendable, Equatable {
    public var drifted: Bool
    public var jensenShannon: Double
    public var psi: Double
    public var referenceShares: [String: Double]
    public var currentShares: [String: Double]
}

/// The result of comparing new data with a model's training profile.
public struct DriftReport: Codable, Sendable, Equatable {
    public var referenceRows: Int
    public var currentRows: Int
    public var thresholds: DriftThresholds
    public var features: [FeatureDrift]
    public var driftedFeatures: Int
    public var driftedShare: Double
    public var datasetDrift: Bool
    /// Drift of the predicted classes (classification).
    public var predictions: DistributionDrift?
    /// Drift of the predicted values (regression).
    public var predictionValues: FeatureDrift?
    /// Drift of the labels, when the new data carried them (classification).
    public var labels: DistributionDrift?
    /// Accuracy of the model on the new data when it carried labels (classification).
    public var accuracy: Double?
}

/// Compares data with a ``FeatureProfile``.
public struct DriftDetector: Sendable {
    public var thresholds: DriftThresholds

    public init(thresholds: DriftThresholds = DriftThresholds()) {
        self.thresholds = thresholds
    }

    /// Drift of every profiled feature in `rows` × `names.count` row-major `features`;
    /// columns are matched by name, so their order may differ from training.
    public func compare(
        reference: FeatureProfile, features: [Float], rows: Int, names: [String], source: String
    ) throws(DriftError) -> DriftReport {
        try thresholds.validate()
        let positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let width = names.count
        var results: [FeatureDrift] = []
        var column = [Double](repeating: 0, count: rows)
        for summary in reference.features {
            guard let j = positions[summary.name] else { throw .missingFeature(name: summary.name, source: source) }
            for row in 0..<rows { column[row] = Double(features[row * width + j]) }
            results.append(featureDrift(summary, column))
        }
        let drifted = results.filter(\.drifted).count
        let share = results.isEmpty ? 0 : Double(drifted) / Double(results.count)
        return DriftReport(
            referenceRows: reference.rows, currentRows: rows, thresholds: thresholds, features: results,
            driftedFeatures: drifted, driftedShare: share, datasetDrift: !results.isEmpty && share >= thresholds.driftShare)
    }

    /// Every statistic of one column against its reference summary.
    public func featureDrift(_ reference: FeatureProfile.ValueSummary, _ values: [Double]) -> FeatureDrift {
        var current = values.filter(\.isFinite)
        current.sort()
        let sample = reference.sample.values.map(Double.init)
        let ks = DriftStatistics.kolmogorovSmirnov(sorted: sample, current)
        let pValue = DriftStatistics.kolmogorovSmirnovPValue(statistic: ks, sample.count, current.count)
        let distance = DriftStatistics.wasserstein(sorted: sample, current)
        let scale = reference.standardDeviation
        // A constant reference has no spread to normalise by: any movement is a full drift.
        let normalised = scale > 0 ? distance / scale : (distance == 0 ? 0 : .infinity)
        let histogram = reference.histogram.countingWithOverflow(current)
        let js = DriftStatistics.jensenShannon(reference.histogram.countsWithOverflow, histogram)
        let psi = DriftStatistics.populationStabilityIndex(
            expected: reference.deciles.countsWithOverflow, actual: reference.deciles.countingWithOverflow(current))
        let method = thresholds.method(reference: reference.count, current: current.count)
        let (score, threshold, drifted): (Double, Double, Bool)
        switch method {
        case .ks, .auto: (score, threshold, drifted) = (pValue, thresholds.ksPValue, pValue < thresholds.ksPValue)
        case .wasserstein: (score, threshold, drifted) = (normalised, thresholds.wasserstein, normalised >= thresholds.wasserstein)
        case .jensenShannon: (score, threshold, drifted) = (js, thresholds.jensenShannon, js >= thresholds.jensenShannon)
        case .psi: (score, threshold, drifted) = (psi, thresholds.psi, psi >= thresholds.psi)
        }
        return FeatureDrift(
            name: reference.name, method: method == .auto ? .ks : method, drifted: current.isEmpty ? false : drifted,
            score: score, threshold: threshold, ksStatistic: ks, ksPValue: pValue, wasserstein: normalised,
            jensenShannon: js, psi: psi, referenceCount: reference.count, currentCount: current.count,
            currentMissing: values.count - current.count, referenceMean: reference.mean,
            currentMean: current.isEmpty ? .nan : current.reduce(0, +) / Double(current.count),
            currentHistogram: histogram)
    }

    /// Adds the drift of `predictions` (class indices for a classifier, values for a regressor)
    /// against the training predictions in `reference` to `report`.
    public func addPredictionDrift(_ reference: FeatureProfile.Distribution?, predictions: [Double], to report: inout DriftReport) {
        switch reference {
        case .classes(let names, let counts)?:
            var current = [Int](repeating: 0, count: names.count)
            for p in predictions where p >= 0 && Int(p) < names.count { current[Int(p)] += 1 }
            report.predictions = distributionDrift(reference: names, counts, current: current)
        case .numeric(let summary)?:
            report.predictionValues = featureDrift(summary, predictions)
        case nil:
            break
        }
    }

    /// Drift of a class distribution: Jensen–Shannon distance against its threshold (PSI reported too).
    public func distributionDrift(reference names: [String], _ referenceCounts: [Int], current: [Int]) -> DistributionDrift {
        let js = DriftStatistics.jensenShannon(referenceCounts, current)
        func shares(_ counts: [Int]) -> [String: Double] {
            let total = Double(Swift.max(counts.reduce(0, +), 1))
            return Dictionary(zip(names, counts.map { Double($0) / total }), uniquingKeysWith: { a, _ in a })
        }
        return DistributionDrift(
            drifted: js >= thresholds.jensenShannon, jensenShannon: js,
            psi: DriftStatistics.populationStabilityIndex(expected: referenceCounts, actual: current),
            referenceShares: shares(referenceCounts), currentShares: shares(current))
    }
}
