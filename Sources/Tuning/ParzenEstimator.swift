import Foundation
import RingmasterCore

/// A mixture of product kernels over one group of parameters, in unit coordinates: per
/// observation, a Gaussian truncated to [0, 1] on each numeric coordinate times an
/// Aitchison–Aitken kernel on each categorical one, plus one wide prior kernel (centre 1/2,
/// width 1, uniform over categories). TPE fits one to the good trials and one to the rest.
///
/// Buffers are flat and coordinate-major, so that scoring a point walks every kernel of one
/// coordinate in a contiguous, vectorisable run: `mus`, `sigmas`, `inverseSigmas`,
/// `lowerTails`, `masses`: (numericCount, kernels); `logProbabilities`, `probabilities`:
/// (categoryStride, kernels).
struct ParzenEstimator {
    let numericCount: Int
    let categoryCounts: [Int]
    /// Row of each categorical coordinate's first category in the probability buffers.
    let categoryOffsets: [Int]
    let kernelCount: Int
    private let cumulativeWeights: [Double]
    /// (kernels) log weight minus the log normaliser of every numeric coordinate: all of a
    /// kernel's log density that does not depend on the point.
    private let constants: [Double]
    private let mus: [Double]
    private let sigmas: [Double]
    private let inverseSigmas: [Double]
    /// Φ(−μ / σ): the kernel's mass below the unit interval.
    private let lowerTails: [Double]
    /// Φ((1 − μ) / σ) − Φ(−μ / σ): the kernel's mass inside the unit interval.
    private let masses: [Double]
    private let logProbabilities: [Double]
    private let probabilities: [Double]

    /// - Parameters:
    ///   - numeric: (count, numericCount) unit coordinates of the observations.
    ///   - categories: (count, categoryCounts.count) category indices of the observations.
    ///   - bandwidth: how numeric kernel widths follow from the observations.
    ///   - priorWeight: weight of the prior kernel against 1 per observation.
    ///   - clipExponent, minimumWidth: numeric widths are at least
    ///     max(minimumWidth, 1 / min(100, kernels + 1)^clipExponent), the "magic clip" of Bergstra
    ///     et al. (exponent 1) in the form of Watanabe (2023).
    init(
        numeric: [Double], categories: [Int], count n: Int, numericCount: Int, categoryCounts: [Int],
        bandwidth: TPESampler.Bandwidth, priorWeight: Double, clipExponent: Double = 1, minimumWidth: Double = 0
    ) {
        let kernels = n + 1
        self.numericCount = numericCount
        self.categoryCounts = categoryCounts
        kernelCount = kernels
        var offsets: [Int] = []
        var stride = 0
        for count in categoryCounts {
            offsets.append(stride)
            stride += count
        }
        categoryOffsets = offsets

        var weights = [Double](repeating: 1, count: n) + [n == 0 ? 1 : priorWeight]
        let total = weights.reduce(0, +)
        for k in weights.indices { weights[k] /= total }
        var running = 0.0
        cumulativeWeights = weights.map { running += $0; return running }
        var constants = weights.map { Foundation.log($0) }

        var mus = [Double](repeating: 0.5, count: numericCount * kernels)
        var sigmas = [Double](repeating: 1, count: numericCount * kernels)
        var lowerTails = [Double](repeating: 0, count: numericCount * kernels)
        var masses = [Double](repeating: 0, count: numericCount * kernels)
        let minSigma = Swift.min(
            Swift.max(minimumWidth, 1 / Foundation.pow(Swift.min(100, Double(1 + kernels)), clipExponent)), 1)
        let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)
        for j in 0..<numericCount {
            let points = (0..<n).map { numeric[$0 * numericCount + j] }
            let widths = Self.bandwidths(of: points, rule: bandwidth, dimensions: numericCount)
            for k in 0..<kernels {
                let index = j * kernels + k
                if k < n {
                    mus[index] = points[k]
                    sigmas[index] = Swift.min(Swift.max(widths[k], minSigma), 1)
                }
                lowerTails[index] = Self.normalCDF(-mus[index] / sigmas[index])
                masses[index] = Swift.max(Self.normalCDF((1 - mus[index]) / sigmas[index]) - lowerTails[index], 1e-300)
                constants[k] -= Foundation.log(sigmas[index]) + halfLogTwoPi + Foundation.log(masses[index])
            }
        }
        self.mus = mus
        self.sigmas = sigmas
        inverseSigmas = sigmas.map { 1 / $0 }
        self.lowerTails = lowerTails
        self.masses = masses
        self.constants = constants

