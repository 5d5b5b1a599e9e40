import Foundation
import RingmasterCore
import Tuning

/// A sweep coordinator in miniature: trials arrive in number order, run on `workers` slots,
/// each epoch takes its own (seeded, jittered) time, so reports from different trials
/// interleave as they would on a real cluster, and the scheduler sees the same snapshots a
/// coordinator would pass it. Training is replaced by `train`.
struct SchedulerSimulation {
    /// The objective after one more epoch, as a loss (smaller is better): `epoch` is the
    /// trial's own count (1, 2, …), `previous` its objective after the last epoch (nil before
    /// the first; after an exploit, the source's latest objective, whose weights it now has).
    typealias Train = (_ trial: Int, _ params: ParameterAssignment, _ epoch: Int, _ previous: Double?) -> Double

    var trialCount: Int
    var workers: Int
    /// The sweep's direction; for `.maximize` the simulation reports the negated loss, so
    /// the two directions see mirrored values of the same curves.
    var direction: OptimizationDirection = .minimize
    /// Seeds the parameters and the epoch durations.
    var seed: UInt64
    var makeParams: (_ trial: Int, _ generator: inout RandomGenerator) -> ParameterAssignment
    var train: Train

    struct Report: Equatable {
        var trial: Int
        var resource: Int
        var value: Double
        var decision: SchedulerDecision
        /// The latest reported value of every running trial when the decision was made.
        var population: [Int: Double]
    }

    struct Outcome {
        var trials: [TrialSnapshot]
        var reports: [Report]
        /// Epochs trained by all trials together.
        var epochs: Int { reports.count }
        /// Each trial's latest loss (after exploits, the copied weights' loss included).
        var finalLoss: [Double]
    }

    func run(_ scheduler: Scheduler) -> Outcome {
        var generator = RandomGenerator(seed: seed)
        var trials: [TrialSnapshot] = []
        var epochTime: [Double] = []
        var budget: [Int] = []
        var loss: [Double?] = []
        var reports: [Report] = []
        // (time the running epoch ends, trial)
        var running: [(time: Double, trial: Int)] = []

        func start(at time: Double) {
            let number = trials.count
            trials.append(TrialSnapshot(number: number, params: makeParams(number, &generator), state: .running))
            epochTime.append(0.8 + 0.4 * generator.nextUnitDouble())
            budget.append(scheduler.maxResource(forTrial: number))
            loss.append(nil)
            running.append((time + epochTime[number], number))
        }
        for _ in 0..<min(workers, trialCount) { start(at: 0) }

        while let next = running.indices.min(by: { (running[$0].time, running[$0].trial) < (running[$1].time, running[$1].trial) }) {
            let (time, number) = running.remove(at: next)
            let epoch = trials[number].intermediate.count + 1
            let newLoss = train(number, trials[number].params, epoch, loss[number])
            loss[number] = newLoss
            let value = direction == .minimize ? newLoss : -newLoss
            trials[number].intermediate[epoch] = value

            var population: [Int: Double] = [:]
            for trial in trials where trial.state == .running {
                population[trial.number] = trial.intermediate.max { $0.key < $1.key }?.value
            }
            let decision = scheduler.report(
                trial: number, resource: epoch, value: value, trials: trials, direction: direction)
            reports.append(Report(trial: number, resource: epoch, value: value, decision: decision, population: population))

            switch decision {
            case .stop:
                trials[number].state = .pruned
            case .exploit(let source, let params):
                loss[number] = loss[source]
                trials[number].params = params
            case .proceed:
                break
            }
            if trials[number].state == .running, epoch >= budget[number] {
                trials[number].state = .completed
                trials[number].value = value
            }
            if trials[number].state == .running {
                running.append((time + epochTime[number], number))
            } else if trials.count < trialCount {
                start(at: time)
            }
        }
        return Outcome(trials: trials, reports: reports, finalLoss: loss.map { $0 ?? .infinity })
    }
}

/// Trains every trial fully: the baseline of a static population and of full training.
final class FullTraining: Scheduler {
    let maxResource: Int
    init(maxResource: Int) { self.maxResource = maxResource }
    func maxResource(forTrial number: Int) -> Int { maxResource }
    func report(
        trial number: Int, resource: Int, value: Double, trials: [TrialSnapshot], direction: OptimizationDirection
    ) -> SchedulerDecision { .proceed }
}

/// Learning curves `final + (start − final) · exp(−t/τ)`, the parameters of each trial
/// stored in its assignment so that a scheduler's decisions can be checked against the truth.
enum LearningCurves {
    static let start = 1.0

    /// Finals uniform in [0.1, 0.9]; τ uniform in `tau` (a single value: curves never cross,
    /// so the ranking at every epoch is the ranking of the finals).
    static func params(tau: ClosedRange<Double>) -> (Int, inout RandomGenerator) -> ParameterAssignment {
        { _, generator in
            let final = 0.1 + 0.8 * generator.nextUnitDouble()
            let t = tau.lowerBound + (tau.upperBound - tau.lowerBound) * generator.nextUnitDouble()
            return ["final": .real(final), "tau": .real(t)]
        }
    }

    static func train(_ trial: Int, _ params: ParameterAssignment, _ epoch: Int, _ previous: Double?) -> Double {
        let final = params["final"]!.number!, tau = params["tau"]!.number!
        return final + (start - final) * exp(-Double(epoch) / tau)
    }

    static func final(_ trial: TrialSnapshot) -> Double { trial.params["final"]!.number! }

    /// Trial numbers from the best final to the worst.
    static func ranking(_ trials: [TrialSnapshot]) -> [Int] {
        trials.sorted { final($0) < final($1) }.map(\.number)
    }

    static func simulation(
        trials: Int, workers: Int, tau: ClosedRange<Double>, seed: UInt64, direction: OptimizationDirection = .minimize
    ) -> SchedulerSimulation {
        SchedulerSimulation(
            trialCount: trials, workers: workers, direction: direction, seed: seed, makeParams: params(tau: tau),
            train: train)
    }
}
