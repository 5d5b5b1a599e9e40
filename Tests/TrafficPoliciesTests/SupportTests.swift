import Foundation
import RingmasterCore
import Testing
@testable import TrafficPolicies

@Suite struct SupportTests {
    /// Published FNV-1a 64-bit test vectors (Fowler, Noll and Vo's reference list).
    @Test func stableHashIsFNV1a() {
        #expect(StableHash.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(StableHash.fnv1a("foobar") == 0x8594_4171_F739_67E8)
    }

    /// Beta and gamma draws against their closed-form mean and variance over 200,000 draws:
    /// the mean within 5 standard errors, the variance within 3 %.
    @Test(arguments: [(2.0, 5.0), (0.5, 0.5), (30.0, 10.0)])
    func betaDrawsHaveTheRightMoments(alpha: Double, beta: Double) {
        var generator = RandomGenerator(seed: 42)
        let n = 200_000
        let draws = (0..<n).map { _ in generator.nextBeta(alpha: alpha, beta: beta) }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let expectedMean = alpha / (alpha + beta)
        let expectedVariance = alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1))
        #expect(abs(mean - expectedMean) < 5 * (expectedVariance / Double(n)).squareRoot(), "mean \(mean)")
        #expect(abs(variance / expectedVariance - 1) < 0.03, "variance \(variance) vs \(expectedVariance)")
        #expect(draws.allSatisfy { (0...1).contains($0) })
    }

    @Test func gammaDrawsHaveTheRightMoments() {
        var generator = RandomGenerator(seed: 9)
        for shape in [0.3, 1.0, 4.5] {
            let n = 200_000
            let draws = (0..<n).map { _ in generator.nextGamma(shape: shape) }
            let mean = draws.reduce(0, +) / Double(n)
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            #expect(abs(mean - shape) < 5 * (shape / Double(n)).squareRoot(), "shape \(shape): mean \(mean)")
            #expect(abs(variance / shape - 1) < 0.04, "shape \(shape): variance \(variance)")
        }
    }

    /// Quantiles from the histogram against the exact order statistics of the same
    /// latencies (log-normal around 20 ms): within 4.5 %, half a bucket's width.
    @Test func histogramQuantilesAreWithinHalfABucket() {
        var generator = RandomGenerator(seed: 3)
        var histogram = LatencyHistogram()
        let latencies = (0..<10_000).map { _ in 0.02 * exp(0.8 * generator.nextNormal()) }
        latencies.forEach { histogram.record($0) }
        let sorted = latencies.sorted()
        for q in [0.5, 0.95, 0.99] {
            let exact = sorted[Int((q * Double(sorted.count)).rounded(.up)) - 1]
            let estimate = histogram.quantile(q)!
            #expect(abs(estimate / exact - 1) < 0.045, "q\(q): \(estimate) vs \(exact)")
        }
        #expect(abs(histogram.mean! - latencies.reduce(0, +) / 10_000) < 1e-12)
        #expect(LatencyHistogram().summary == LatencySummary(count: 0, mean: nil, p50: nil, p95: nil, p99: nil))
        var extremes = LatencyHistogram()
        extremes.record(0)
        extremes.record(1_000)
        #expect(extremes.quantile(0.5) == 0 && extremes.quantile(1) == 1_000)
    }

    @Test func tokensMatchOnlyWhenEqual() {
        #expect(TokenCheck.matches("s3cret-token", "s3cret-token"))
        #expect(!TokenCheck.matches("s3cret-tokeN", "s3cret-token"))
        #expect(!TokenCheck.matches("s3cret", "s3cret-token"))
        #expect(!TokenCheck.matches("s3cret-token-and-more", "s3cret-token"))
        #expect(!TokenCheck.matches("", ""))
        #expect(!TokenCheck.matches("s3cret-token\u{0}", "s3cret-token"))
        #expect(TokenCheck.bearerMatches(authorization: "Bearer s3cret-token", token: "s3cret-token"))
        #expect(TokenCheck.bearerMatches(authorization: "bearer s3cret-token", token: "s3cret-token"))
        #expect(!TokenCheck.bearerMatches(authorization: "Basic s3cret-token", token: "s3cret-token"))
        #expect(!TokenCheck.bearerMatches(authorization: "Bearer", token: "s3cret-token"))
        #expect(!TokenCheck.bearerMatches(authorization: nil, token: "s3cret-token"))
    }
}
