import Foundation
import Learning
import RingmasterCore
import Tensors
import Testing

@Suite struct NetworkTests {
    static let mlp = ModelArchitecture(kind: .mlp, inputs: 3, outputs: 4, hidden: [5, 2], activation: .tanh)

    /// The forward pass against the same model written out with ``Matrix``, which pins
    /// down the documented arena layout: per layer an (outputs, inputs) weight, then bias.
    /// Arenas moved to memory the caller owns keep their values and serve forward and
    /// backward as before; the network keeps the owner alive.
    @Test func placedArenasKeepValuesAndOwner() {
        let network = makeNetwork(Self.mlp, maxBatch: 8)
        var rng = RandomGenerator(seed: 3)
        let x = randomValues(6 * 3, rng: &rng)
        let targets = randomTargets(for: Self.mlp, batch: 6, rng: &rng)
        let before = Array(UnsafeBufferPointer(start: network.forward(x, batch: 6), count: 6 * 4))
        _ = network.lossAndGradient(targets: targets, batch: 6)
        network.backward(network.outputGradient, batch: 6)
        let (parameters, gradients) = (Array(network.parameters), Array(network.gradients))

        final class Memory {
            let floats: UnsafeMutableBufferPointer<Float>
            init(_ count: Int) { floats = .allocate(capacity: count); floats.initialize(repeating: .nan) }
            deinit { floats.deallocate() }
        }
        weak var owner: Memory?
        do {
            let memory = Memory(2 * network.parameterCount)
            owner = memory
            network.placeArenas(parameters: memory.floats.baseAddress!, gradients: memory.floats.baseAddress! + network.parameterCount,
                                owner: memory)
        }
        #expect(owner != nil, "the network must keep its arenas' owner alive")
        #expect(network.parameters.baseAddress == owner?.floats.baseAddress)
        #expect(Array(network.parameters) == parameters && Array(network.gradients) == gradients)
        let after = Array(UnsafeBufferPointer(start: network.forward(x, batch: 6), count: 6 * 4))
        #expect(after == before)
        _ = network.lossAndGradient(targets: targets, batch: 6)
        network.backward(network.outputGradient, batch: 6)
        #expect(Array(network.gradients) == gradients)
    }

    @Test func forwardMatchesMatrixComputationOfTheDocumentedLayout() {
        let network = makeNetwork(Self.mlp, maxBatch: 8)
        var rng = RandomGenerator(seed: 2)
        let x = Matrix(rows: 6, columns: 3, using: &rng)
        var expected = x
        for (index, layer) in Self.mlp.parameterLayout.enumerated() {
            let w = Matrix(rows: layer.outputs, columns: layer.inputs, values: Array(network.parameters[layer.weights]))
            expected = expected.matmul(w, transposeOther: true)
            for r in 0..<expected.rows {
                for c in 0..<expected.columns {
                    expected[r, c] += network.parameters[layer.bias.lowerBound + c]
                    if index < 2 { expected[r, c] = Foundation.tanh(expected[r, c]) }
                }
            }
        }
        let output = network.forward(x.storage, batch: 6)
        let actual = Array(UnsafeBufferPointer(start: output, count: 6 * 4))
        #expect(zip(actual, expected.storage).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    /// PyTorch's `nn.Linear` init: each layer within ±1/√fanIn, filling most of the range,
    /// and the same seed gives the same parameters.
    @Test func initializationFollowsPyTorchBoundsAndIsSeeded() {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 100, outputs: 2, hidden: [16])
        let a = makeNetwork(architecture, maxBatch: 1, seed: 9)
        let b = makeNetwork(architecture, maxBatch: 1, seed: 9)
        #expect(Array(a.parameters) == Array(b.parameters))
        for layer in architecture.parameterLayout {
            let bound = 1 / Float(layer.inputs).squareRoot()
            let values = a.parameters[layer.weights.lowerBound..<layer.bias.upperBound]
            #expect(values.allSatisfy { abs($0) <= bound })
            #expect(values.map(abs).max()! > 0.9 * bound)
        }
    }

    /// Inference never touches the generator; training draws masks from it, and averaging
    /// training outputs over many masks recovers the inference output (inverted dropout
    /// keeps the expectation; with 4000 draws the mean is within 0.03 of it).
    @Test func dropoutIsInvertedAndOnlyDrawnInTraining() {
        let architecture = ModelArchitecture(
            kind: .mlp, inputs: 2, outputs: 1, hidden: [64], activation: .relu, dropout: 0.5, loss: .meanSquaredError)
        let network = makeNetwork(architecture, maxBatch: 1)
        let input: [Float] = [0.7, -0.4]
        var rng = RandomGenerator(seed: 1)
        let untouched = rng
        let inference = network.forward(input, batch: 1, training: false, rng: &rng).pointee
        #expect(rng == untouched)
        var sum = 0.0
        var distinct = Set<Float>()
        for _ in 0..<4000 {
            let value = network.forward(input, batch: 1, training: true, rng: &rng).pointee
            sum += Double(value)
            distinct.insert(value)
        }
        #expect(rng != untouched)
        #expect(distinct.count > 100)
        #expect(abs(sum / 4000 - Double(inference)) < 0.03)

        let noDropout = makeNetwork(NetworkTests.mlp, maxBatch: 1)
        var other = RandomGenerator(seed: 1)
        _ = noDropout.forward([1, 2, 3], batch: 1, training: true, rng: &other)
        #expect(other == untouched)
    }

