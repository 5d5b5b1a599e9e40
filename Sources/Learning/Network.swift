import RingmasterCore
import Tensors

/// A feed-forward network of dense layers with every buffer preallocated.
///
/// Parameters live in ONE contiguous arena and gradients in another with the same layout
/// (``ModelArchitecture/parameterLayout``: per layer, the (outputs, inputs) weight then the
/// bias), so a data-parallel step allreduces `gradients` in one call and a broadcast of
/// `parameters` syncs the whole model. Activations, dropout masks and backward scratch
/// are sized for `maxBatch` rows at init; no step allocates.
///
/// A training step is three calls the trainer can time separately:
/// ``forward(_:batch:training:rng:)``, ``lossAndGradient(targets:batch:)`` and
/// ``backward(_:batch:)`` (``trainStep(input:targets:batch:rng:)`` runs all three).
///
/// `@unchecked Sendable` so a trainer may create it on one task and run it on another.
/// Invariant: one thread at a time uses an instance (each rank owns its own); methods
/// mutate shared buffers and are not reentrant. The arenas are owned by the network
/// and freed with it (or, after ``placeArenas(parameters:gradients:owner:)``, kept alive by
/// it); never keep their pointers beyond its lifetime.
public final class Network: @unchecked Sendable {
    public let architecture: ModelArchitecture
    /// Largest batch one forward may take.
    public let maxBatch: Int
    /// All parameters, laid out by ``ModelArchitecture/parameterLayout``.
    public private(set) var parameters: UnsafeMutableBufferPointer<Float>
    /// d(loss)/d(parameters) from the last ``backward(_:batch:)``, same layout.
    public private(set) var gradients: UnsafeMutableBufferPointer<Float>
    /// What keeps the arenas alive once they were placed elsewhere; nil while the network
    /// allocated them itself.
    private var arenaOwner: AnyObject?
    public var parameterCount: Int { parameters.count }

