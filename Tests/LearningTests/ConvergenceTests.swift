import Learning
import RingmasterCore
import Testing

/// Small end-to-end training runs: the network, the losses and the optimizers together
/// must actually learn, not just produce the right gradients.
@Suite struct ConvergenceTests {
    /// Trains full-batch for `steps` and returns the final training loss.
    func train(
        _ network: Network, optimizer: Optimizer, input: [Float], targets: [Float], steps: Int, learningRate: Float
    ) -> Double {
        let batch = targets.count / network.architecture.targetColumns
        var rng = RandomGenerator(seed: 11)
        var loss = Double.infinity
        for _ in 0..<steps {
            loss = network.trainStep(input: input, targets: targets, batch: batch, rng: &rng).loss
            optimizer.step(parameters: network.parameters, gradients: network.gradients, learningRate: learningRate)
        }
        return loss
    }

    /// XOR is not linearly separable: only a working hidden layer fits it. Adam, full
    /// batch, 300 steps: the loss falls below 0.05 and all four points are right.
    @Test(arguments: [Activation.tanh, .relu, .gelu])
    func mlpLearnsXOR(activation: Activation) {
        let architecture = ModelArchitecture(
            kind: .mlp, inputs: 2, outputs: 1, hidden: [8], activation: activation, loss: .binaryCrossEntropy)
        let network = makeNetwork(architecture, maxBatch: 4, seed: 2)
        let optimizer = Optimizer(configuration: .init(kind: .adam, learningRate: 0.05), parameterCount: network.parameterCount)
        let input: [Float] = [0, 0, 0, 1, 1, 0, 1, 1]
        let targets: [Float] = [0, 1, 1, 0]
        let loss = train(network, optimizer: optimizer, input: input, targets: targets, steps: 300, learningRate: 0.05)
        #expect(loss < 0.05)
        #expect(network.evaluate(input: input, targets: targets, batch: 4).correct == 4)
    }

    /// Three well-separated Gaussian blobs: softmax regression with SGD + Nesterov
    /// momentum classifies them all and the MLP with dropout does too.
    @Test(arguments: [
        ModelArchitecture(kind: .softmax, inputs: 2, outputs: 3),
        ModelArchitecture(kind: .mlp, inputs: 2, outputs: 3, hidden: [16], dropout: 0.2),
    ])
    func classifiersSeparateBlobs(architecture: ModelArchitecture) {
        var rng = RandomGenerator(seed: 5)
        let centers: [(Float, Float)] = [(-3, 0), (3, 0), (0, 4)]
        var input: [Float] = [], targets: [Float] = []
        for i in 0..<90 {
            let (x, y) = centers[i % 3]
            input += [x + Float(rng.nextNormal()) * 0.7, y + Float(rng.nextNormal()) * 0.7]
            targets.append(Float(i % 3))
        }
        let network = makeNetwork(architecture, maxBatch: 90)
        let optimizer = Optimizer(
            configuration: .init(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true),
            parameterCount: network.parameterCount)
        let loss = train(network, optimizer: optimizer, input: input, targets: targets, steps: 200, learningRate: 0.1)
        #expect(loss < 0.1)
        #expect(network.evaluate(input: input, targets: targets, batch: 90).correct == 90)
    }

    /// Linear regression on noise-free data recovers the generating weights
    /// y = 2 x₀ - 3 x₁ + 0.5 (AdamW with no decay, to within 1e-3).
    @Test func linearRegressionRecoversWeights() {
        var rng = RandomGenerator(seed: 6)
        let input = randomValues(64 * 2, rng: &rng)
        let targets: [Float] = (0..<64).map { row in
            let (x0, x1) = (input[2 * row], input[2 * row + 1])
            return 2 * x0 - 3 * x1 + 0.5
        }
        let network = makeNetwork(ModelArchitecture(kind: .linear, inputs: 2, outputs: 1), maxBatch: 64)
        let optimizer = Optimizer(configuration: .init(kind: .adamw, learningRate: 0.05), parameterCount: 3)
        let loss = train(network, optimizer: optimizer, input: input, targets: targets, steps: 1500, learningRate: 0.05)
        #expect(loss < 1e-6)
        let weights = Array(network.parameters)
        #expect(abs(weights[0] - 2) < 1e-3 && abs(weights[1] + 3) < 1e-3 && abs(weights[2] - 0.5) < 1e-3)
    }
}
