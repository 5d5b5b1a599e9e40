import CBLAS

/// Row-major single-precision BLAS, the only place in the project that calls OpenBLAS.
///
/// Every wrapper checks its shapes and leading dimensions with `precondition` before
/// handing them to OpenBLAS, whose own parameter errors only print to stderr and carry
/// on, leaving the output untouched. Sizes are `Int` here and narrowed to OpenBLAS's
/// 32-bit `blasint` once, with a check, so callers never see C integer types.
///
/// All functions may be called from any thread; OpenBLAS serialises its own thread pool.
/// Matrices are row-major: element (i, j) of a matrix with leading dimension `ld`
/// lives at `pointer[i * ld + j]`, and `ld` must be at least the stored column count.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, where op(A) is m×k, op(B) is k×n and C is m×n.
    ///
    /// A is stored m×k (k×m when `transposeA`), B is stored k×n (n×k when `transposeB`).
    /// With `beta == 0` the previous contents of C are ignored, NaNs included.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension (\(m), \(n), \(k))")
        precondition(lda >= max(1, transposeA ? m : k), "gemm: lda \(lda) too small")
        precondition(ldb >= max(1, transposeB ? k : n), "gemm: ldb \(ldb) too small")
        precondition(ldc >= max(1, n), "gemm: ldc \(ldc) too small")
        if m == 0 || n == 0 { return }
        rawSgemm(
            transposeA: transposeA, transposeB: transposeB,
            m: blasint(checked: m), n: blasint(checked: n), k: blasint(checked: k),
            alpha: alpha, a: a, lda: blasint(checked: lda), b: b, ldb: blasint(checked: ldb),
            beta: beta, c: c, ldc: blasint(checked: ldc))
    }

    /// `cblas_sgemm` with no checks at all, for ``GEMMBenchmark`` to measure what the
    /// checked ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` costs.
    /// Everything else should call the checked wrapper.
    @inline(__always)
    public static func rawSgemm(
        transposeA: Bool, transposeB: Bool, m: Int32, n: Int32, k: Int32,
        alpha: Float, a: UnsafePointer<Float>, lda: Int32,
        b: UnsafePointer<Float>, ldb: Int32,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int32
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// `y = alpha * op(A) * x + beta * y` with A stored m×n; x has n elements (m when
    /// `transpose`) and y has m elements (n when `transpose`), both contiguous.
    public static func gemv(
        transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        precondition(m >= 0 && n >= 0, "gemv: negative dimension (\(m), \(n))")
        precondition(lda >= max(1, n), "gemv: lda \(lda) too small")
        if m == 0 || n == 0 {
            // BLAS leaves y alone here; scale it ourselves so the contract holds for empty A.
            scale(n: transpose ? n : m, alpha: beta, x: y)
            return
        }
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
            blasint(checked: m), blasint(checked: n), alpha, a, blasint(checked: lda),
            x, 1, beta, y, 1)
    }

    /// `y += alpha * x` over `n` contiguous elements.
    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        precondition(n >= 0)
        cblas_saxpy(blasint(checked: n), alpha, x, 1, y, 1)
    }

    /// `x *= alpha` over `n` contiguous elements. With `alpha == 0` the result is zero
    /// even where x held NaN, matching the `beta == 0` convention of gemm.
    public static func scale(n: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        precondition(n >= 0)
        if alpha == 0 {
            x.update(repeating: 0, count: n)
        } else {
            cblas_sscal(blasint(checked: n), alpha, x, 1)
        }
    }

    /// The dot product of two contiguous vectors of `n` elements.
    public static func dot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        precondition(n >= 0)
        return cblas_sdot(blasint(checked: n), x, 1, y, 1)
    }

    /// The Euclidean norm of `n` contiguous elements, computed without overflow.
    public static func nrm2(n: Int, x: UnsafePointer<Float>) -> Float {
        precondition(n >= 0)
        return cblas_snrm2(blasint(checked: n), x, 1)
    }

    /// OpenBLAS's worker thread count. Data-parallel ranks usually set this to 1 so
    /// that N ranks on N cores do not oversubscribe them; `OPENBLAS_NUM_THREADS` sets
    /// the initial value.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set {
            precondition(newValue >= 1, "BLAS.threadCount must be at least 1")
            openblas_set_num_threads(Int32(clamping: newValue))
        }
    }

    /// OpenBLAS's build description (version, target core, threading), recorded with
    /// runs and benchmarks so results can be traced to the library that produced them.
    public static var configuration: String {
        String(cString: openblas_get_config())
    }
}

extension blasint {
    /// Narrows a size to OpenBLAS's 32-bit integer; larger sizes are a programming error.
    @inline(__always)
    fileprivate init(checked value: Int) {
        guard let narrowed = blasint(exactly: value) else {
            preconditionFailure("BLAS: size \(value) exceeds OpenBLAS's 32-bit interface")
        }
        self = narrowed
    }
}
