import Learning
import RingmasterCore
import Tensors

/// How the ranks of a data-parallel step combine their gradients.
public enum GradientExchange: String, Sendable, CaseIterable {
    /// Through shared memory when every rank runs on one node (and `RINGMASTER_SHARED_MEMORY`
    /// is not `off`), otherwise one fused allreduce.
    case automatic
    /// One fused allreduce of the whole gradient arena per step, wherever the ranks run.
    case allreduce
}

/// One synchronous data-parallel optimisation step, shared by the trainer and
/// `ringmaster bench train`: forward, loss, backward into the gradient arena, the gradients
/// averaged across ranks, optional clipping, optimizer update.
///
/// Ranks that all share one node's memory exchange through it (see ``NodeArenas``): each
/// averages one slice of the gradient straight from its peers' arenas, updates that slice of
/// the parameters, and copies the other slices from the ranks that updated them. Ranks spread
/// over several nodes with the same number on each do the same inside every node, and the
/// ranks that hold the same slice on different nodes add their node sums with one allreduce
/// of that slice (the hierarchical exchange). Otherwise one fused allreduce averages the whole
/// arena and every rank applies the full update. All give every rank the same parameters after
/// every step; for two ranks on one node the shared-memory and allreduce paths give the same bits.
public final class DataParallelStep {
    let network: Network
    let optimizer: Optimizer
    let comm: any Communicator
    let timeline: Timeline?
    let clipNorm: Double
    /// Set when the gradients go through shared memory.
    private let node: NodeArenas?

    /// How this step exchanges gradients: `allreduce`, `shared-memory` or `hierarchical`.
    public var exchangeName: String {
        guard let node else { return "allreduce" }
        return node.across == nil ? "shared-memory" : "hierarchical"
    }

    /// Collective over `communicator` when it has several ranks: with `.automatic`, the ranks
    /// agree whether they share nodes, and if so the network's arenas and the optimizer's
    /// moments move into shared segments (values kept).
    public init(network: Network, optimizer: Optimizer, communicator: any Communicator, timeline: Timeline?,
                clipNorm: Double = 0, exchange: GradientExchange = .automatic) throws {
        self.network = network
        self.optimizer = optimizer
        comm = communicator
        self.timeline = timeline
        self.clipNorm = clipNorm
        node = exchange == .automatic ? try NodeArenas(network: network, optimizer: optimizer, communicator: communicator) : nil
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
        if let node {
            if clipNorm > 0 {
                // Clipping needs the whole averaged gradient's norm before any update.
                try measure(.allreduce) { try node.averageGradientSlice() }
                try measure(.optimizer) {
                    try node.clipGradientSlice(maxNorm: clipNorm)
                    optimizer.step(parameters: network.parameters, gradients: network.gradients, learningRate: learningRate,
                                   range: node.slice)
                }
            } else {
                // Averaging and update in one pass, timed as the optimizer's.
                let (sources, divisor) = try measure(.allreduce) { try node.gradientSources() }
                measure(.optimizer) {
                    optimizer.step(parameters: network.parameters, meanOf: sources, divisor: divisor, learningRate: learningRate,
                                   range: node.slice)
                }
            }
            try measure(.allreduce) { try node.gatherParameters() }
            return (loss, correct)
        }
        if comm.size > 1 {
            try measure(.allreduce) { try comm.allreduce(network.gradients, op: .average) }
        }
        measure(.optimizer) {
            if clipNorm > 0 { _ = clipGradientNorm(network.gradients, maxNorm: clipNorm) }
            optimizer.step(parameters: network.parameters, gradients: network.gradients, learningRate: learningRate)
        }
        return (loss, correct)
    }

    /// The optimizer's state for a checkpoint. Through shared memory each rank's moments are
    /// current only on its own slice, so the state is assembled from every rank's slice.
    /// Not collective: call it between steps.
    public func optimizerState() -> OptimizerState {
        var state = optimizer.state
        node?.assembleMoments(into: &state)
        return state
    }

    @inline(__always)
    private func measure<T>(_ phase: Timeline.Phase, _ body: () throws -> T) rethrows -> T {
        if let timeline { return try timeline.measure(phase, body) }
        return try body()
    }
}

/// The arenas of the ranks of one node in shared segments: per rank, its gradients,
/// parameters and optimizer moments, each `stride` floats (a multiple of 16, so that every
/// region and slice starts on a cache line).
///
/// A step then needs two barriers and touches each byte about once: after the first, rank r
/// averages slice r of the gradient over every rank's arena (in rank order) and applies the
/// optimizer to slice r only, in one pass (with clipping, two: the average goes into its own
/// arena, then the norm is agreed, then the update); after the second, it copies every other
/// slice of the parameters from the rank that updated it. Between the barriers no two ranks
/// write the same memory, and nobody reads what another rank is writing: a rank's gradients
/// are rewritten only by its next backward, after the second barrier, and slice r of its
/// parameters only by its next update, after the next step's first barrier.
///
/// Across nodes (`across` set), rank r of each node first sums slice r over its node into its
/// own arena, then the ranks holding slice r on every node allreduce that sum, and the update
/// divides by the total rank count: each byte crosses the network once per node, in as many
/// parallel allreduces as a node has ranks.
///
/// Each rank's moments are current on its own slice only; ``assembleMoments(into:)`` collects
/// them for checkpoints (every slice lives on every node), and restoring a checkpoint writes
/// every slice on every rank.
struct NodeArenas {
    let segments: any SharedSegments
    /// The ranks of this node (the whole group on one node).
    let local: any Communicator
    /// The ranks holding this rank's slice on the other nodes; nil on one node.
    let across: (any Communicator)?
    /// Ranks in the whole group.
    let total: Int
    let count: Int
    let stride: Int
    /// The slice this rank averages and updates.
    let slice: Range<Int>
    /// Where that slice starts in every local rank's gradient arena, by local rank.
    let gradientSlices: [UnsafePointer<Float>]
    /// Where it starts in this rank's arena alone, which across nodes holds the sum over them.
    let ownGradientSlice: [UnsafePointer<Float>]

