import RingmasterCore
import Tensors
import Testing

/// The BLAS wrappers against the naive ``Reference`` loops. Tolerance: 1e-4 relative (with
/// a 1e-4 absolute floor near zero); Float accumulation over k ≤ 70 terms of magnitude ≤ 1
/// stays below 1e-5, so a transposed or mis-strided operand, which changes results at
/// order 1, cannot pass.
@Suite struct BLASTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var m: Int, n: Int, k: Int
        var testDescription: String { "\(m)×\(n)×\(k)" }
    }

    static let shapes = [
        Shape(m: 1, n: 1, k: 1), Shape(m: 3, n: 5, k: 7), Shape(m: 17, n: 4, k: 33),
        Shape(m: 64, n: 31, k: 9), Shape(m: 2, n: 70, k: 65),
    ]

    /// Every transpose combination, with leading dimensions larger than the stored column
    /// counts. Padding holds NaN: reading it would poison the result, and the padding of C
    /// must come back untouched.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)], shapes)
    func gemmMatchesReference(transposes: (Bool, Bool), shape: Shape) {
        let (transposeA, transposeB) = transposes
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var rng = RandomGenerator(seed: UInt64(m * 10_000 + n * 100 + k))
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let lda = aColumns + 3, ldb = bColumns + 1, ldc = n + 2
        let a = padded(rows: aRows, columns: aColumns, ld: lda, rng: &rng)
        let b = padded(rows: bRows, columns: bColumns, ld: ldb, rng: &rng)
        let c = padded(rows: m, columns: n, ld: ldc, rng: &rng)
        var expected = c
        Reference.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75,
            a: a, lda: lda, b: b, ldb: ldb, beta: -0.5, c: &expected, ldc: ldc)
        var actual = c
        actual.withUnsafeMutableBufferPointer { out in
            BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75,
                a: a, lda: lda, b: b, ldb: ldb, beta: -0.5, c: out.baseAddress!, ldc: ldc)
        }
        for row in 0..<m {
            let range = (row * ldc)..<(row * ldc + n)
            expectClose(Array(actual[range]), Array(expected[range]), tolerance: 1e-4, "row \(row)")
            #expect(actual[(row * ldc + n)..<((row + 1) * ldc)].allSatisfy { $0.isNaN }, "padding of C was written")
        }
    }

    /// With beta = 0, C is output only: NaN already in it must not leak into the result.
    @Test func gemmIgnoresOldContentsWhenBetaIsZero() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: .nan, count: 4)
        BLAS.gemm(
            transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 1,
            a: a, lda: 2, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        #expect(c == [19, 22, 43, 50])
    }

    @Test(arguments: [false, true], [(1, 1), (5, 3), (3, 40), (33, 17)])
    func gemvMatchesReference(transpose: Bool, size: (Int, Int)) {
        let (m, n) = size
        var rng = RandomGenerator(seed: UInt64(m * 100 + n))
        let lda = n + 2
        let a = padded(rows: m, columns: n, ld: lda, rng: &rng)
        let x = randomValues(transpose ? m : n, rng: &rng)
        let y = randomValues(transpose ? n : m, rng: &rng)
        var expected = y
        Reference.gemv(transpose: transpose, m: m, n: n, alpha: 1.5, a: a, lda: lda, x: x, beta: 0.25, y: &expected)
        var actual = y
        BLAS.gemv(transpose: transpose, m: m, n: n, alpha: 1.5, a: a, lda: lda, x: x, beta: 0.25, y: &actual)
        expectClose(actual, expected, tolerance: 1e-4)
    }

    @Test func vectorOperationsMatchReference() {
        var rng = RandomGenerator(seed: 5)
        let x = randomValues(1001, rng: &rng)
        let y = randomValues(1001, rng: &rng)
        var expected = y
        Reference.axpy(alpha: -0.3, x: x, y: &expected)
        var actual = y
        BLAS.axpy(n: x.count, alpha: -0.3, x: x, y: &actual)
        expectClose(actual, expected, tolerance: 1e-6, "axpy")

        var scaled = x
        BLAS.scale(n: scaled.count, alpha: 2.5, x: &scaled)
        expectClose(scaled, x.map { $0 * 2.5 }, tolerance: 1e-7, "scale")

        #expect(abs(Double(BLAS.dot(n: x.count, x: x, y: y)) - Reference.dot(x, y)) < 1e-4)
        #expect(abs(Double(BLAS.nrm2(n: x.count, x: x)) - Reference.nrm2(x)) < 1e-4)
    }

    /// Scaling by zero must clear NaN too, which `sscal` alone does not promise.
    @Test func scaleByZeroClearsNaN() {
        var x: [Float] = [.nan, 1, .infinity]
        BLAS.scale(n: 3, alpha: 0, x: &x)
        #expect(x == [0, 0, 0])
    }

    @Test func threadCountCanBeSetAndRead() {
        let original = BLAS.threadCount
        defer { BLAS.threadCount = original }
        BLAS.threadCount = 1
        #expect(BLAS.threadCount == 1)
        #expect(BLAS.configuration.contains("OpenBLAS"))
    }

    /// A row-major `rows × columns` matrix with `ld - columns` NaNs after each row.
    private func padded(rows: Int, columns: Int, ld: Int, rng: inout RandomGenerator) -> [Float] {
        var values = [Float](repeating: .nan, count: rows * ld)
        for r in 0..<rows {
            for c in 0..<columns { values[r * ld + c] = rng.nextUnitFloat() * 2 - 1 }
        }
        return values
    }
}
