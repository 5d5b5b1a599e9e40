import Foundation
import RingmasterCore
import Tuning

/// Every sampler, for suites that run against all of them.
enum SamplerKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case random, grid, sobol, tpe

    func make() -> any Sampler {
        switch self {
        case .random: return RandomSampler()
        case .grid: return GridSampler(resolution: 4)
        case .sobol: return SobolSampler()
        case .tpe: return TPESampler()
        }
    }

    var description: String { rawValue }
}

/// A space with every kind of distribution and two levels of conditions:
/// `momentum` only under sgd, `beta1` only under adam, `dropout_rate` only when `dropout` is on.
let conditionalSpace = SearchSpace(parameters: [
    ParameterSpec(name: "optimizer", distribution: .choice([.text("sgd"), .text("adam")])),
    ParameterSpec(
        name: "momentum", distribution: .uniform(low: 0, high: 0.99),
        condition: ParameterCondition(parent: "optimizer", values: [.text("sgd")])),
    ParameterSpec(
        name: "beta1", distribution: .uniform(low: 0.8, high: 0.999),
        condition: ParameterCondition(parent: "optimizer", values: [.text("adam")])),
    ParameterSpec(name: "learning_rate", distribution: .logUniform(low: 1e-5, high: 1e-1)),
    ParameterSpec(name: "layers", distribution: .integer(low: 1, high: 4, step: 1, log: false)),
    ParameterSpec(name: "width", distribution: .integer(low: 16, high: 1024, step: 1, log: true)),
    ParameterSpec(name: "dropout", distribution: .choice([.flag(false), .flag(true)])),
    ParameterSpec(
        name: "dropout_rate", distribution: .uniform(low: 0, high: 0.5),
        condition: ParameterCondition(parent: "dropout", values: [.flag(true)])),
])

/// A smooth made-up loss over `conditionalSpace`: adam near lr 1e-3 is best.
func conditionalLoss(_ params: ParameterAssignment) -> Double {
    let lr = params["learning_rate"]?.number ?? 1
    var loss = abs(log10(lr) + 3)
    if params["optimizer"] == .text("sgd") { loss += 0.5 + abs((params["momentum"]?.number ?? 0) - 0.9) }
    if let beta = params["beta1"]?.number { loss += abs(beta - 0.9) }
    loss += 0.1 * abs((params["layers"]?.number ?? 1) - 3)
    if let rate = params["dropout_rate"]?.number { loss += rate }
    return loss
}

/// Runs `count` sequential trials, completing each with `loss`; returns the trials.
func sweep(
    _ sampler: any Sampler, space: SearchSpace, count: Int, seed: UInt64,
    loss: (ParameterAssignment) -> Double
) throws -> [TrialSnapshot] {
    var generator = RandomGenerator(seed: seed)
    var trials: [TrialSnapshot] = []
    for number in 0..<count {
        let params = try sampler.suggest(space: space, trials: trials, direction: .minimize, generator: &generator)
        trials.append(TrialSnapshot(number: number, params: params, state: .completed, value: loss(params)))
    }
    return trials
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
