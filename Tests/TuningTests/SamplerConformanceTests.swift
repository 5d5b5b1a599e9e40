import RingmasterCore
import Testing
import Tuning

/// What every ``Sampler`` promises, run against each implementation.
@Suite struct SamplerConformanceTests {
    @Test(arguments: SamplerKind.allCases)
    func sameSeedSameSuggestions(kind: SamplerKind) throws {
        let first = try sweep(kind.make(), space: conditionalSpace, count: 30, seed: 7, loss: conditionalLoss)
        let second = try sweep(kind.make(), space: conditionalSpace, count: 30, seed: 7, loss: conditionalLoss)
        #expect(first.map(\.params) == second.map(\.params))
        if kind != .grid {
            let other = try sweep(kind.make(), space: conditionalSpace, count: 30, seed: 8, loss: conditionalLoss)
            #expect(first.map(\.params) != other.map(\.params), "another seed should give another sweep")
        }
    }

    /// A parameter appears exactly when its condition holds, and always with a value of its distribution.
    @Test(arguments: SamplerKind.allCases)
    func conditionalParametersAppearOnlyWhenActive(kind: SamplerKind) throws {
        let trials = try sweep(kind.make(), space: conditionalSpace, count: 40, seed: 3, loss: conditionalLoss)
        var seenInactive = 0
        for trial in trials {
            for parameter in conditionalSpace.parameters {
                let active = conditionalSpace.isActive(parameter, in: trial.params)
                #expect((trial.params[parameter.name] != nil) == active, "\(parameter.name) in \(trial.params)")
                if let value = trial.params[parameter.name] {
                    #expect(parameter.distribution.unit(of: value) != nil, "\(parameter.name)=\(value) out of range")
                }
                if !active { seenInactive += 1 }
            }
            #expect(Set(trial.params.keys).isSubset(of: conditionalSpace.parameters.map(\.name)))
        }
        #expect(seenInactive > 0, "the sweep should have exercised both branches")
    }

    /// The suggestion depends on the generator state it is handed, not on anything hidden.
    @Test(arguments: SamplerKind.allCases)
    func suggestionIsAFunctionOfItsInputs(kind: SamplerKind) throws {
        let history = try sweep(RandomSampler(), space: conditionalSpace, count: 15, seed: 11, loss: conditionalLoss)
        let sampler = kind.make()
        var a = RandomGenerator(seed: 99), b = RandomGenerator(seed: 99)
        let first = try sampler.suggest(space: conditionalSpace, trials: history, direction: .minimize, generator: &a)
        let second = try sampler.suggest(space: conditionalSpace, trials: history, direction: .minimize, generator: &b)
        #expect(first == second)
        #expect(a == b, "both calls must consume the generator alike")
    }
}
