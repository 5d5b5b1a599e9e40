import Foundation
import RingmasterCore
import Testing
import TestSupport
import Tuning

@Suite struct SweepSpecTests {
    let folder = ProcessRunner.packageRoot.appendingPathComponent("examples")

    func parse(_ yaml: String) throws -> SweepSpec {
        try SweepSpec.parse(yaml: yaml, file: "s.yaml", relativeTo: folder, defaultName: "s")
    }

    @Test func theExampleSweepParses() throws {
        let spec = try SweepSpec.load(path: folder.appendingPathComponent("digits-sweep.yaml").path)
        #expect(spec.name == "digits-sweep" && spec.direction == .maximize && spec.objective == "validation_accuracy")
        #expect(spec.space.parameters.map(\.name) == ["optimizer.learning_rate", "model.hidden", "optimizer.weight_decay", "training.batch_size"])
        #expect(spec.space.parameters[1].distribution == .choice([.text("[32]"), .text("[64]"), .text("[128]"), .text("[256]")]))
        #expect(spec.scheduler.kind == .asha && spec.maxResource == 18 && spec.maxTrials == 16)
        guard case .training(let base) = spec.workload else { Issue.record("not a training sweep"); return }
        #expect(base.data.path.hasSuffix("examples/data/digits.csv"))
    }

    @Test func conditionalParametersAndInlineBase() throws {
        let spec = try parse("""
            base:
              data: {path: data/digits.csv}
              model: {kind: mlp}
            space:
              model.kind: {type: choice, values: [softmax, mlp]}
              model.dropout: {type: uniform, low: 0, high: 0.5, when: {model.kind: mlp}}
              training.batch_size: {type: int, low: 8, high: 128, log: true}
            objective: {metric: validation_loss}
            """)
        #expect(spec.space.parameters[1].condition == ParameterCondition(parent: "model.kind", values: [.text("mlp")]))
        #expect(spec.space.parameters[2].distribution == .integer(low: 8, high: 128, step: 1, log: true))
        #expect(spec.direction == .minimize)
    }

    @Test(arguments: [
        ("space:\n  optimizer.learning_rate: {type: uniform, low: 0.1, high: 0.01}", "space.optimizer.learning_rate.low", "must be below high"),
        ("space:\n  optimizer.learning_rate: {type: loguniform, low: 0, high: 1}", "space.optimizer.learning_rate.low", "log bounds must be positive"),
        ("space:\n  model.hidden: {type: choice, values: []}", "space.model.hidden.values", "at least one value"),
        ("space:\n  optimizer.lr: {type: uniform, low: 0.1, high: 1}", "space.optimizer.lr", "names no configuration key"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: bayes", "sampler", "'bayes' is not one of"),
        ("space:\n  optimizer.momentum: {type: normal, low: 0, high: 0.9}", "space.optimizer.momentum.type", "not one of"),
        ("space:\n  training.batch_size: {type: uniform, low: 8, high: 64}", "space.training.batch_size", "expected an integer"),
        ("space:\n  model.dropout: {type: uniform, low: 0, high: 0.5, when: {model.kind: mlp}}", "space.model.dropout.when", "not a parameter declared before"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nscheduler: {type: asha, reduction_factor: 1}", "scheduler.reduction_factor", "at least 2"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nbudget: {max_trials: 0}", "budget.max_trials", "at least 1"),
        ("spaces: {}", "spaces", "unknown key"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: {type: tpe, gamma: 1.5}", "sampler.gamma", "at most 1"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: {type: tpe, local_width: 0}", "sampler.local_width", "above 0"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: {type: tpe, prior_weight: -1}", "sampler.prior_weight", "above 0"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: {type: tpe, local_candidates: -2}", "sampler.local_candidates", "at least 0"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: {type: tpe, move_every: -1}", "sampler.move_every", "at least 0"),
        ("space:\n  optimizer.momentum: {type: uniform, low: 0, high: 0.9}\nsampler: {type: tpe, move_distance: 0.6}", "sampler.move_distance", "at most 0.5"),
    ])
    func invalidSpecsNameTheField(body: String, field: String, reason: String) {
        let yaml = "base: digits.yaml\nobjective: {metric: validation_accuracy, direction: maximize}\n" + body
        do {
            _ = try parse(yaml)
            Issue.record("accepted: \(body)")
        } catch {
            #expect("\(error)".contains(field) && "\(error)".contains(reason), "\(error)")
        }
    }

    /// The TPE settings a sweep may set reach the sampler it makes.
    @Test func tpeSettingsReachTheSampler() throws {
        let spec = try parse("""
            function: branin
            space:
              x0: {type: uniform, low: -5, high: 10}
              x1: {type: uniform, low: 0, high: 15}
            sampler: {type: tpe, startup_trials: 12, candidates: 48, gamma: 0.1, local_candidates: 8, local_width: 0.5, prior_weight: 2,
                      move_every: 6, move_distance: 0.3}
            """)
        let tpe = try #require(spec.makeSampler() as? TPESampler)
        #expect(tpe.startupTrials == 12 && tpe.candidates == 48 && tpe.gammaFraction == 0.1)
        #expect(tpe.localCandidates == 8 && tpe.localWidth == 0.5 && tpe.priorWeight == 2)
        #expect(tpe.moveEvery == 6 && tpe.moveDistance == 0.3)
        let plain = "function: branin\nspace:\n  x0: {type: uniform, low: -5, high: 10}\n  x1: {type: uniform, low: 0, high: 15}"
        let defaults = try #require(try parse(plain).makeSampler() as? TPESampler)
        #expect(defaults.localCandidates == TPESampler().localCandidates && defaults.gammaFraction == TPESampler().gammaFraction)
    }

    @Test func functionSweepsNeedEveryInput() {
        #expect(throws: (any Error).self) { try parse("function: branin\nspace:\n  x0: {type: uniform, low: -5, high: 10}") }
        #expect(throws: (any Error).self) { try parse("function: nope\nspace:\n  x0: {type: uniform, low: 0, high: 1}") }
    }
}
