import Foundation
import Learning
import RingmasterCore
import Testing

/// Optimizer steps against values worked out by hand from PyTorch's update rules, for one
/// parameter starting at 1 with gradients 0.5, -0.25, 1 and lr = 0.1. Tolerance 1e-6
/// (Float arithmetic on values near 1).
@Suite struct OptimizerTests {
    static let gradients: [Float] = [0.5, -0.25, 1]

    /// Runs three steps and returns the parameter after each.
    func trajectory(_ configuration: OptimizerConfiguration) -> [Float] {
        let optimizer = Optimizer(configuration: configuration, parameterCount: 1)
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        defer { p.deallocate(); g.deallocate() }
        p[0] = 1
        return Self.gradients.map { gradient in
            g[0] = gradient
            optimizer.step(parameters: p, gradients: g, learningRate: Float(configuration.learningRate))
            #expect(g[0] == gradient, "the optimizer must not modify gradients")
            return p[0]
        }
    }

    func expectTrajectory(_ configuration: OptimizerConfiguration, _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = trajectory(configuration)
        for (a, e) in zip(actual, expected) {
            #expect(abs(Double(a) - e) < 1e-6, "got \(actual), expected \(expected)", sourceLocation: sourceLocation)
        }
    }

    /// b = g on the first step, then b = 0.9 b + g: b = 0.5, 0.2, 1.18; p -= 0.1 b.
    @Test func sgdMomentum() {
        expectTrajectory(.init(kind: .sgd, learningRate: 0.1, momentum: 0.9), [0.95, 0.93, 0.812])
    }

    /// d = g + 0.9 b with b as above: d = 0.95, -0.07, 2.062.
    @Test func sgdNesterov() {
        expectTrajectory(.init(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true), [0.905, 0.912, 0.7058])
    }

    /// d = g + 0.1 p: 0.6, then -0.25 + 0.094 = -0.156, then 1 + 0.09556.
    @Test func sgdWeightDecay() {
        expectTrajectory(.init(kind: .sgd, learningRate: 0.1, weightDecay: 0.1), [0.94, 0.9556, 0.846044])
    }

    /// Step 1: m̂ = g, v̂ = g², so p moves by lr·g/|g| = 0.1. Step 2: m = 0.02,
    /// v = 3.1225e-4, m̂ = 0.02/0.19, v̂ = 3.1225e-4/1.999e-3, p -= 0.1·m̂/√v̂ = 0.0266337.
    @Test func adam() {
        expectTrajectory(.init(kind: .adam, learningRate: 0.1), [0.9, 0.8733663, 0.8075551])
    }

    /// L2 enters the gradient before the moments: g = 0.5 + 0.1·1 = 0.6 on step 1.
    @Test func adamWithL2() {
        expectTrajectory(.init(kind: .adam, learningRate: 0.1, weightDecay: 0.1), [0.9, 0.8544414, 0.7815044])
    }

    /// Decoupled: p *= 1 - lr·λ = 0.99 first, then the plain Adam step: 0.99 - 0.1 = 0.89.
    @Test func adamW() {
        expectTrajectory(.init(kind: .adamw, learningRate: 0.1, weightDecay: 0.1), [0.89, 0.8544663, 0.7801105])
    }

