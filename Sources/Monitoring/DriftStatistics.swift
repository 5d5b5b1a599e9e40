import Foundation

/// The two-sample statistics drift detection is built on. Each matches the SciPy function
/// named in its comment (checked in `MonitoringTests` against values SciPy computed).
public enum DriftStatistics {
    /// Two-sample Kolmogorov–Smirnov statistic: the largest distance between the empirical
    /// CDFs of two sorted samples (`scipy.stats.ks_2samp(...).statistic`). Ties are stepped
    /// over together, so discrete data gives the exact statistic.
    public static func kolmogorovSmirnov(sorted a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        var i = 0, j = 0, largest = 0.0
        let n = Double(a.count), m = Double(b.count)
        while i < a.count, j < b.count {
            let value = Swift.min(a[i], b[j])
            while i < a.count, a[i] == value { i += 1 }
            while j < b.count, b[j] == value { j += 1 }
            largest = Swift.max(largest, abs(Double(i) / n - Double(j) / m))
        }
        return largest
    }

    /// Two-sided p-value of a two-sample KS statistic `d` for sample sizes `n` and `m`:
    /// the Kolmogorov distribution at λ = (√e + 0.12 + 0.11/√e)·d with e = nm/(n+m)
    /// (Stephens' small-sample correction). Within about 0.01 of SciPy's exact p-values
    /// for samples of a few dozen and more.
    public static func kolmogorovSmirnovPValue(statistic d: Double, _ n: Int, _ m: Int) -> Double {
        guard n > 0, m > 0, d.isFinite else { return .nan }
        let effective = Double(n) * Double(m) / Double(n + m)
        let root = effective.squareRoot()
        let lambda = (root + 0.12 + 0.11 / root) * d
        return kolmogorovSurvival(lambda)
    }

    /// Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}, the Kolmogorov distribution's upper tail.
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda < 0.2 { return 1 }
        var sum = 0.0, sign = 1.0
        for k in 1...100 {
            let term = sign * Foundation.exp(-2 * Double(k * k) * lambda * lambda)
            sum += term
            if abs(term) < 1e-12 * abs(sum) { break }
            sign = -sign
        }
        return Swift.min(Swift.max(2 * sum, 0), 1)
    }

    /// First Wasserstein (earth mover's) distance between two sorted samples: the area
    /// between their empirical CDFs (`scipy.stats.wasserstein_distance`).
    public static func wasserstein(sorted a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        var i = 0, j = 0, area = 0.0
        let n = Double(a.count), m = Double(b.count)
        var previous = Swift.min(a[0], b[0])
        while i < a.count || j < b.count {
            let value = Swift.min(i < a.count ? a[i] : .infinity, j < b.count ? b[j] : .infinity)
            area += abs(Double(i) / n - Double(j) / m) * (value - previous)
            while i < a.count, a[i] == value { i += 1 }
            while j < b.count, b[j] == value { j += 1 }
            previous = value
        }
        return area
    }

    /// Population stability index Σ (a − e)·ln(a / e) over bins, from counts; empty bins
    /// count as a share of 0.0001 so the logarithm stays finite (the usual convention).
    public static func populationStabilityIndex(expected: [Int], actual: [Int]) -> Double {
        let e = shares(expected, floor: 0.0001), a = shares(actual, floor: 0.0001)
        return zip(e, a).reduce(0) { $0 + ($1.1 - $1.0) * Foundation.log($1.1 / $1.0) }
    }

    /// Jensen–Shannon distance (the square root of the divergence, natural logarithm, so at
    /// most √ln 2 ≈ 0.833) between two count vectors over the same bins
    /// (`scipy.spatial.distance.jensenshannon`).
    public static func jensenShannon(_ p: [Int], _ q: [Int]) -> Double {
        let p = shares(p, floor: 0), q = shares(q, floor: 0)
        var divergence = 0.0
        for (x, y) in zip(p, q) {
            let middle = (x + y) / 2
            if x > 0 { divergence += x * Foundation.log(x / middle) }
            if y > 0 { divergence += y * Foundation.log(y / middle) }
        }
        return Swift.max(divergence / 2, 0).squareRoot()
    }

    /// Counts as shares of their total, each at least `floor`.
    static func shares(_ counts: [Int], floor: Double) -> [Double] {
        let total = Double(counts.reduce(0, +))
        return counts.map { total > 0 ? Swift.max(Double($0) / total, floor) : floor }
    }
}
