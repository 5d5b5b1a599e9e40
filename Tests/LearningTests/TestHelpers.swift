import Learning
import RingmasterCore

/// Uniform values in `range` from a seeded generator, so every failure reproduces.
func randomValues(_ count: Int, in range: ClosedRange<Float> = -1...1, rng: inout RandomGenerator) -> [Float] {
    (0..<count).map { _ in range.lowerBound + rng.nextUnitFloat() * (range.upperBound - range.lowerBound) }
}

/// Targets of the right form for `architecture`'s loss: class indices, 0/1 labels, or
/// real values, `targetColumns` per row.
func randomTargets(for architecture: ModelArchitecture, batch: Int, rng: inout RandomGenerator) -> [Float] {
    switch architecture.loss {
    case .softmaxCrossEntropy: (0..<batch).map { _ in Float(rng.nextIndex(below: architecture.outputs)) }
    case .binaryCrossEntropy: (0..<batch).map { _ in Float(rng.nextIndex(below: 2)) }
    case .meanSquaredError: randomValues(batch * architecture.outputs, rng: &rng)
    }
}

/// A network of `architecture` with parameters drawn from `seed`.
func makeNetwork(_ architecture: ModelArchitecture, maxBatch: Int, seed: UInt64 = 1) -> Network {
    let network = Network(architecture: architecture, maxBatch: maxBatch)
    var rng = RandomGenerator(seed: seed)
    network.initialize(rng: &rng)
    return network
}
