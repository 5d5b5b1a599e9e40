import RingmasterCore

extension PopulationBasedTraining {
    /// The factors a continuous value is multiplied by when explored, each drawn with
    /// probability one half (Ray Tune's `perturbation_factors`).
    public static let perturbationFactors: (down: Double, up: Double) = (0.8, 1.2)

    /// An explored copy of `params`, Ray Tune's `explore` step.
    ///
    /// Each parameter of `space`, in declaration order, is drawn afresh from its distribution
    /// with probability `resampleProbability`; otherwise a continuous value (uniform or
    /// log-uniform) is multiplied by 0.8 or 1.2 and clamped to the distribution's range, an
    /// integer moves one grid step up or down (inwards at either end; kept when the grid has
    /// one point), and a category is kept. A value that does not belong to its distribution is
    /// drawn afresh. Conditions are re-evaluated on the explored values: a parameter that
    /// becomes inactive is removed, one that becomes active is drawn. Keys not in `space` are
    /// kept as they are. A continuous value of exactly 0 stays 0 unless resampled, as in Ray.
    public static func explore(
        _ params: ParameterAssignment, space: SearchSpace, resampleProbability: Double,
        generator: inout RandomGenerator
    ) -> ParameterAssignment {
        var explored = params
        for parameter in space.parameters {
            guard space.isActive(parameter, in: explored) else {
                explored[parameter.name] = nil
                continue
            }
            let distribution = parameter.distribution
            if let current = explored[parameter.name], generator.nextUnitDouble() >= resampleProbability,
                let moved = perturb(current, in: distribution, generator: &generator)
            {
                explored[parameter.name] = moved
            } else {
                explored[parameter.name] = distribution.value(unit: generator.nextUnitDouble())
            }
        }
        return explored
    }

    /// `value` moved within `distribution`, or nil when it does not belong there.
    private static func perturb(
        _ value: ParameterValue, in distribution: Distribution, generator: inout RandomGenerator
    ) -> ParameterValue? {
        switch distribution {
        case .uniform(let low, let high), .logUniform(let low, let high):
            guard let x = value.number, x >= low, x <= high else { return nil }
            let factor = generator.nextIndex(below: 2) == 0 ? perturbationFactors.down : perturbationFactors.up
            return .real(Swift.min(Swift.max(x * factor, low), high))
        case .integer(let low, let high, let step, _):
            guard case .integer(let x) = value, distribution.unit(of: value) != nil else { return nil }
            let top = low + (high - low) / step * step
            var moved = generator.nextIndex(below: 2) == 0 ? x - step : x + step
            if moved < low || moved > top { moved = moved < x ? x + step : x - step }
            return moved >= low && moved <= top ? .integer(moved) : value
        case .choice(let values):
            return values.contains(value) ? value : nil
        }
    }
}
