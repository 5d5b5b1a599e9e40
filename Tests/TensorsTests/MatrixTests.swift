import Foundation
import RingmasterCore
import Tensors
import Testing

@Suite struct MatrixTests {
    @Test func subscriptsAreRowMajor() {
        var matrix = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(matrix[1, 0] == 4)
        #expect(Array(matrix[row: 1]) == [4, 5, 6])
        matrix[0, 2] = 9
        #expect(matrix.storage == [1, 2, 9, 4, 5, 6])
        #expect(matrix.transposed.storage == [1, 4, 2, 5, 9, 6])
        #expect(Matrix(rows: 2, columns: 2, repeating: 7).storage == [7, 7, 7, 7])
    }

    /// Seeded random matrices reproduce exactly and stay inside the requested range.
    @Test func randomInitIsSeededAndInRange() {
        var a = RandomGenerator(seed: 4), b = RandomGenerator(seed: 4)
        let x = Matrix(rows: 20, columns: 30, uniformIn: -0.5...2, using: &a)
        #expect(x == Matrix(rows: 20, columns: 30, uniformIn: -0.5...2, using: &b))
        #expect(x.storage.allSatisfy { $0 >= -0.5 && $0 <= 2 })
        #expect(Set(x.storage).count > 500)
    }

    /// Every transpose flag against the reference, on non-square shapes.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesReference(transposes: (Bool, Bool)) {
        var rng = RandomGenerator(seed: 6)
        let (m, n, k) = (5, 3, 8)
        let a = transposes.0 ? Matrix(rows: k, columns: m, using: &rng) : Matrix(rows: m, columns: k, using: &rng)
        let b = transposes.1 ? Matrix(rows: n, columns: k, using: &rng) : Matrix(rows: k, columns: n, using: &rng)
        let product = a.matmul(b, transposeSelf: transposes.0, transposeOther: transposes.1)
        var expected = [Float](repeating: 0, count: m * n)
        Reference.gemm(
            transposeA: transposes.0, transposeB: transposes.1, m: m, n: n, k: k, alpha: 1,
            a: a.storage, lda: a.columns, b: b.storage, ldb: b.columns, beta: 0, c: &expected, ldc: n)
        #expect(product.rows == m && product.columns == n)
        expectClose(product.storage, expected, tolerance: 1e-5)
    }

    @Test func emptyProductsAreZero() {
        let product = Matrix(rows: 2, columns: 0).matmul(Matrix(rows: 0, columns: 3))
        #expect(product == Matrix(rows: 2, columns: 3))
    }
}

@Suite struct GEMMBenchmarkTests {
    /// The result is well-formed and encodes; the timing itself is checked by `ringmaster
    /// bench gemm`, not here, because a shared CI machine makes speed assertions flaky.
    @Test func producesConsistentResult() throws {
        let result = GEMMBenchmark.run(m: 32, n: 16, k: 8, iterations: 5, warmup: 1)
        #expect(result.m == 32 && result.n == 16 && result.k == 8 && result.iterations == 5)
        #expect(result.wrapperSeconds > 0 && result.rawSeconds > 0)
        let flops = 2.0 * 32 * 16 * 8
        #expect(abs(result.rawGFLOPS - flops / result.rawSeconds / 1e9) < 1e-9 * result.rawGFLOPS)
        #expect(abs(result.ratio - result.wrapperSeconds / result.rawSeconds) < 1e-12)
        let decoded = try JSONDecoder().decode(GEMMBenchmarkResult.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }
}
