import RingmasterCore

/// Draws every active parameter independently and uniformly in the unit cube, mapped through
/// the parameter's distribution (log-uniform for log ranges, equal bins for integers and choices).
///
/// Ignores the trial history; the baseline every model-based sampler must beat.
public struct RandomSampler: Sampler {
    public init() {}

    public func suggest(
        space: SearchSpace, trials: [TrialSnapshot], direction: OptimizationDirection,
        generator: inout RandomGenerator
    ) throws -> ParameterAssignment {
        Self.draw(space.parameters, in: space, onto: [:], generator: &generator)
    }

    /// Adds a uniform draw for each parameter of `parameters` that is active given what
    /// `assignment` holds, in order (one generator draw per active parameter), so that a
    /// parent drawn here can activate its children further down the list.
    static func draw(
        _ parameters: [ParameterSpec], in space: SearchSpace, onto assignment: ParameterAssignment,
        generator: inout RandomGenerator
    ) -> ParameterAssignment {
        var assignment = assignment
        for parameter in parameters where space.isActive(parameter, in: assignment) {
            assignment[parameter.name] = parameter.distribution.value(unit: generator.nextUnitDouble())
        }
        return assignment
    }
}
