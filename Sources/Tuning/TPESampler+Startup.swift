import RingmasterCore

extension TPESampler {
    /// The startup point of ``StartupDesign/maximin(candidates:)``: of `candidates` uniform
    /// draws, the one whose nearest neighbour is farthest away, neighbours being every earlier
    /// trial and the candidate's own mirror image across its nearest face (at twice the distance
    /// to that face). Distances are Euclidean in the unit cube over the parameters active in both
    /// points; a parameter active in only one of them counts as a full unit apart.
    static func maximinPoint(
        space: SearchSpace, trials: [TrialSnapshot], candidates: Int, generator: inout RandomGenerator
    ) -> ParameterAssignment {
        let parameters = space.parameters
        // Earlier trials: (trials, parameters) unit coordinates, NaN where inactive.
        var earlier = [Double]()
        earlier.reserveCapacity(trials.count * parameters.count)
        for trial in trials {
            for parameter in parameters {
                earlier.append(trial.params[parameter.name].flatMap { parameter.distribution.unit(of: $0) } ?? .nan)
            }
        }
        var best: ParameterAssignment = [:]
        var bestDistance = -Double.infinity
        var point = [Double](repeating: .nan, count: parameters.count)
        for _ in 0..<Swift.max(candidates, 1) {
            let candidate = RandomSampler.draw(parameters, in: space, onto: [:], generator: &generator)
            var nearest = Double.infinity
            for (j, parameter) in parameters.enumerated() {
                point[j] = candidate[parameter.name].flatMap { parameter.distribution.unit(of: $0) } ?? .nan
                if !point[j].isNaN && !parameter.distribution.isCategorical {
                    nearest = Swift.min(nearest, 2 * Swift.min(point[j], 1 - point[j]))
                }
            }
            for t in 0..<trials.count {
                var squared = 0.0
                for j in 0..<parameters.count {
                    let a = point[j], b = earlier[t * parameters.count + j]
                    if a.isNaN != b.isNaN {
                        squared += 1
                    } else if !a.isNaN {
                        squared += (a - b) * (a - b)
                    }
                }
                nearest = Swift.min(nearest, squared.squareRoot())
            }
            if nearest > bestDistance {
                bestDistance = nearest
                best = candidate
            }
        }
        return best
    }
}
