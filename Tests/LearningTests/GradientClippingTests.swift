import Learning
import Testing

/// `clipGradientNorm` against PyTorch's `clip_grad_norm_`: a (3, 4) gradient has norm 5.
@Suite struct GradientClippingTests {
    func clip(_ values: [Float], maxNorm: Double) -> (norm: Double, values: [Float]) {
        var values = values
        let norm = values.withUnsafeMutableBufferPointer { clipGradientNorm($0, maxNorm: maxNorm) }
        return (norm, values)
    }

    /// Above the limit every element scales by maxNorm / (norm + 1e-6).
    @Test func scalesDownToTheLimit() {
        let (norm, values) = clip([3, 4], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        let factor = Float(1 / (5 + 1e-6))
        #expect(abs(values[0] - 3 * factor) < 1e-7 && abs(values[1] - 4 * factor) < 1e-7)
    }

    @Test func leavesSmallGradientsAlone() {
        let (norm, values) = clip([3, 4], maxNorm: 10)
        #expect(abs(norm - 5) < 1e-6)
        #expect(values == [3, 4])
    }

    /// A NaN or infinite gradient is reported, not smeared over every element.
    @Test func nonFiniteNormLeavesGradientsUntouched() {
        let (norm, values) = clip([3, .infinity, 1], maxNorm: 1)
        #expect(!norm.isFinite)
        #expect(values[0] == 3 && values[2] == 1)
    }
}
