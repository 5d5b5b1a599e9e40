import Foundation

/// Naive reference implementations of every kernel in ``BLAS`` and ``Kernels``.
///
/// They exist to be obviously right, not fast: textbook loops over arrays, accumulated in
/// Double, with derivatives written from the pre-activation input rather than reusing the
/// fast kernels' shortcuts, so a test comparing the two checks something independent.
/// Shapes and leading dimensions mean the same as in the fast versions.
public enum Reference {
    /// `C = alpha * op(A) * op(B) + beta * C`, row-major, all four transpose combinations.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
        beta: Float, c: inout [Float], ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }

    /// `y = alpha * op(A) * x + beta * y` with A stored m×n.
    public static func gemv(
        transpose: Bool, m: Int, n: Int, alpha: Float, a: [Float], lda: Int,
        x: [Float], beta: Float, y: inout [Float]
    ) {
        let outputs = transpose ? n : m
        let inner = transpose ? m : n
        for i in 0..<outputs {
            var sum = 0.0
            for p in 0..<inner {
                let aValue = transpose ? a[p * lda + i] : a[i * lda + p]
                sum += Double(aValue) * Double(x[p])
            }
            let previous = beta == 0 ? 0 : Double(beta) * Double(y[i])
            y[i] = Float(Double(alpha) * sum + previous)
        }
    }

    public static func axpy(alpha: Float, x: [Float], y: inout [Float]) {
        for i in x.indices { y[i] = Float(Double(y[i]) + Double(alpha) * Double(x[i])) }
    }

    public static func dot(_ x: [Float], _ y: [Float]) -> Double {
        zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    public static func nrm2(_ x: [Float]) -> Double {
        dot(x, x).squareRoot()
    }

    public static func addBias(rows: Int, columns: Int, bias: [Float], y: inout [Float]) {
        for r in 0..<rows {
            for c in 0..<columns { y[r * columns + c] += bias[c] }
        }
    }

    public static func biasGradient(rows: Int, columns: Int, upstream: [Float]) -> [Float] {
        (0..<columns).map { c in
            Float((0..<rows).reduce(0.0) { $0 + Double(upstream[$1 * columns + c]) })
        }
    }

    public static func relu(_ x: [Float]) -> [Float] { x.map { $0 > 0 ? $0 : 0 } }

    public static func tanh(_ x: [Float]) -> [Float] { x.map { Float(Foundation.tanh(Double($0))) } }

    public static func sigmoid(_ x: [Float]) -> [Float] { x.map { Float(1 / (1 + Foundation.exp(-Double($0)))) } }

    public static func gelu(_ x: [Float]) -> [Float] {
        x.map { Float(0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot()))) }
    }

    public static func reluBackward(input: [Float], upstream: [Float]) -> [Float] {
        zip(input, upstream).map { $0.0 > 0 ? $0.1 : 0 }
    }

    /// d tanh / dx = sech²(x).
    public static func tanhBackward(input: [Float], upstream: [Float]) -> [Float] {
        zip(input, upstream).map { x, g in
            let c = Foundation.cosh(Double(x))
            return Float(Double(g) / (c * c))
        }
    }

    /// dσ/dx = e^{-x} / (1 + e^{-x})².
    public static func sigmoidBackward(input: [Float], upstream: [Float]) -> [Float] {
        zip(input, upstream).map { x, g in
            let e = Foundation.exp(-Double(x))
            return Float(Double(g) * e / ((1 + e) * (1 + e)))
        }
    }

    /// d/dx [x Φ(x)] = Φ(x) + x φ(x).
    public static func geluBackward(input: [Float], upstream: [Float]) -> [Float] {
        zip(input, upstream).map { x, g in
            let v = Double(x)
            let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
            let pdf = Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
            return Float(Double(g) * (cdf + v * pdf))
        }
    }

    public static func logSoftmax(rows: Int, columns: Int, input: [Float]) -> [Float] {
        var output = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            let row = input[(r * columns)..<((r + 1) * columns)].map(Double.init)
            let maximum = row.max()!
            let logSum = Foundation.log(row.reduce(0.0) { $0 + Foundation.exp($1 - maximum) }) + maximum
            for c in 0..<columns { output[r * columns + c] = Float(row[c] - logSum) }
        }
        return output
    }

    /// Mean cross-entropy and its gradient (rows, classes) with respect to the logits.
    public static func softmaxCrossEntropy(
        rows: Int, classes: Int, logits: [Float], labels: [Float]
    ) -> (loss: Double, gradient: [Float]) {
        let logProbabilities = logSoftmax(rows: rows, columns: classes, input: logits)
        var loss = 0.0
        var gradient = [Float](repeating: 0, count: rows * classes)
        for r in 0..<rows {
            let label = Int(labels[r])
            loss -= Double(logProbabilities[r * classes + label])
            for c in 0..<classes {
                let p = Foundation.exp(Double(logProbabilities[r * classes + c]))
                gradient[r * classes + c] = Float((p - (c == label ? 1 : 0)) / Double(rows))
            }
        }
        return (loss / Double(rows), gradient)
    }

    /// Mean of `-[t log σ(z) + (1 - t) log(1 - σ(z))]`, written literally; fine for the
    /// moderate logits the tests feed it, unlike the stable fast kernel.
    public static func binaryCrossEntropy(rows: Int, logits: [Float], labels: [Float]) -> (loss: Double, gradient: [Float]) {
        var loss = 0.0
        var gradient = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let p = 1 / (1 + Foundation.exp(-Double(logits[r])))
            let t = Double(labels[r])
            loss -= t * Foundation.log(p) + (1 - t) * Foundation.log(1 - p)
            gradient[r] = Float((p - t) / Double(rows))
        }
        return (loss / Double(rows), gradient)
    }

    public static func meanSquaredError(outputs: [Float], targets: [Float]) -> (loss: Double, gradient: [Float]) {
        let count = Double(outputs.count)
        let differences = zip(outputs, targets).map { Double($0) - Double($1) }
        let loss = differences.reduce(0.0) { $0 + $1 * $1 } / count
        return (loss, differences.map { Float(2 * $0 / count) })
    }
}
