import Foundation

/// Row and elementwise kernels on raw pointers, the non-BLAS half of a dense layer.
///
/// Kernels never allocate and never retain their pointers. Buffers are contiguous
/// row-major (leading dimension = column count). Where a parameter is documented as
/// "may alias", the kernel reads each element before writing the same index, so in-place
/// use is safe; other outputs must not overlap the inputs.
///
/// Each kernel has a naive twin in ``Reference`` that the tests compare it against.
public enum Kernels {
    /// `y[r, c] += bias[c]` for every row.
    ///
    /// - y: (rows, columns), updated in place
    /// - bias: (columns)
    public static func addBias(
        rows: Int, columns: Int, bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = y + r * columns
            for c in 0..<columns { row[c] += bias[c] }
        }
    }

    /// The bias gradient: `gradient[c] = Σ_r upstream[r, c]`, overwriting `gradient`.
    ///
    /// - upstream: (rows, columns), d(loss)/d(layer output)
    /// - gradient: (columns)
    public static func biasGradient(
        rows: Int, columns: Int, upstream: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>
    ) {
        gradient.update(repeating: 0, count: columns)
        // Row by row keeps both streams sequential; the column-wise order would stride.
        for r in 0..<rows {
            let row = upstream + r * columns
            for c in 0..<columns { gradient[c] += row[c] }
        }
    }

    /// Numerically stable log-softmax of each row: `x - max - log Σ exp(x - max)`.
    ///
    /// - input, output: (rows, columns); output may alias input
    public static func logSoftmax(
        rows: Int, columns: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        precondition(columns > 0, "logSoftmax needs at least one column")
        for r in 0..<rows {
            let x = input + r * columns
            let y = output + r * columns
            let (maximum, logSum) = shiftedLogSumExp(x, count: columns)
            for c in 0..<columns { y[c] = (x[c] - maximum) - logSum }
        }
    }

    /// `log Σ exp(x)` over one row, returned as the row maximum and `log Σ exp(x - max)`
    /// kept apart: the shift keeps large logits from overflowing, and subtracting the two
    /// parts separately keeps the digits that `x - (max + logSum)` would round away when
    /// the logits are in the thousands. The sum runs in Double so small terms survive.
    /// Non-finite logits give NaN, which is what a diverged model should report.
    @inline(__always)
    static func shiftedLogSumExp(_ x: UnsafePointer<Float>, count: Int) -> (maximum: Float, logSum: Float) {
        var maximum = x[0]
        for c in 1..<count where x[c] > maximum { maximum = x[c] }
        var sum = 0.0
        for c in 0..<count { sum += Double(Foundation.exp(x[c] - maximum)) }
        return (maximum, Float(Foundation.log(sum)))
    }

    /// Index of the largest element of one row (the first on ties), as used for
    /// classification accuracy.
    public static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        precondition(count > 0)
        var best = 0
        for c in 1..<count where x[c] > x[best] { best = c }
        return best
    }

    /// `target[i] = (sources[0][i] + sources[1][i] + … + sources[N-1][i]) / N` for `i` in
    /// `0..<count`: the element-wise mean of N ranks' buffers as ``LaneMean`` forms it (with
    /// `divisor`, the sum divided by that instead). `target` may be one of the sources.
    public static func mean(
        of sources: [UnsafePointer<Float>], divisor: Int? = nil, into target: UnsafeMutablePointer<Float>, count: Int
    ) {
        let mean = LaneMean(sources, divisor: divisor)
        for i in stride(from: 0, to: count, by: Lanes.width) {
            Lanes.store(mean.load(i, count: count), target, i, count: count)
        }
    }

    /// Σ x[i]² for `i` in `0..<count`, accumulated in Double.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for i in 0..<count { total += Double(x[i]) * Double(x[i]) }
        return total
    }
}
