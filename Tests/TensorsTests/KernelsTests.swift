import RingmasterCore
import Tensors
import Testing

/// Row and activation kernels against ``Reference``. The reference works in Double and
/// differentiates from the pre-activation input, so agreement to 1e-5 relative (Float
/// rounding of transcendental functions is ~1e-7) shows both the formula and the
/// choice of input/output in each backward kernel are right.
@Suite struct KernelsTests {
    enum Function: String, CaseIterable, Sendable { case relu, tanh, sigmoid, gelu }

    @Test func addBiasAndBiasGradientMatchReference() {
        var rng = RandomGenerator(seed: 1)
        let rows = 7, columns = 13
        let bias = randomValues(columns, rng: &rng)
        let y = randomValues(rows * columns, rng: &rng)
        var expected = y
        Reference.addBias(rows: rows, columns: columns, bias: bias, y: &expected)
        var actual = y
        Kernels.addBias(rows: rows, columns: columns, bias: bias, to: &actual)
        expectClose(actual, expected, tolerance: 1e-7, "addBias")

        var gradient = [Float](repeating: .nan, count: columns)
        Kernels.biasGradient(rows: rows, columns: columns, upstream: y, gradient: &gradient)
        expectClose(gradient, Reference.biasGradient(rows: rows, columns: columns, upstream: y), tolerance: 1e-6, "biasGradient")
    }

    /// Inputs span [-6, 6] so that saturated regions of tanh, sigmoid and GELU are covered.
    @Test(arguments: Function.allCases)
    func activationMatchesReference(function: Function) {
        var rng = RandomGenerator(seed: 2)
        let x = randomValues(500, in: -6...6, rng: &rng) + [0, -0.0, 1e-3]
        let upstream = randomValues(x.count, rng: &rng)
        let count = x.count
        var output = [Float](repeating: 0, count: count)
        var gradient = upstream
        let expectedOutput: [Float], expectedGradient: [Float]
        switch function {
        case .relu:
            Kernels.relu(count: count, input: x, output: &output)
            inPlace(&gradient) { Kernels.reluBackward(count: count, input: x, upstream: $0, gradient: $0) }
            (expectedOutput, expectedGradient) = (Reference.relu(x), Reference.reluBackward(input: x, upstream: upstream))
        case .tanh:
            Kernels.tanh(count: count, input: x, output: &output)
            inPlace(&gradient) { Kernels.tanhBackward(count: count, output: output, upstream: $0, gradient: $0) }
            (expectedOutput, expectedGradient) = (Reference.tanh(x), Reference.tanhBackward(input: x, upstream: upstream))
        case .sigmoid:
            Kernels.sigmoid(count: count, input: x, output: &output)
            inPlace(&gradient) { Kernels.sigmoidBackward(count: count, output: output, upstream: $0, gradient: $0) }
            (expectedOutput, expectedGradient) = (Reference.sigmoid(x), Reference.sigmoidBackward(input: x, upstream: upstream))
        case .gelu:
            Kernels.gelu(count: count, input: x, output: &output)
            inPlace(&gradient) { Kernels.geluBackward(count: count, input: x, upstream: $0, gradient: $0) }
            (expectedOutput, expectedGradient) = (Reference.gelu(x), Reference.geluBackward(input: x, upstream: upstream))
        }
        expectClose(output, expectedOutput, tolerance: 1e-5, "\(function) forward")
        expectClose(gradient, expectedGradient, tolerance: 1e-5, "\(function) backward (in place)")
    }

    /// Published values of the exact GELU (PyTorch `approximate='none'`), which the tanh
    /// approximation misses in the fourth digit at x = 1 (0.841192).
    @Test func geluIsTheExactErfForm() {
        let x: [Float] = [-3, -1, 0, 1, 2]
        var y = [Float](repeating: 0, count: x.count)
        Kernels.gelu(count: x.count, input: x, output: &y)
        expectClose(y, [-0.004_049_7, -0.158_655_3, 0, 0.841_344_7, 1.954_499_7], tolerance: 1e-6)
    }

    /// Far in the tails the stable sigmoid neither overflows nor returns NaN.
    @Test func sigmoidIsStableForLargeInputs() {
        let x: [Float] = [-1000, -88, 88, 1000]
        var y = [Float](repeating: .nan, count: x.count)
        Kernels.sigmoid(count: x.count, input: x, output: &y)
        #expect(y[0] == 0 && y[3] == 1)
        #expect(y[1] > 0 && y[1] < 1e-37 && y[2] == 1)
    }

    @Test func logSoftmaxMatchesReferenceInPlace() {
        var rng = RandomGenerator(seed: 3)
        let rows = 9, columns = 6
        let x = randomValues(rows * columns, in: -10...10, rng: &rng)
        var y = x
        inPlace(&y) { Kernels.logSoftmax(rows: rows, columns: columns, input: $0, output: $0) }
        expectClose(y, Reference.logSoftmax(rows: rows, columns: columns, input: x), tolerance: 1e-6)
    }

    /// Logits of 1e4 would overflow `exp` in Float (and in Double); the shift by the row
    /// maximum keeps the result exact.
    @Test func logSoftmaxHandlesLargeLogits() {
        let x: [Float] = [10_000, 0, -10_000, 5_000, 5_000, 5_000]
        var y = [Float](repeating: .nan, count: 6)
        Kernels.logSoftmax(rows: 2, columns: 3, input: x, output: &y)
        #expect(y[0] == 0 && y[1] == -10_000 && y[2] == -20_000)
        let third = -Float(1.098_612_3)
        #expect(y[3...].allSatisfy { abs($0 - third) < 1e-6 })
    }

    @Test func argmaxTakesTheFirstOfTies() {
        #expect(Kernels.argmax([1, 3, 3, 2], count: 4) == 1)
        #expect(Kernels.argmax([-5], count: 1) == 0)
    }

    /// The mean of N ranks' buffers is the rank-order sum divided by N (times 1/N for powers
    /// of two, where that is exact), element for element the same bits as the scalar formula,
    /// also when the target is one of the sources and across the 16-float tail.
    @Test(arguments: 1...5)
    func meanOfRanksMatchesScalarSum(ranks: Int) {
        var rng = RandomGenerator(seed: UInt64(ranks))
        for count in [1, 15, 16, 17, 100] {
            let buffers = (0..<ranks).map { _ in
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                _ = buffer.initialize(from: randomValues(count, rng: &rng))
                return buffer
            }
            defer { for buffer in buffers { buffer.deallocate() } }
            let expected: [Float] = (0..<count).map { i in
                var sum = buffers[0][i]
                for r in 1..<ranks { sum += buffers[r][i] }
                return ranks.nonzeroBitCount == 1 ? sum * (1 / Float(ranks)) : sum / Float(ranks)
            }
            let sources = buffers.map { UnsafePointer($0.baseAddress!) }
            var separate = [Float](repeating: .nan, count: count)
            Kernels.mean(of: sources, into: &separate, count: count)
            #expect(separate == expected, "ranks \(ranks), count \(count)")
            Kernels.mean(of: sources, into: buffers[ranks - 1].baseAddress!, count: count)
            #expect(Array(buffers[ranks - 1]) == expected, "in place, ranks \(ranks), count \(count)")
        }
    }

    @Test func sumOfSquaresAccumulatesInDouble() {
        var rng = RandomGenerator(seed: 9)
        let x = randomValues(1001, rng: &rng)
        let expected = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(Kernels.sumOfSquares(x, count: x.count) - expected) <= 1e-12 * expected)
    }
}