    let layers: [DenseLayer]
    /// Activations, masks and scratch for every layer, carved up by `DenseLayer`.
    private let workspace: UnsafeMutableBufferPointer<Float>
    /// d(mean loss)/d(outputs): (maxBatch, outputs), written by ``lossAndGradient(targets:batch:)``.
    let outputGradientBuffer: UnsafeMutablePointer<Float>
    /// Two (maxBatch, widest hidden layer) buffers that backward alternates between: one
    /// holds d(loss)/d(a layer's input) while the layer below writes into the other.
    let scratch: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)

    // What the last forward saw; backward differentiates exactly that pass.
    var lastInput: UnsafePointer<Float>?
    var lastBatch = 0
    var lastTraining = false

    /// Allocates everything for batches of up to `maxBatch` rows; parameters start at 0
    /// until ``initialize(rng:)`` or a load. The architecture must pass
    /// ``ModelArchitecture/validate()``; callers validate configuration first.
    public init(architecture: ModelArchitecture, maxBatch: Int) {
        do {
            try architecture.validate()
        } catch {
            preconditionFailure("Network: invalid architecture: \(error)")
        }
        precondition(maxBatch > 0, "Network: maxBatch must be positive")
        self.architecture = architecture
        self.maxBatch = maxBatch
        let count = architecture.parameterCount
        parameters = .allocate(capacity: count)
        parameters.initialize(repeating: 0)
        gradients = .allocate(capacity: count)
        gradients.initialize(repeating: 0)

        let layout = architecture.parameterLayout
        let dropout = Float(architecture.dropout)
        let widestHidden = architecture.hidden.max() ?? 0
        var sizes: [Int] = layout.indices.map { index in
            let hidden = index < layout.count - 1
            let perRow = hidden ? (dropout > 0 ? 4 : 2) : 1
            return perRow * maxBatch * layout[index].outputs
        }
        sizes += [maxBatch * architecture.outputs, maxBatch * widestHidden, maxBatch * widestHidden]
        workspace = .allocate(capacity: sizes.reduce(0, +))
        workspace.initialize(repeating: 0)

        var cursor = workspace.baseAddress!
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        layers = layout.indices.map { index in
            let slice = layout[index]
            let hidden = index < layout.count - 1
            let area = maxBatch * slice.outputs
            let preActivation = take(area)
            let activated = hidden ? take(area) : preActivation
            let masked = hidden && dropout > 0
            return DenseLayer(
                parameters: slice, activation: hidden ? architecture.activation : nil,
                dropout: hidden ? dropout : 0, preActivation: preActivation, activated: activated,
                mask: masked ? take(area) : nil, dropped: masked ? take(area) : nil)
        }
        outputGradientBuffer = take(maxBatch * architecture.outputs)
        scratch = (take(maxBatch * widestHidden), take(maxBatch * widestHidden))
        precondition(cursor == workspace.baseAddress! + workspace.count, "Network: workspace sizes and carve-up disagree")
    }

    deinit {
        if arenaOwner == nil {
            parameters.deallocate()
            gradients.deallocate()
        }
        workspace.deallocate()
    }

    /// Moves the parameter and gradient arenas to memory the caller provides, `parameterCount`
    /// floats at each pointer, copying their contents there; the network keeps `owner` alive
    /// for as long as it uses that memory. A data-parallel step places them in shared memory
    /// so that other ranks on the node read them directly (``SharedSegments``). Placing them
    /// where they already are only replaces the owner.
    public func placeArenas(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>, owner: AnyObject) {
        let count = parameterCount
        if parameters != self.parameters.baseAddress || gradients != self.gradients.baseAddress {
            parameters.update(from: self.parameters.baseAddress!, count: count)
            gradients.update(from: self.gradients.baseAddress!, count: count)
            if arenaOwner == nil {
                self.parameters.deallocate()
                self.gradients.deallocate()
            }
            self.parameters = UnsafeMutableBufferPointer(start: parameters, count: count)
            self.gradients = UnsafeMutableBufferPointer(start: gradients, count: count)
        }
        arenaOwner = owner
    }

    /// PyTorch's `nn.Linear` default: every weight and bias of a layer drawn from
    /// U(-1/√fanIn, 1/√fanIn), layer by layer in arena order.
    public func initialize(rng: inout RandomGenerator) {
        for layer in layers {
            let bound = 1 / Float(layer.parameters.inputs).squareRoot()
            for i in layer.parameters.weights.lowerBound..<layer.parameters.bias.upperBound {
                parameters[i] = (2 * rng.nextUnitFloat() - 1) * bound
            }
        }
    }

    /// Replaces every parameter, e.g. from a model file or a checkpoint.
    public func loadParameters(_ values: some Collection<Float>) {
        precondition(values.count == parameterCount, "loadParameters: \(values.count) values for \(parameterCount) parameters")
        _ = UnsafeMutableBufferPointer(rebasing: parameters[...]).update(fromContentsOf: values)
    }

    /// Runs the network on `batch` rows of `input` (batch, inputs) and returns the raw
    /// outputs (batch, outputs): logits for classification. The result is valid until
    /// the next forward; `input` must stay valid until the matching ``backward(_:batch:)``.
    ///
    /// With `training` true and dropout > 0, fresh inverted-dropout masks are drawn from
    /// `rng`; otherwise `rng` is not touched, so the same input gives the same output.
    public func forward(
        _ input: UnsafePointer<Float>, batch: Int, training: Bool, rng: inout RandomGenerator
    ) -> UnsafePointer<Float> {
        withUnsafeMutablePointer(to: &rng) { run(input, batch: batch, training: training, rng: $0) }
    }

    /// Inference forward: no dropout, no generator needed.
    public func forward(_ input: UnsafePointer<Float>, batch: Int) -> UnsafePointer<Float> {
        run(input, batch: batch, training: false, rng: nil)
    }

    private func run(
        _ input: UnsafePointer<Float>, batch: Int, training: Bool, rng: UnsafeMutablePointer<RandomGenerator>?
    ) -> UnsafePointer<Float> {
        precondition(batch > 0 && batch <= maxBatch, "forward: batch \(batch) outside 1...\(maxBatch)")
        let weights = UnsafePointer(parameters.baseAddress!)
        var x = input
        for layer in layers {
            let (inputs, outputs) = (layer.parameters.inputs, layer.parameters.outputs)
            // z (batch, outputs) = x (batch, inputs) · Wᵀ (inputs, outputs) + b
            BLAS.gemm(
                transposeA: false, transposeB: true, m: batch, n: outputs, k: inputs,
                alpha: 1, a: x, lda: inputs, b: weights + layer.parameters.weights.lowerBound, ldb: inputs,
                beta: 0, c: layer.preActivation, ldc: outputs)
            Kernels.addBias(rows: batch, columns: outputs, bias: weights + layer.parameters.bias.lowerBound, to: layer.preActivation)
            if let activation = layer.activation {
                let count = batch * outputs
                activation.forward(count: count, preActivation: layer.preActivation, activated: layer.activated)
                if training, let rng, let mask = layer.mask, let dropped = layer.dropped {
                    layer.drawMask(count: count, rng: rng)
                    for i in 0..<count { dropped[i] = layer.activated[i] * mask[i] }
                }
            }
            x = layer.output(training: training)
        }
        lastInput = input
        lastBatch = batch
        lastTraining = training
        return x
    }
}