    var rank: Int { local.rank }
    var size: Int { local.size }

    /// Places `network`'s arenas and `optimizer`'s moments in shared segments of
    /// `communicator`'s nodes, or returns nil when its ranks cannot share memory that way.
    /// Collective.
    init?(network: Network, optimizer: Optimizer, communicator comm: any Communicator) throws {
        guard comm.size > 1 else { return nil }
        let count = network.parameterCount
        let stride = (count + Lanes.width - 1) / Lanes.width * Lanes.width
        let bytes = 4 * stride * MemoryLayout<Float>.stride
        let local: any Communicator, across: (any Communicator)?, segments: any SharedSegments
        if let whole = try comm.sharedSegments(bytesPerRank: bytes) {
            (local, across, segments) = (comm, nil, whole)
        } else if let groups = try comm.nodeGroups() {
            // Every node must get its segments, or every rank falls back to the allreduce.
            let mine = try groups.node.sharedSegments(bytesPerRank: bytes)
            guard try comm.allreduce(mine == nil ? 0 : 1, op: .min) == 1, let mine else { return nil }
            (local, across, segments) = (groups.node, groups.peers, mine)
        } else {
            return nil
        }
        (self.segments, self.local, self.across, total, self.count, self.stride) = (segments, local, across, comm.size, count, stride)
        let slice = Self.slice(of: local.rank, ranks: local.size, count: count)
        self.slice = slice
        let gradientSlices = (0..<local.size).map { r in
            UnsafePointer(segments.segments[r].assumingMemoryBound(to: Float.self) + slice.lowerBound)
        }
        self.gradientSlices = gradientSlices
        ownGradientSlice = [gradientSlices[local.rank]]
        network.placeArenas(parameters: region(1, of: rank), gradients: region(0, of: rank), owner: segments)
        optimizer.placeMoments(first: region(2, of: rank), second: region(3, of: rank), owner: segments)
    }

    /// Rank `r`'s slice: `count` split into `ranks` runs of whole 16-float chunks.
    static func slice(of r: Int, ranks: Int, count: Int) -> Range<Int> {
        let chunks = (count + Lanes.width - 1) / Lanes.width
        let length = (chunks + ranks - 1) / ranks * Lanes.width
        let low = min(r * length, count)
        return low..<min(low + length, count)
    }

    /// Region `index` (0 gradients, 1 parameters, 2 first moment, 3 second moment) of local rank `r`.
    private func region(_ index: Int, of r: Int) -> UnsafeMutablePointer<Float> {
        segments.segments[r].assumingMemoryBound(to: Float.self) + index * stride
    }

    /// First barrier, then what the update averages: on one node every local rank's slice
    /// (divided by their count); across nodes this rank's slice, holding the sum over every
    /// node (divided by the total rank count).
    func gradientSources() throws -> (sources: [UnsafePointer<Float>], divisor: Int?) {
        try segments.synchronize()
        guard let across else { return (gradientSlices, nil) }
        let mine = region(0, of: rank) + slice.lowerBound
        Kernels.mean(of: gradientSlices, divisor: 1, into: mine, count: slice.count)
        try across.allreduce(UnsafeMutableBufferPointer(start: mine, count: slice.count), op: .sum)
        return (ownGradientSlice, total)
    }

    /// First barrier, then slice r of this rank's gradients becomes the mean of every rank's.
    func averageGradientSlice() throws {
        let (sources, divisor) = try gradientSources()
        Kernels.mean(of: sources, divisor: divisor, into: region(0, of: rank) + slice.lowerBound, count: slice.count)
    }

    /// Scales this rank's averaged slice as PyTorch's `clip_grad_norm_` scales the whole
    /// gradient, from the norm of all slices together (one node holds every slice).
    /// Collective (one small allreduce over the node).
    func clipGradientSlice(maxNorm: Double) throws {
        let gradients = region(0, of: rank) + slice.lowerBound
        let norm = try local.allreduce(Kernels.sumOfSquares(gradients, count: slice.count), op: .sum).squareRoot()
        guard norm.isFinite else { return }
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1, !slice.isEmpty { BLAS.scale(n: slice.count, alpha: Float(coefficient), x: gradients) }
    }

    /// Second barrier, then every other rank's slice of the parameters is copied from it.
    func gatherParameters() throws {
        try segments.synchronize()
        let mine = region(1, of: rank)
        for peer in 0..<size where peer != rank {
            let part = Self.slice(of: peer, ranks: size, count: count)
            if !part.isEmpty { (mine + part.lowerBound).update(from: region(1, of: peer) + part.lowerBound, count: part.count) }
        }
    }

    /// Fills each local rank's slice of `state`'s moments from that rank's segment.
    func assembleMoments(into state: inout OptimizerState) {
        for peer in 0..<size where peer != rank {
            let part = Self.slice(of: peer, ranks: size, count: count)
            guard !part.isEmpty else { continue }
            if state.firstMoment.count == count {
                state.firstMoment.withUnsafeMutableBufferPointer {
                    ($0.baseAddress! + part.lowerBound).update(from: region(2, of: peer) + part.lowerBound, count: part.count)
                }
            }
            if state.secondMoment.count == count {
                state.secondMoment.withUnsafeMutableBufferPointer {
                    ($0.baseAddress! + part.lowerBound).update(from: region(3, of: peer) + part.lowerBound, count: part.count)
                }
            }
        }
    }
}
