import Foundation
import RingmasterCore

/// Quasi-random search: trial `n` takes point `n` of a scrambled Sobol' sequence, one
/// dimension per parameter in declaration order, mapped through each parameter's unit-cube
/// mapping (bins for integers and choices). Covers the space more evenly than independent
/// draws for the same number of trials.
///
/// The scramble is fixed per sweep: by `scrambleSeed` when given, otherwise by the generator's
/// first draw on the sampler's first call, remembered for every later call (every scrambled call
/// consumes one draw, so the generator advances the same way either way). Use one sampler per
/// sweep; to resume a sweep with a new sampler, pass the recorded ``scrambleSeed``. Inactive
/// conditional parameters skip their coordinate. Spaces of up to ``SobolSequence/maxDimensions``
/// parameters.
public struct SobolSampler: Sampler {
    private let state: ScrambleState
    /// False gives the raw published sequence (point 0 at the origin); for tests and comparison.
    public let scrambled: Bool

    public init(scrambleSeed: UInt64? = nil, scrambled: Bool = true) {
        state = ScrambleState(seed: scrambleSeed)
        self.scrambled = scrambled
    }

    /// The seed of this sweep's scramble; nil until the first suggestion fixes it.
    public var scrambleSeed: UInt64? { state.seed(orDraw: nil) }

    public func suggest(
        space: SearchSpace, trials: [TrialSnapshot], direction: OptimizationDirection,
        generator: inout RandomGenerator
    ) throws -> ParameterAssignment {
        guard !space.parameters.isEmpty else { return [:] }
        let sequence: SobolSequence
        if scrambled {
            let draw = generator.next()
            sequence = try SobolSequence(dimensions: space.parameters.count, scrambleSeed: state.seed(orDraw: draw)!)
        } else {
            sequence = try SobolSequence(dimensions: space.parameters.count)
        }
        var assignment: ParameterAssignment = [:]
        for (dimension, parameter) in space.parameters.enumerated() where space.isActive(parameter, in: assignment) {
            assignment[parameter.name] = parameter.distribution.value(unit: sequence.coordinate(dimension, ofPoint: trials.count))
        }
        return assignment
    }
}

/// The scramble seed shared by every copy of one ``SobolSampler``.
///
/// `@unchecked Sendable`: `seed` is written at most once and only read or written under `lock`.
private final class ScrambleState: @unchecked Sendable {
    private let lock = NSLock()
    private var seed: UInt64?

    init(seed: UInt64?) { self.seed = seed }

    /// The fixed seed; fixes it to `draw` first if none was set and `draw` is given.
    func seed(orDraw draw: UInt64?) -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        if seed == nil, let draw { seed = draw }
        return seed
    }
}
