/// A dense row-major Float32 matrix owning its storage, for tests, setup and small work.
///
/// Training kernels work on raw pointers into preallocated arenas instead; `Matrix` is the
/// convenient form for building inputs, comparing results and one-off products, where an
/// allocation per call does not matter.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Element (r, c) is `storage[r * columns + c]`.
    public var storage: [Float]

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        storage = [Float](repeating: value, count: rows * columns)
    }

    /// Wraps `values`, given row by row; their count must be `rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        precondition(values.count == rows * columns, "Matrix: \(values.count) values for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        storage = values
    }

    /// Elements drawn uniformly from `range`, in storage order, so a seeded generator
    /// (such as RingmasterCore's `RandomGenerator`) gives the same matrix every time.
    public init<G: RandomNumberGenerator>(
        rows: Int, columns: Int, uniformIn range: ClosedRange<Float> = -1...1, using generator: inout G
    ) {
        self.init(rows: rows, columns: columns)
        let width = Double(range.upperBound) - Double(range.lowerBound)
        for i in storage.indices {
            // 24 random bits: every value is exactly representable and the draw is portable.
            let unit = Double(generator.next() >> 40) * 0x1.0p-24
            storage[i] = Float(Double(range.lowerBound) + unit * width)
        }
    }

    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return storage[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            storage[row * columns + column] = newValue
        }
    }

    /// One row as a slice of the storage.
    public subscript(row row: Int) -> ArraySlice<Float> {
        precondition(row >= 0 && row < rows, "Matrix row out of range")
        return storage[(row * columns)..<((row + 1) * columns)]
    }

    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { result.storage[c * rows + r] = storage[r * columns + c] }
        }
        return result
    }

    /// `op(self) · op(other)` through ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    public func matmul(_ other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? columns : rows
        let k = transposeSelf ? rows : columns
        let otherK = transposeOther ? other.columns : other.rows
        let n = transposeOther ? other.rows : other.columns
        precondition(k == otherK, "matmul: inner dimensions \(k) and \(otherK) differ")
        var result = Matrix(rows: m, columns: n)
        // Empty products are all zeros, and empty arrays have no base address to pass.
        if m == 0 || n == 0 || k == 0 { return result }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                result.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                        alpha: 1, a: a.baseAddress!, lda: columns, b: b.baseAddress!, ldb: other.columns,
                        beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return result
    }
}
