import Foundation
import Monitoring
import RingmasterCore
import Testing

/// Every statistic against SciPy's on the same samples (`Fixtures/drift_reference.json`,
/// made by `Fixtures/make_drift_reference.py`).
@Suite struct DriftStatisticsTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var name: String
            var a: [Double]
            var b: [Double]
            var ks_statistic: Double
            var ks_p_exact: Double
            var ks_p_asymp: Double
            var wasserstein: Double
            var quantiles: [Double]
            var mean: Double
            var std: Double
        }
        struct Distribution: Decodable {
            var p: [Int]
            var q: [Int]
            var jensen_shannon: Double
            var psi: Double
        }
        var cases: [Case]
        var distributions: [Distribution]
    }

    static let reference: Reference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/drift_reference.json")
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    @Test(arguments: reference.cases.map(\.name))
    func twoSampleStatisticsMatchSciPy(_ name: String) {
        let c = Self.reference.cases.first { $0.name == name }!
        let a = c.a.sorted(), b = c.b.sorted()
        let d = DriftStatistics.kolmogorovSmirnov(sorted: a, b)
        #expect(abs(d - c.ks_statistic) < 1e-12)
        // The p-value is the asymptotic Kolmogorov distribution with Stephens' correction:
        // within 0.01 of SciPy's exact value, and on the same side of 0.05 unless SciPy's is
        // itself within 0.005 of it.
        let p = DriftStatistics.kolmogorovSmirnovPValue(statistic: d, a.count, b.count)
        #expect(abs(p - c.ks_p_exact) < 0.01, "p \(p) vs SciPy exact \(c.ks_p_exact)")
        if abs(c.ks_p_exact - 0.05) > 0.005 { #expect((p < 0.05) == (c.ks_p_exact < 0.05)) }
        if c.ks_p_exact < 0.01 { #expect(p / c.ks_p_exact > 0.5 && p / c.ks_p_exact < 2) }
        let w = DriftStatistics.wasserstein(sorted: a, b)
        #expect(abs(w - c.wasserstein) <= 1e-9 * max(1, c.wasserstein))
        // Symmetric in its arguments.
        #expect(abs(DriftStatistics.wasserstein(sorted: b, a) - w) < 1e-9)
        #expect(DriftStatistics.kolmogorovSmirnov(sorted: b, a) == d)
    }

    @Test(arguments: reference.cases.map(\.name))
    func quantilesAndMomentsMatchNumPy(_ name: String) {
        let c = Self.reference.cases.first { $0.name == name }!
        let sorted = c.a.sorted()
        for (level, expected) in zip([0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1], c.quantiles) {
            #expect(abs(ProfileBuilder.quantile(sorted: sorted, level: level) - expected) < 1e-9)
        }
        let summary = ProfileBuilder.summary(name: "x", values: c.a)
        #expect(abs(summary.mean - c.mean) < 1e-9)
        #expect(abs(summary.standardDeviation - c.std) < 1e-9)
    }

    @Test func distributionDistancesMatchSciPy() {
        for d in Self.reference.distributions {
            #expect(abs(DriftStatistics.jensenShannon(d.p, d.q) - d.jensen_shannon) < 1e-12)
            #expect(abs(DriftStatistics.populationStabilityIndex(expected: d.p, actual: d.q) - d.psi) < 1e-12)
        }
    }

    @Test func identicalSamplesShowNoDistance() {
        let values = (0..<500).map { Double($0 % 37) * 0.5 }.sorted()
        #expect(DriftStatistics.kolmogorovSmirnov(sorted: values, values) == 0)
        #expect(DriftStatistics.kolmogorovSmirnovPValue(statistic: 0, 500, 500) == 1)
        #expect(DriftStatistics.wasserstein(sorted: values, values) == 0)
        #expect(DriftStatistics.jensenShannon([3, 4, 5], [3, 4, 5]) == 0)
    }

    @Test func pValueFallsAsTheStatisticGrows() {
        var previous = 1.0
        for d in stride(from: 0.02, through: 0.5, by: 0.02) {
            let p = DriftStatistics.kolmogorovSmirnovPValue(statistic: d, 200, 300)
            #expect(p <= previous)
            previous = p
        }
        #expect(previous < 1e-10)
    }
}
