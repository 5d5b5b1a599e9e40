import Foundation

/// Latency quantiles from a fixed set of logarithmic buckets: eight per doubling from 1 µs
/// to about 268 s, so a reported quantile is within 4.4 % of an observed latency of the
/// same rank (clamped to the smallest and largest observed). Recording is one `log2` and an
/// increment; memory is fixed.
struct LatencyHistogram: Sendable {
    static let smallest = 1e-6
    static let bucketsPerDoubling = 8.0
    static let doublings = 28

    private var counts = [Int](repeating: 0, count: 2 + doublings * Int(bucketsPerDoubling))
    private(set) var count = 0
    private var sum = 0.0
    private var minimum = Double.infinity
    private var maximum = 0.0

    mutating func record(_ seconds: Double) {
        guard seconds.isFinite else { return }
        let value = max(seconds, 0)
        counts[Self.bucket(value)] += 1
        count += 1
        sum += value
        minimum = min(minimum, value)
        maximum = max(maximum, value)
    }

    /// Bucket 0 holds values below 1 µs; bucket i ≥ 1 holds [2^((i-1)/8), 2^(i/8)) µs; the
    /// last holds everything from about 268 s up (reported as the largest observed).
    static func bucket(_ value: Double) -> Int {
        guard value >= smallest else { return 0 }
        let index = Int(log2(value / smallest) * bucketsPerDoubling) + 1
        return min(index, 1 + doublings * Int(bucketsPerDoubling))
    }

    var mean: Double? { count == 0 ? nil : sum / Double(count) }

    /// The latency at or below which a fraction `q` of the observations lie (the ⌈q·n⌉-th smallest).
    func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (index, bucketCount) in counts.enumerated() {
            seen += bucketCount
            if seen >= rank {
                if index == 0 { return minimum }
                if index == counts.count - 1 { return maximum }
                let middle = Self.smallest * exp2((Double(index) - 0.5) / Self.bucketsPerDoubling)
                return min(max(middle, minimum), maximum)
            }
        }
        return maximum
    }

    var summary: LatencySummary {
        LatencySummary(count: count, mean: mean, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99))
    }
}
