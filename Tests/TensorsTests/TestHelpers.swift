import RingmasterCore
import Testing

/// Uniform values in `range` from a seeded generator, so every failure reproduces.
func randomValues(_ count: Int, in range: ClosedRange<Float> = -1...1, rng: inout RandomGenerator) -> [Float] {
    (0..<count).map { _ in range.lowerBound + rng.nextUnitFloat() * (range.upperBound - range.lowerBound) }
}

/// Expects `|actual - expected| <= tolerance * (1 + |expected|)` elementwise: relative for
/// large values, absolute for values near zero where a relative bound means nothing.
func expectClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): counts differ", sourceLocation: sourceLocation)
    var worst = 0, worstError: Float = 0
    for i in 0..<min(actual.count, expected.count) {
        let error = abs(actual[i] - expected[i]) / (1 + abs(expected[i]))
        // Written so that a NaN counts as the worst error and stays reported.
        if !worstError.isNaN, !(error <= worstError) { worst = i; worstError = error }
    }
    #expect(
        worstError <= tolerance,
        "\(what): element \(worst) is \(actual[worst]), expected \(expected[worst])",
        sourceLocation: sourceLocation)
}

/// Runs a kernel with one buffer as both input and output, which Swift's exclusivity
/// rules do not allow through two `&array` arguments.
func inPlace(_ values: inout [Float], _ body: (UnsafeMutablePointer<Float>) -> Void) {
    values.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
