import Foundation
import RingmasterCore
import Testing
@testable import Tuning

@Suite struct ParzenEstimatorTests {
    /// The inverse CDF used to draw candidates against Φ from libm's erfc across the body and
    /// both tails: Acklam's stated relative error of 1.15e-9 on x = Φ⁻¹(p) becomes a relative
    /// error of about x² · 1.15e-9 on Φ(x), so 5e-8 of p (or of 1 − p) at |x| ≤ 7.
    @Test func inverseNormalCDFInvertsTheCDF() {
        for p in [1e-12, 1e-6, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-6] {
            let x = ParzenEstimator.inverseNormalCDF(p)
            #expect(abs(ParzenEstimator.normalCDF(x) - p) <= 5e-8 * min(p, 1 - p) + 1e-15, "p = \(p), x = \(x)")
        }
        #expect(ParzenEstimator.inverseNormalCDF(0.5) == 0)
    }

    /// The mixture is a density on the unit square (numeric × categorical): integrating it on a
    /// fine grid gives 1 (midpoint rule, tolerance 1e-3), and its samples follow it (the share of
    /// draws in the left half matches the density's mass there within 0.02 for 20 000 draws).
    @Test func mixtureIsANormalisedDensityAndSamplesFollowIt() {
        let estimator = ParzenEstimator(
            numeric: [0.1, 0.15, 0.8], categories: [0, 2, 1], count: 3, numericCount: 1, categoryCounts: [3],
            bandwidth: .neighbours, priorWeight: 1)
        let cells = 2000
        var points: [Double] = [], categories: [Int] = []
        for c in 0..<3 {
            for i in 0..<cells {
                points.append((Double(i) + 0.5) / Double(cells))
                categories.append(c)
            }
        }
        var logs = [Double](repeating: 0, count: points.count)
        points.withUnsafeBufferPointer { p in
            categories.withUnsafeBufferPointer { c in
                logs.withUnsafeMutableBufferPointer { estimator.logDensities(numeric: p, categories: c, count: points.count, into: $0) }
            }
        }
        let total = logs.reduce(0) { $0 + exp($1) } / Double(cells)
        #expect(abs(total - 1) < 1e-3, "integral \(total)")
        let leftMass = points.indices.filter { points[$0] < 0.5 }.reduce(0) { $0 + exp(logs[$1]) } / Double(cells)

        var generator = RandomGenerator(seed: 8)
        var x = [0.0], category = [0]
        var left = 0
        let draws = 20_000
        for _ in 0..<draws {
            x.withUnsafeMutableBufferPointer { xs in
                category.withUnsafeMutableBufferPointer { estimator.sample(numeric: xs, categories: $0, generator: &generator) }
            }
            #expect(x[0] >= 0 && x[0] <= 1)
            if x[0] < 0.5 { left += 1 }
        }
        #expect(abs(Double(left) / Double(draws) - leftMass) < 0.02, "sampled \(Double(left) / Double(draws)) vs \(leftMass)")
    }

    /// Mean and standard deviation of `draws` points drawn from one kernel of `estimator`.
    private func kernelMoments(
        _ estimator: ParzenEstimator, kernel: Int, widthScale: Double, draws: Int = 20_000
    ) -> (mean: Double, std: Double) {
        var generator = RandomGenerator(seed: 21)
        var x = [0.0], category: [Int] = []
        var sum = 0.0, squares = 0.0
        for _ in 0..<draws {
            x.withUnsafeMutableBufferPointer { xs in
                category.withUnsafeMutableBufferPointer {
                    estimator.sample(kernel: kernel, widthScale: widthScale, numeric: xs, categories: $0, generator: &generator)
                }
            }
            sum += x[0]
            squares += x[0] * x[0]
        }
        let mean = sum / Double(draws)
        return (mean, (squares / Double(draws) - mean * mean).squareRoot())
    }

    /// A narrowed kernel is the same truncated Gaussian with its width scaled: observations 0.3,
    /// 0.5, 0.52, 0.9 give the kernel at 0.5 a neighbour width of 0.2 (above the clip 1/6). Its
    /// draws have mean 0.5 and the standard deviation of a normal truncated at ±a = ±0.5/σ,
    /// σ·√(1 − 2aφ(a)/(2Φ(a) − 1)): 0.1909 at full width, 0.05 at a quarter (truncation at 10σ).
    /// Tolerances: 4 standard errors for 20 000 draws.
    @Test func narrowedKernelDrawsFollowTheScaledGaussian() {
        let estimator = ParzenEstimator(
            numeric: [0.3, 0.5, 0.52, 0.9], categories: [], count: 4, numericCount: 1, categoryCounts: [],
            bandwidth: .neighbours, priorWeight: 1)
        for scale in [1.0, 0.25] {
            let sigma = 0.2 * scale, a = 0.5 / sigma
            let density = exp(-a * a / 2) / (2 * Double.pi).squareRoot()
            let expected = sigma * (1 - 2 * a * density / (2 * ParzenEstimator.normalCDF(a) - 1)).squareRoot()
            let moments = kernelMoments(estimator, kernel: 1, widthScale: scale)
            #expect(abs(moments.mean - 0.5) < 4 * expected / 20_000.0.squareRoot(), "scale \(scale): \(moments)")
            #expect(abs(moments.std - expected) < 4 * expected / 40_000.0.squareRoot(), "scale \(scale): \(moments) vs \(expected)")
        }
    }

    /// Ten identical observations have no neighbour gap, so their kernels are exactly as wide as
    /// the clip allows: 1/12 with 11 kernels (exponent 1), 1/144 with exponent 2, and the floor
    /// 0.03 when it is larger. Measured as the spread of 20 000 draws, within 4 standard errors.
    @Test func clipExponentAndMinimumWidthSetTheNarrowestKernel() {
        for (exponent, floor, sigma) in [(1.0, 0.0, 1.0 / 12), (2.0, 0.0, 1.0 / 144), (2.0, 0.03, 0.03)] {
            let estimator = ParzenEstimator(
                numeric: Array(repeating: 0.5, count: 10), categories: [], count: 10, numericCount: 1, categoryCounts: [],
                bandwidth: .neighbours, priorWeight: 1, clipExponent: exponent, minimumWidth: floor)
            let std = kernelMoments(estimator, kernel: 0, widthScale: 1).std
            #expect(abs(std - sigma) < 4 * sigma / 40_000.0.squareRoot(), "exponent \(exponent), floor \(floor): \(std)")
        }
    }
}
