import Foundation
import RingmasterCore

/// A mixture of product kernels over one group of parameters, in unit coordinates: per
/// observation, a Gaussian truncated to [0, 1] on each numeric coordinate times an
/// Aitchison–Aitken kernel on each categorical one, plus one wide prior kernel (centre 1/2,
/// width 1, uniform over categories). TPE fits one to the good trials and one to the rest.
///
/// Buffers are flat, row per kernel: `mus`, `sigmas`, `logNormalizers`: (kernels, numeric);
/// `logProbabilities`, `probabilities`: (kernels, categoryStride).
struct ParzenEstimator {
    let numericCount: Int
    let categoryCounts: [Int]
    /// Start of each categorical coordinate's block within a kernel's probability row.
    let categoryOffsets: [Int]
    let categoryStride: Int
    let kernelCount: Int
    private var logWeights: [Double]
    private var cumulativeWeights: [Double]
    private var mus: [Double]
    private var sigmas: [Double]
    private var logNormalizers: [Double]
    private var logProbabilities: [Double]
    private var probabilities: [Double]

    /// - Parameters:
    ///   - numeric: (count, numericCount) unit coordinates of the observations.
    ///   - categories: (count, categoryCounts.count) category indices of the observations.
    ///   - bandwidth: how numeric kernel widths follow from the observations.
    ///   - priorWeight: weight of the prior kernel against 1 per observation.
    init(
        numeric: [Double], categories: [Int], count n: Int, numericCount: Int, categoryCounts: [Int],
        bandwidth: TPESampler.Bandwidth, priorWeight: Double
    ) {
        self.numericCount = numericCount
        self.categoryCounts = categoryCounts
        var offsets: [Int] = []
        var stride = 0
        for count in categoryCounts {
            offsets.append(stride)
            stride += count
        }
        categoryOffsets = offsets
        categoryStride = stride
        kernelCount = n + 1

        var weights = [Double](repeating: 1, count: n) + [n == 0 ? 1 : priorWeight]
        let total = weights.reduce(0, +)
        for k in weights.indices { weights[k] /= total }
        logWeights = weights.map { Foundation.log($0) }
        var running = 0.0
        cumulativeWeights = weights.map { running += $0; return running }

        mus = [Double](repeating: 0.5, count: kernelCount * numericCount)
        sigmas = [Double](repeating: 1, count: kernelCount * numericCount)
        for i in 0..<n * numericCount { mus[i] = numeric[i] }
        let minSigma = 1 / Swift.min(100, Double(1 + kernelCount))
        for j in 0..<numericCount {
            let widths = Self.bandwidths(of: (0..<n).map { numeric[$0 * numericCount + j] }, rule: bandwidth, dimensions: numericCount)
            for i in 0..<n { sigmas[i * numericCount + j] = Swift.min(Swift.max(widths[i], minSigma), 1) }
        }
        logNormalizers = zip(mus, sigmas).map { mu, sigma in
            let mass = Self.normalCDF((1 - mu) / sigma) - Self.normalCDF(-mu / sigma)
            return Foundation.log(sigma) + 0.5 * Foundation.log(2 * Double.pi) + Foundation.log(Swift.max(mass, 1e-300))
        }

        // Aitchison–Aitken: an observed category keeps 1 - λ of the mass and the others share λ.
        // λ shrinks as observations accumulate: the prior's weight spread over n + 1 kernels.
        probabilities = [Double](repeating: 0, count: kernelCount * stride)
        let smoothing = priorWeight / Double(n + 1)
        for (c, count) in categoryCounts.enumerated() {
            let k = Double(count)
            for i in 0..<n {
                let observed = categories[i * categoryCounts.count + c]
                for value in 0..<count {
                    probabilities[i * stride + offsets[c] + value] =
                        ((value == observed ? 1 : 0) + smoothing) / (1 + k * smoothing)
                }
            }
            for value in 0..<count { probabilities[n * stride + offsets[c] + value] = 1 / k }
        }
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
            let order = points.indices.sorted { (points[$0], $0) < (points[$1], $1) }
            var widths = [Double](repeating: 1, count: n)
            guard n > 1 else { return [Swift.max(points[0], 1 - points[0])] }
            for (rank, index) in order.enumerated() {
                let left = rank > 0 ? points[index] - points[order[rank - 1]] : 0
                let right = rank < n - 1 ? points[order[rank + 1]] - points[index] : 0
                widths[index] = Swift.max(left, right)
            }
            return widths
        }
    }

    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

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
        for j in 0..<numericCount {
            let mu = mus[kernel * numericCount + j], sigma = sigmas[kernel * numericCount + j]
            var x = Swift.min(Swift.max(mu, 0), 1)
            // Rejection from the untruncated normal: the truncation keeps at least a third
            // of the mass because the centre lies in [0, 1] and the width is at most 1.
            for _ in 0..<64 {
                let draw = mu + sigma * generator.nextNormal()
                if draw >= 0 && draw <= 1 {
                    x = draw
                    break
                }
            }
            numeric[j] = x
        }
        for c in categoryCounts.indices {
            let base = kernel * categoryStride + categoryOffsets[c]
            var v = generator.nextUnitDouble()
            var chosen = categoryCounts[c] - 1
            for value in 0..<categoryCounts[c] {
                v -= probabilities[base + value]
                if v < 0 {
                    chosen = value
                    break
                }
            }
            categories[c] = chosen
        }
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
        let dn = numericCount, dc = categoryCounts.count, stride = categoryStride
        mus.withUnsafeBufferPointer { mus in
        sigmas.withUnsafeBufferPointer { sigmas in
        logNormalizers.withUnsafeBufferPointer { norms in
        logProbabilities.withUnsafeBufferPointer { logProbs in
        logWeights.withUnsafeBufferPointer { logWeights in
        categoryOffsets.withUnsafeBufferPointer { offsets in
            for point in 0..<count {
                // Streaming log-sum-exp over kernels: one exp per kernel.
                var maximum = -Double.infinity, sum = 0.0
                for k in 0..<kernelCount {
                    var s = logWeights[k]
                    for j in 0..<dn {
                        let z = (numeric[point * dn + j] - mus[k * dn + j]) / sigmas[k * dn + j]
                        s -= 0.5 * z * z + norms[k * dn + j]
                    }
                    for c in 0..<dc { s += logProbs[k * stride + offsets[c] + categories[point * dc + c]] }
                    if s > maximum {
                        sum = sum * Foundation.exp(maximum - s) + 1
                        maximum = s
                    } else {
                        sum += Foundation.exp(s - maximum)
                    }
                }
                output[point] = maximum + Foundation.log(sum)
            }
        }}}}}}
    }
}
