/// One measurement of `ringmaster bench gemm`: the checked ``BLAS`` wrapper against a
/// raw `cblas_sgemm` call on the same buffers, to show the wrapper costs nothing.
public struct GEMMBenchmarkResult: Codable, Sendable, Equatable {
    /// Rows of op(A) and C.
    public var m: Int
    /// Columns of op(B) and C.
    public var n: Int
    /// Inner dimension.
    public var k: Int
    /// Timed calls per path, after warm-up.
    public var iterations: Int
    /// OpenBLAS worker threads during the run.
    public var threads: Int
    /// Median seconds per call through `BLAS.gemm`.
    public var wrapperSeconds: Double
    /// Median seconds per call through raw `cblas_sgemm`.
    public var rawSeconds: Double
    /// `2 m n k / wrapperSeconds / 1e9`.
    public var wrapperGFLOPS: Double
    /// `2 m n k / rawSeconds / 1e9`.
    public var rawGFLOPS: Double
    /// `wrapperSeconds / rawSeconds`: 1 means no overhead, above 1 means the wrapper is slower.
    public var ratio: Double
}

/// Times `C = A · B` for one shape through both paths.
public enum GEMMBenchmark {
    /// Runs `warmup` untimed calls of each path (to fault in pages and spin up OpenBLAS's
    /// threads), then `iterations` timed calls of each, alternating the two paths so that
    /// frequency scaling or a noisy neighbour affects both alike, and reports medians,
    /// which ignore the occasional descheduled call.
    public static func run(m: Int, n: Int, k: Int, iterations: Int, warmup: Int = 3) -> GEMMBenchmarkResult {
        precondition(m > 0 && n > 0 && k > 0, "bench gemm: dimensions must be positive")
        precondition(iterations > 0 && warmup >= 0, "bench gemm: iterations must be positive")
        // The values only need to be ordinary finite numbers; denormals would slow both paths.
        let a = (0..<(m * k)).map { Float($0 % 17) * 0.0625 - 0.5 }
        let b = (0..<(k * n)).map { Float($0 % 13) * 0.0625 - 0.375 }
        var c = [Float](repeating: 0, count: m * n)
        var wrapperTimes: [Double] = []
        var rawTimes: [Double] = []
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let a = a.baseAddress!, b = b.baseAddress!, c = c.baseAddress!
                    let wrapper = {
                        BLAS.gemm(
                            transposeA: false, transposeB: false, m: m, n: n, k: k,
                            alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n)
                    }
                    let raw = {
                        BLAS.rawSgemm(
                            transposeA: false, transposeB: false, m: Int32(m), n: Int32(n), k: Int32(k),
                            alpha: 1, a: a, lda: Int32(k), b: b, ldb: Int32(n), beta: 0, c: c, ldc: Int32(n))
                    }
                    for _ in 0..<warmup {
                        wrapper()
                        raw()
                    }
                    for iteration in 0..<iterations {
                        if iteration % 2 == 0 {
                            wrapperTimes.append(seconds(wrapper))
                            rawTimes.append(seconds(raw))
                        } else {
                            rawTimes.append(seconds(raw))
                            wrapperTimes.append(seconds(wrapper))
                        }
                    }
                }
            }
        }
        let flops = 2 * Double(m) * Double(n) * Double(k)
        let wrapperSeconds = median(wrapperTimes)
        let rawSeconds = median(rawTimes)
        return GEMMBenchmarkResult(
            m: m, n: n, k: k, iterations: iterations, threads: BLAS.threadCount,
            wrapperSeconds: wrapperSeconds, rawSeconds: rawSeconds,
            wrapperGFLOPS: flops / wrapperSeconds / 1e9, rawGFLOPS: flops / rawSeconds / 1e9,
            ratio: wrapperSeconds / rawSeconds)
    }

    private static func seconds(_ body: () -> Void) -> Double {
        let elapsed = ContinuousClock().measure(body)
        let (whole, fraction) = elapsed.components
        return Double(whole) + Double(fraction) * 1e-18
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