    /// Evaluation returns sums that match the training loss, works past `maxBatch` in
    /// chunks, and splits across shards additively.
    @Test(arguments: [LossKind.softmaxCrossEntropy, .meanSquaredError])
    func evaluateReturnsAdditiveSums(loss: LossKind) {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 3, outputs: 4, hidden: [5], loss: loss)
        let network = makeNetwork(architecture, maxBatch: 4)
        var rng = RandomGenerator(seed: 3)
        let input = randomValues(10 * 3, rng: &rng)
        let targets = randomTargets(for: architecture, batch: 10, rng: &rng)
        let whole = network.evaluate(input: input, targets: targets, batch: 10)

        let first = network.evaluate(input: input, targets: targets, batch: 4)
        _ = network.forward(input, batch: 4)
        let trainingLoss = network.lossAndGradient(targets: targets, batch: 4).loss
        #expect(abs(first.lossSum / 4 - trainingLoss) < 1e-9)

        let tc = architecture.targetColumns
        let rest = Array(input[12...]).withUnsafeBufferPointer { x in
            Array(targets[(4 * tc)...]).withUnsafeBufferPointer { t in
                network.evaluate(input: x.baseAddress!, targets: t.baseAddress!, batch: 6)
            }
        }
        #expect(abs(whole.lossSum - (first.lossSum + rest.lossSum)) < 1e-9)
        #expect(whole.correct == first.correct + rest.correct)
        if loss == .meanSquaredError {
            #expect(whole.correct == 0)
            #expect(abs(whole.squaredErrorSum - whole.lossSum * 4) < 1e-9)
        } else {
            #expect(whole.squaredErrorSum == 0)
            #expect(whole.correct > 0 && whole.correct <= 10)
        }
        let empty = network.evaluate(input: input, targets: targets, batch: 0)
        #expect(empty.lossSum == 0 && empty.correct == 0 && empty.squaredErrorSum == 0)
    }

    /// Probabilities for classifiers (rows sum to 1, ranked like the logits; sigmoid for
    /// binary), raw values for regression, in chunks past `maxBatch`.
    @Test func predictAppliesTheOutputFunction() {
        let network = makeNetwork(Self.mlp, maxBatch: 2)
        var rng = RandomGenerator(seed: 4)
        let input = randomValues(5 * 3, rng: &rng)
        let probabilities = network.predict(input, batch: 5)
        #expect(probabilities.count == 20)
        for r in 0..<5 {
            let row = Array(probabilities[(r * 4)..<(r * 4 + 4)])
            #expect(abs(row.reduce(0, +) - 1) < 1e-6)
            let logits = Array(UnsafeBufferPointer(start: network.forward(Array(input[(r * 3)..<(r * 3 + 3)]), batch: 1), count: 4))
            #expect(row.firstIndex(of: row.max()!) == logits.firstIndex(of: logits.max()!))
        }

        let binary = makeNetwork(ModelArchitecture(kind: .logistic, inputs: 3, outputs: 1), maxBatch: 5)
        let logit = binary.forward(input, batch: 1).pointee
        #expect(abs(binary.predict(input, batch: 1)[0] - 1 / (1 + Foundation.exp(-logit))) < 1e-6)

        let linear = makeNetwork(ModelArchitecture(kind: .linear, inputs: 3, outputs: 1), maxBatch: 5)
        #expect(linear.predict(input, batch: 1)[0] == linear.forward(input, batch: 1).pointee)
    }

    /// Backward overwrites the whole gradient arena: NaN planted there is gone, and a
    /// replayed step gives the same gradients rather than twice them.
    @Test func backwardOverwritesEveryGradient() {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4, 4], dropout: 0.2)
        let network = makeNetwork(architecture, maxBatch: 3)
        var data = RandomGenerator(seed: 5)
        let input = randomValues(9, rng: &data)
        let targets: [Float] = [0, 1, 1]
        network.gradients.update(repeating: .nan)
        var masks = RandomGenerator(seed: 6)
        let replay = masks
        _ = network.trainStep(input: input, targets: targets, batch: 3, rng: &masks)
        #expect(network.gradients.allSatisfy { $0.isFinite })
        let first = Array(network.gradients)
        masks = replay
        _ = network.trainStep(input: input, targets: targets, batch: 3, rng: &masks)
        #expect(Array(network.gradients) == first)
    }
}
