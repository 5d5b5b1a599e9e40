import Foundation
import Monitoring
import RingmasterCore
import Testing

@Suite struct DriftDetectorTests {
    /// `rows` × 3 features: a standard normal, a uniform on [0, 10), and integers 0…16.
    static func data(rows: Int, seed: UInt64, shift: Double = 0) -> [Float] {
        var generator = RandomGenerator(seed: seed)
        var features: [Float] = []
        for _ in 0..<rows {
            features.append(Float(generator.nextNormal() + shift))
            features.append(Float(generator.nextUnitDouble() * 10 + shift))
            features.append(Float(generator.nextIndex(below: 17)))
        }
        return features
    }

    static let names = ["normal", "uniform", "integer"]

    @Test func profileSummarisesEveryFeature() throws {
        var features = Self.data(rows: 3000, seed: 1)
        features[0] = .nan
        features[3] = .infinity
        let profile = ProfileBuilder.profile(features: features, rows: 3000, names: Self.names, labels: nil, seed: 7)
        #expect(profile.rows == 3000)
        #expect(profile.features.map(\.name) == Self.names)
        let normal = profile.features[0]
        #expect(normal.count == 2998 && normal.missing == 2)
        #expect(abs(normal.mean) < 0.1 && abs(normal.standardDeviation - 1) < 0.1)
        #expect(normal.quantiles.count == FeatureProfile.quantileLevels.count)
        #expect(normal.quantiles.first == normal.minimum && normal.quantiles.last == normal.maximum)
        #expect(normal.histogram.counts.reduce(0, +) == 2998 && normal.histogram.counts.count == ProfileBuilder.histogramBins)
        #expect(normal.deciles.counts.reduce(0, +) == 2998)
        #expect(normal.deciles.counts.allSatisfy { abs($0 - 300) <= 2 })
        // A thousand values sampled, sorted, and the same every time for the same seed.
        #expect(normal.sample.values.count == FeatureProfile.ValueSummary.sampleLimit)
        #expect(normal.sample.values == normal.sample.values.sorted())
        let again = ProfileBuilder.profile(features: features, rows: 3000, names: Self.names, labels: nil, seed: 7)
        #expect(again == profile)
        // Integer data has fewer distinct deciles than ten; the bins collapse instead of emptying.
        let integer = profile.features[2]
        #expect(integer.deciles.edges == integer.deciles.edges.sorted() && Set(integer.deciles.edges).count == integer.deciles.edges.count)
        #expect(integer.minimum == 0 && integer.maximum == 16)
    }

    @Test func smallColumnsKeepEveryValue() {
        let summary = ProfileBuilder.summary(name: "x", values: [3, 1, 2, 2])
        #expect(summary.sample.values == [1, 2, 2, 3])
        #expect(summary.quantiles[50] == 2)
        let constant = ProfileBuilder.summary(name: "c", values: [4, 4, 4])
        #expect(constant.histogram.edges == [4, 4] && constant.histogram.counts == [3])
        #expect(constant.standardDeviation == 0)
    }

    @Test func profilesSurviveJSONExactly() throws {
        let profile = ProfileBuilder.profile(
            features: Self.data(rows: 1500, seed: 2), rows: 1500, names: Self.names,
            labels: (0..<1500).map { Float($0 % 3) }, classNames: ["a", "b", "c"])
        let decoded = try JSONDecoder().decode(FeatureProfile.self, from: JSONEncoder().encode(profile))
        #expect(decoded == profile)
        #expect(decoded.labels == .classes(names: ["a", "b", "c"], counts: [500, 500, 500]))
    }

    @Test func sameDistributionDoesNotDrift() throws {
        let reference = ProfileBuilder.profile(features: Self.data(rows: 800, seed: 3), rows: 800, names: Self.names)
        let report = try DriftDetector().compare(
            reference: reference, features: Self.data(rows: 600, seed: 4), rows: 600, names: Self.names, source: "new.csv")
        #expect(report.features.map(\.method) == [.ks, .ks, .ks])
        #expect(report.driftedFeatures == 0, "\(report.features.map { ($0.name, $0.ksPValue) })")
        #expect(!report.datasetDrift)
    }