        // Aitchison–Aitken: an observed category keeps 1 − λ of the mass and the others share λ.
        // λ shrinks as observations accumulate: the prior's weight spread over n + 1 kernels.
        var probabilities = [Double](repeating: 0, count: stride * kernels)
        let smoothing = priorWeight / Double(n + 1)
        for (c, count) in categoryCounts.enumerated() {
            for k in 0..<kernels {
                let observed = k < n ? categories[k * categoryCounts.count + c] : -1
                for value in 0..<count {
                    probabilities[(offsets[c] + value) * kernels + k] = k < n
                        ? ((value == observed ? 1 : 0) + smoothing) / (1 + Double(count) * smoothing)
                        : 1 / Double(count)
                }
            }
        }
        self.probabilities = probabilities
        logProbabilities = probabilities.map { Foundation.log($0) }
    }

    /// Kernel widths for the observations `points` of one coordinate (before clipping).
    private static func bandwidths(of points: [Double], rule: TPESampler.Bandwidth, dimensions: Int) -> [Double] {
        let n = points.count
        guard n > 0 else { return [] }
        switch rule {
        case .scott(let factor):
            return [Double](repeating: factor * Foundation.pow(Double(n), -1 / Double(dimensions + 4)), count: n)
        case .neighbours:
            // Each kernel as wide as the larger gap to its neighbours (the range ends count as
            // neighbours only for a lone point), as in the univariate TPE of Bergstra et al.
            guard n > 1 else { return [Swift.max(points[0], 1 - points[0])] }
            var sorted = points.enumerated().map { ($0.element, $0.offset) }
            sorted.sort(by: <)
            var widths = [Double](repeating: 1, count: n)
            for rank in 0..<n {
                let left = rank > 0 ? sorted[rank].0 - sorted[rank - 1].0 : 0
                let right = rank < n - 1 ? sorted[rank + 1].0 - sorted[rank].0 : 0
                widths[sorted[rank].1] = Swift.max(left, right)
            }
            return widths
        }
    }

    /// Φ(x). Beyond ±9 the tail is below 1.2e-19, under half an ulp of 1, so erfc is skipped:
    /// narrow kernels away from the ends of the range are the common case.
    static func normalCDF(_ x: Double) -> Double {
        if x < -9 { return 0 }
        if x > 9 { return 1 }
        return 0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error below 1.2e-9),
    /// ample for drawing candidates.
    static func inverseNormalCDF(_ p: Double) -> Double {
        let a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
        let b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01)
        let c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
        let d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
        let low = 0.02425
        if p < low || p > 1 - low {
            let q = (-2 * Foundation.log(p < low ? p : 1 - p)).squareRoot()
            let x = (((((c.0 * q + c.1) * q + c.2) * q + c.3) * q + c.4) * q + c.5)
                / ((((d.0 * q + d.1) * q + d.2) * q + d.3) * q + 1)
            return p < low ? x : -x
        }
        let q = p - 0.5, r = q * q
        return (((((a.0 * r + a.1) * r + a.2) * r + a.3) * r + a.4) * r + a.5) * q
            / (((((b.0 * r + b.1) * r + b.2) * r + b.3) * r + b.4) * r + 1)
    }

    /// Draws one point from the mixture: a kernel by weight, then each coordinate from it.
    /// - Parameters:
    ///   - numeric: (numericCount) written with unit coordinates.
    ///   - categories: (categoryCounts.count) written with category indices.
    func sample(
        numeric: UnsafeMutableBufferPointer<Double>, categories: UnsafeMutableBufferPointer<Int>,
        generator: inout RandomGenerator
    ) {
        let u = generator.nextUnitDouble()
        let kernel = cumulativeWeights.firstIndex { u < $0 } ?? kernelCount - 1
        sample(kernel: kernel, widthScale: 1, numeric: numeric, categories: categories, generator: &generator)
    }

    /// Draws one point from kernel `kernel` (observations in the order given, the prior last),
    /// its numeric widths multiplied by `widthScale` (in (0, 1]; the categorical part unchanged).
    /// - Parameters:
    ///   - numeric: (numericCount) written with unit coordinates.
    ///   - categories: (categoryCounts.count) written with category indices.
    func sample(
        kernel: Int, widthScale: Double, numeric: UnsafeMutableBufferPointer<Double>,
        categories: UnsafeMutableBufferPointer<Int>, generator: inout RandomGenerator
    ) {
        for j in 0..<numericCount {
            numeric[j] = draw(coordinate: j, kernel: kernel, widthScale: widthScale, generator: &generator)
        }
        drawCategories(kernel: kernel, into: categories, generator: &generator)
    }

    /// One numeric coordinate from one kernel, its width scaled: the inverse CDF restricted to
    /// [0, 1], one uniform, no rejection.
    private func draw(coordinate j: Int, kernel: Int, widthScale: Double, generator: inout RandomGenerator) -> Double {
        let index = j * kernelCount + kernel
        let mu = mus[index]
        var sigma = sigmas[index], lowerTail = lowerTails[index], mass = masses[index]
        if widthScale != 1 {
            sigma *= widthScale
            lowerTail = Self.normalCDF(-mu / sigma)
            mass = Swift.max(Self.normalCDF((1 - mu) / sigma) - lowerTail, 1e-300)
        }
        let p = lowerTail + generator.nextUnitDouble() * mass
        let x = mu + sigma * Self.inverseNormalCDF(Swift.min(Swift.max(p, 1e-300), 1 - 1e-16))
        return Swift.min(Swift.max(x, 0), 1)
    }

    /// Every categorical coordinate from kernel `kernel`.
    private func drawCategories(kernel: Int, into categories: UnsafeMutableBufferPointer<Int>, generator: inout RandomGenerator) {
        for c in categoryCounts.indices {
            var v = generator.nextUnitDouble()
            var chosen = categoryCounts[c] - 1
            for value in 0..<categoryCounts[c] {
                v -= probabilities[(categoryOffsets[c] + value) * kernelCount + kernel]
                if v < 0 {
                    chosen = value
                    break
                }
            }
            categories[c] = chosen
        }
    }

    @inline(__always)
    private static func load(_ buffer: UnsafeBufferPointer<Double>, _ offset: Int) -> SIMD4<Double> {
        UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always)
    private static func store(_ value: SIMD4<Double>, _ buffer: UnsafeMutableBufferPointer<Double>, _ offset: Int) {
        UnsafeMutableRawPointer(buffer.baseAddress! + offset).storeBytes(of: value, as: SIMD4<Double>.self)
    }

    /// Log density of each of `count` points.
    /// - Parameters:
    ///   - numeric: (count, numericCount) unit coordinates.
    ///   - categories: (count, categoryCounts.count) category indices.
    ///   - output: (count) log densities.
    func logDensities(
        numeric: UnsafeBufferPointer<Double>, categories: UnsafeBufferPointer<Int>, count: Int,
        into output: UnsafeMutableBufferPointer<Double>
    ) {
        let kernels = kernelCount, dn = numericCount, dc = categoryCounts.count
        // terms: (kernels) each kernel's log density at the current point, reused for every point.
        var terms = [Double](repeating: 0, count: kernels)
        mus.withUnsafeBufferPointer { mus in
        inverseSigmas.withUnsafeBufferPointer { inverseSigmas in
        constants.withUnsafeBufferPointer { constants in
        logProbabilities.withUnsafeBufferPointer { logProbabilities in
        categoryOffsets.withUnsafeBufferPointer { offsets in
        terms.withUnsafeMutableBufferPointer { terms in
            for point in 0..<count {
                for k in 0..<kernels { terms[k] = 0 }
                for j in 0..<dn {
                    let x = numeric[point * dn + j]
                    let row = j * kernels
                    // Four kernels per step in SIMD lanes, the remainder one by one.
                    var k = 0
                    let xs = SIMD4<Double>(repeating: x)
                    while k + 4 <= kernels {
                        let z = (xs - Self.load(mus, row + k)) * Self.load(inverseSigmas, row + k)
                        Self.store(Self.load(UnsafeBufferPointer(terms), k) + z * z, terms, k)
                        k += 4
                    }
                    while k < kernels {
                        let z = (x - mus[row + k]) * inverseSigmas[row + k]
                        terms[k] += z * z
                        k += 1
                    }
                }
                var maximum = -Double.infinity
                for k in 0..<kernels {
                    terms[k] = constants[k] - 0.5 * terms[k]
                    maximum = Swift.max(maximum, terms[k])
                }
                for c in 0..<dc {
                    let row = (offsets[c] + categories[point * dc + c]) * kernels
                    for k in 0..<kernels { terms[k] += logProbabilities[row + k] }
                }
                if dc > 0 {
                    maximum = -Double.infinity
                    for k in 0..<kernels { maximum = Swift.max(maximum, terms[k]) }
                }
                // Log-sum-exp; kernels more than e^-40 below the largest change nothing at double
                // precision, and in several dimensions that is most of them, so their exp is skipped.
                var sum = 0.0
                for k in 0..<kernels where terms[k] > maximum - 40 { sum += Foundation.exp(terms[k] - maximum) }
                output[point] = maximum + Foundation.log(sum)
            }
        }}}}}}
    }
}