    /// Saving the state mid-run and restoring it into a fresh optimizer continues the
    /// exact same trajectory, bit for bit.
    @Test(arguments: [OptimizerKind.sgd, .adam, .adamw])
    func stateRoundTripContinuesExactly(kind: OptimizerKind) throws {
        let configuration = OptimizerConfiguration(kind: kind, learningRate: 0.05, momentum: kind == .sgd ? 0.9 : 0, weightDecay: 0.01)
        let count = 5
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let q = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { p.deallocate(); q.deallocate(); g.deallocate() }
        p.initialize(repeating: 1)
        let original = Optimizer(configuration: configuration, parameterCount: count)
        for step in 0..<3 {
            for i in 0..<count { g[i] = Float(i - step) * 0.3 }
            original.step(parameters: p, gradients: g, learningRate: 0.05)
        }
        let saved = try JSONDecoder().decode(OptimizerState.self, from: JSONEncoder().encode(original.state))
        #expect(saved.step == 3)
        let restored = Optimizer(configuration: configuration, parameterCount: count)
        restored.state = saved
        _ = q.initialize(from: p)
        for step in 3..<6 {
            for i in 0..<count { g[i] = Float(i * step) * 0.1 - 0.5 }
            original.step(parameters: p, gradients: g, learningRate: 0.05)
            restored.step(parameters: q, gradients: g, learningRate: 0.05)
        }
        #expect(Array(p) == Array(q))
        #expect(original.state == restored.state)
    }

    @Test func validationNamesTheBadHyperparameter() throws {
        try OptimizerConfiguration(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true).validate()
        #expect(throws: OptimizerConfigurationError.self) { try OptimizerConfiguration(kind: .sgd, learningRate: 0).validate() }
        #expect(throws: OptimizerConfigurationError.self) { try OptimizerConfiguration(kind: .sgd, learningRate: 0.1, nesterov: true).validate() }
        #expect(throws: OptimizerConfigurationError.self) { try OptimizerConfiguration(kind: .adam, learningRate: 0.1, beta2: 1).validate() }
        let error = #expect(throws: OptimizerConfigurationError.self) {
            try OptimizerConfiguration(kind: .adam, learningRate: 0.1, weightDecay: -1).validate()
        }
        #expect(error?.description.contains("weight decay") == true)
    }

    static let rules: [OptimizerConfiguration] = [
        .init(kind: .sgd, learningRate: 0.1),
        .init(kind: .sgd, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01),
        .init(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true),
        .init(kind: .adam, learningRate: 0.01, weightDecay: 0.01),
        .init(kind: .adamw, learningRate: 0.01, weightDecay: 0.1),
    ]

    /// Ranks that each update one slice of the arena with their own optimizer (as through
    /// shared memory) together take the same step as one whole-arena update, to the bit,
    /// moments included; moments moved to other memory mid-way carry on where they were.
    @Test(arguments: rules)
    func slicedStepsAndPlacedMomentsMatchWholeSteps(_ configuration: OptimizerConfiguration) {
        let count = 1000
        let slices = [0..<336, 336..<672, 672..<count]
        var rng = RandomGenerator(seed: 4)
        let whole = Optimizer(configuration: configuration, parameterCount: count)
        let ranks = slices.map { _ in Optimizer(configuration: configuration, parameterCount: count) }
        let p1 = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let p2 = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let moments = UnsafeMutablePointer<Float>.allocate(capacity: 2 * count)
        defer { p1.deallocate(); p2.deallocate(); g.deallocate(); moments.deallocate() }
        let start = (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
        _ = p1.initialize(from: start)
        _ = p2.initialize(from: start)
        final class Owner {}
        for step in 0..<4 {
            for i in 0..<count { g[i] = rng.nextUnitFloat() - 0.5 }
            whole.step(parameters: p1, gradients: g, learningRate: 0.05)
            for (optimizer, range) in zip(ranks, slices) {
                optimizer.step(parameters: p2, gradients: g, learningRate: 0.05, range: range)
            }
            if step == 1 { ranks[0].placeMoments(first: moments, second: moments + count, owner: Owner()) }
        }
        #expect(Array(p1) == Array(p2))
        for (optimizer, range) in zip(ranks, slices) {
            let (expected, actual) = (whole.state, optimizer.state)
            #expect(actual.step == expected.step)
            #expect(actual.firstMoment.isEmpty ? expected.firstMoment.isEmpty : Array(actual.firstMoment[range]) == Array(expected.firstMoment[range]))
            #expect(actual.secondMoment.isEmpty ? expected.secondMoment.isEmpty : Array(actual.secondMoment[range]) == Array(expected.secondMoment[range]))
        }
    }
}