    @Test func shiftedDataDrifts() throws {
        let reference = ProfileBuilder.profile(features: Self.data(rows: 800, seed: 3), rows: 800, names: Self.names)
        let report = try DriftDetector().compare(
            reference: reference, features: Self.data(rows: 600, seed: 5, shift: 1), rows: 600, names: Self.names,
            source: "new.csv")
        #expect(report.features.map(\.drifted) == [true, true, false])
        #expect(report.driftedShare > 0.6 && report.datasetDrift)
        let normal = report.features[0]
        #expect(abs(normal.wasserstein - 1) < 0.15)
        #expect(normal.psi > 0.2 && normal.jensenShannon > 0.1)
        #expect(normal.currentHistogram.reduce(0, +) == 600 && normal.currentHistogram.count == ProfileBuilder.histogramBins + 2)
        // Moving above a constant reference shows in every statistic, through the overflow bin.
        let constant = ProfileBuilder.summary(name: "c", values: [Double](repeating: 0, count: 500))
        let moved = DriftDetector().featureDrift(constant, [Double](repeating: 4, count: 300))
        #expect(moved.drifted && moved.wasserstein == .infinity && moved.ksStatistic == 1)
        #expect(moved.psi > 5 && moved.jensenShannon > 0.8)
        #expect(moved.currentHistogram == [0, 0, 300])
    }

    @Test func largeReferencesUseWasserstein() throws {
        let reference = ProfileBuilder.profile(features: Self.data(rows: 5000, seed: 6), rows: 5000, names: Self.names)
        // A shift of 0.05 standard deviations: significant for KS at these sizes, below the
        // practical threshold of 0.1 deviations, so `auto` (Wasserstein) calls it no drift.
        let current = Self.data(rows: 20000, seed: 8, shift: 0.05)
        let auto = try DriftDetector().compare(reference: reference, features: current, rows: 20000, names: Self.names, source: "x")
        #expect(auto.features[0].method == .wasserstein)
        #expect(!auto.features[0].drifted)
        var strict = DriftThresholds()
        strict.method = .ks
        strict.ksPValue = 0.5
        let ks = try DriftDetector(thresholds: strict).compare(
            reference: reference, features: current, rows: 20000, names: Self.names, source: "x")
        #expect(ks.features[0].method == .ks && ks.features[0].score == ks.features[0].ksPValue)
    }

    @Test func columnsMatchByNameAndMissingOnesAreNamed() throws {
        let reference = ProfileBuilder.profile(features: Self.data(rows: 300, seed: 3), rows: 300, names: Self.names)
        let rows = 300
        let original = Self.data(rows: rows, seed: 3)
        var reordered: [Float] = []
        for row in 0..<rows { reordered += [original[row * 3 + 2], original[row * 3], original[row * 3 + 1]] }
        let report = try DriftDetector().compare(
            reference: reference, features: reordered, rows: rows, names: ["integer", "normal", "uniform"], source: "x")
        #expect(report.features.allSatisfy { $0.ksStatistic == 0 })
        #expect(throws: DriftError.missingFeature(name: "uniform", source: "new.csv")) {
            try DriftDetector().compare(
                reference: reference, features: Array(original[0..<(rows * 2)]), rows: rows, names: ["normal", "integer"],
                source: "new.csv")
        }
    }

    @Test func nonsenseThresholdsAreRefusedByName() {
        var thresholds = DriftThresholds()
        thresholds.ksPValue = 1.5
        #expect(throws: DriftError.invalidThreshold(field: "ks_p_value", reason: "must be in (0, 1)")) { try thresholds.validate() }
        thresholds = DriftThresholds()
        thresholds.driftShare = 0
        #expect(throws: DriftError.invalidThreshold(field: "drift_share", reason: "must be in (0, 1]")) { try thresholds.validate() }
    }

    @Test func classDistributionsCompareByJensenShannon() {
        let detector = DriftDetector()
        let same = detector.distributionDrift(reference: ["a", "b"], [500, 500], current: [480, 520])
        #expect(!same.drifted && same.currentShares["b"] == 520.0 / 1000)
        let moved = detector.distributionDrift(reference: ["a", "b"], [500, 500], current: [900, 100])
        #expect(moved.drifted && moved.jensenShannon > 0.1)
    }
}
