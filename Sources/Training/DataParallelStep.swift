import Learning
import RingmasterCore

/// One synchronous data-parallel optimisation step, shared by the trainer and
/// `ringmaster bench train`: forward, loss, backward into the gradient arena, one fused
/// allreduce averaging the whole arena across ranks, optional clipping, optimizer update.
public final class DataParallelStep {
    let network: Network
    let optimizer: Optimizer
    let comm: any Communicator
    let timeline: Timeline?
    let clipNorm: Double

    public init(network: Network, optimizer: Optimizer, communicator: any Communicator, timeline: Timeline?,
                clipNorm: Double = 0) {
        self.network = network
        self.optimizer = optimizer
        comm = communicator
        self.timeline = timeline
        self.clipNorm = clipNorm
    }

    /// Runs one step on this rank's `batch` rows; returns this rank's mean loss and correct count.
    public func step(
        input: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, learningRate: Float,
        generator: inout RandomGenerator
    ) throws -> (loss: Double, correct: Int) {
        let network = self.network
        _ = measure(.forward) { network.forward(input, batch: batch, training: true, rng: &generator) }
        let (loss, correct) = measure(.loss) { network.lossAndGradient(targets: targets, batch: batch) }
        measure(.backward) { network.backward(network.outputGradient, batch: batch) }
        if comm.size > 1 {
            try measure(.allreduce) { try comm.allreduce(network.gradients, op: .average) }
        }
        measure(.optimizer) {
            if clipNorm > 0 { _ = clipGradientNorm(network.gradients, maxNorm: clipNorm) }
            optimizer.step(parameters: network.parameters, gradients: network.gradients, learningRate: learningRate)
        }
        return (loss, correct)
    }

    @inline(__always)
    private func measure<T>(_ phase: Timeline.Phase, _ body: () throws -> T) rethrows -> T {
        if let timeline { return try timeline.measure(phase, body) }
        return try body()
    }
}
