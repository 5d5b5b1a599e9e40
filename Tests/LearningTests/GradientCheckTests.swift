import Learning
import RingmasterCore
import Tensors
import Testing

/// Backpropagation against central finite differences, `(L(θ + h) - L(θ - h)) / 2h`, for
/// every parameter of small networks of each kind, each activation, with and without
/// dropout, and each loss.
///
/// The network computes in Float, so h = 1e-3: small enough that the O(h²) truncation
/// error is negligible, large enough that Float rounding in the loss (~1e-7 relative)
/// stays near 3e-5 after dividing by 2h; observed errors are below 3e-4 of the largest
/// gradient. Tolerance: 0.2% of the largest gradient plus 1% of the element itself. A
/// sign error, a missing transpose or a wrong activation derivative is off by the size of
/// the gradient and fails. ReLU has a kink at 0 where a difference quotient means
/// nothing; about a third of seeds put a pre-activation within h of it (an error of
/// ~0.6%), so its case uses a seed that does not.
@Suite struct GradientCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var architecture: ModelArchitecture
        var training = false
        var seed: UInt64 = 3
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "linear", architecture: .init(kind: .linear, inputs: 4, outputs: 2)),
        Case(name: "logistic binary", architecture: .init(kind: .logistic, inputs: 5, outputs: 1)),
        Case(name: "logistic multinomial", architecture: .init(kind: .logistic, inputs: 3, outputs: 3)),
        Case(name: "softmax", architecture: .init(kind: .softmax, inputs: 4, outputs: 4)),
    ] + Activation.allCases.map { activation in
        Case(
            name: "mlp \(activation)",
            architecture: .init(kind: .mlp, inputs: 4, outputs: 3, hidden: [6, 5], activation: activation),
            seed: activation == .relu ? 4 : 3)
    } + [
        Case(name: "mlp tanh dropout (fixed mask)",
             architecture: .init(kind: .mlp, inputs: 4, outputs: 3, hidden: [6, 5], activation: .tanh, dropout: 0.3),
             training: true),
        Case(name: "mlp gelu dropout (fixed mask)",
             architecture: .init(kind: .mlp, inputs: 3, outputs: 1, hidden: [7], activation: .gelu, dropout: 0.5, loss: .binaryCrossEntropy),
             training: true),
        Case(name: "mlp sigmoid mse", architecture: .init(kind: .mlp, inputs: 3, outputs: 2, hidden: [4], activation: .sigmoid, loss: .meanSquaredError)),
    ]

    @Test(arguments: cases)
    func backpropagationMatchesFiniteDifferences(_ testCase: Case) {
        let architecture = testCase.architecture
        let batch = 5
        let network = makeNetwork(architecture, maxBatch: batch, seed: testCase.seed)
        var data = RandomGenerator(seed: 4)
        let input = randomValues(batch * architecture.inputs, in: -2...2, rng: &data)
        let targets = randomTargets(for: architecture, batch: batch, rng: &data)
        // Replaying the same generator state redraws the same dropout masks on every pass.
        let maskSeed = RandomGenerator(seed: 5)

        // Backward reads the input of the last forward, so it needs a stable address.
        let inputBuffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: input.count)
        defer { inputBuffer.deallocate() }
        _ = inputBuffer.initialize(from: input)

        func loss() -> Double {
            var masks = maskSeed
            _ = network.forward(inputBuffer.baseAddress!, batch: batch, training: testCase.training, rng: &masks)
            return network.lossAndGradient(targets: targets, batch: batch).loss
        }
        _ = loss()
        network.backward(network.outputGradient, batch: batch)
        let analytic = Array(network.gradients)

        let h: Float = 1e-3
        var numeric = [Double](repeating: 0, count: network.parameterCount)
        for i in numeric.indices {
            let original = network.parameters[i]
            let (up, down) = (original + h, original - h)
            network.parameters[i] = up
            let plus = loss()
            network.parameters[i] = down
            let minus = loss()
            network.parameters[i] = original
            // Divide by the step Float actually took, not the nominal 2h.
            numeric[i] = (plus - minus) / (Double(up) - Double(down))
        }
        let scale = numeric.map(abs).max()!
        let failing = numeric.indices.first { i in
            abs(Double(analytic[i]) - numeric[i]) > 2e-3 * scale + 1e-2 * abs(numeric[i])
        }
        #expect(failing == nil, "parameter \(failing ?? 0): backprop \(analytic[failing ?? 0]), finite difference \(numeric[failing ?? 0]) (largest gradient \(scale))")
        #expect(analytic.contains { $0 != 0 }, "all gradients are zero")
    }

    /// d(mean loss)/d(outputs) from each loss kernel against finite differences in the
    /// outputs, computed in Double by the kernels (h = 1e-3, tolerance 1e-4 absolute).
    @Test(arguments: [LossKind.softmaxCrossEntropy, .binaryCrossEntropy, .meanSquaredError])
    func lossGradientMatchesFiniteDifferences(_ loss: LossKind) {
        let rows = 4
        let columns = loss == .binaryCrossEntropy ? 1 : 3
        var rng = RandomGenerator(seed: 8)
        var outputs = randomValues(rows * columns, in: -3...3, rng: &rng)
        let targets: [Float] = switch loss {
        case .softmaxCrossEntropy: [0, 2, 1, 2]
        case .binaryCrossEntropy: [1, 0, 0, 1]
        case .meanSquaredError: randomValues(rows * columns, rng: &rng)
        }
        func evaluate(_ gradient: UnsafeMutablePointer<Float>?) -> Double {
            switch loss {
            case .softmaxCrossEntropy:
                Kernels.softmaxCrossEntropy(rows: rows, classes: columns, logits: outputs, labels: targets, gradient: gradient)
            case .binaryCrossEntropy:
                Kernels.binaryCrossEntropy(rows: rows, logits: outputs, labels: targets, gradient: gradient)
            case .meanSquaredError:
                Kernels.meanSquaredError(rows: rows, columns: columns, outputs: outputs, targets: targets, gradient: gradient)
            }
        }
        var analytic = [Float](repeating: 0, count: outputs.count)
        _ = evaluate(&analytic)
        let h: Float = 1e-3
        for i in outputs.indices {
            let original = outputs[i]
            let (up, down) = (original + h, original - h)
            outputs[i] = up
            let plus = evaluate(nil)
            outputs[i] = down
            let minus = evaluate(nil)
            outputs[i] = original
            let numeric = (plus - minus) / (Double(up) - Double(down))
            #expect(abs(Double(analytic[i]) - numeric) < 1e-4, "output \(i): \(analytic[i]) vs \(numeric)")
        }
    }
}
