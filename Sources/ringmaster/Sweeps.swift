import ArgumentParser
import Foundation
import RingmasterCore
import Tuning

struct Sweeps: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect recorded sweeps.", subcommands: [List.self, Show.self, Best.self, Importance.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sweeps, newest first.")
        @OptionGroup var options: Runs.StoreOptions

        func run() throws {
            let store = try World.openStore(options.store)
            let sweeps = try store.sweeps()
            if options.json {
                print(try JSONOutput.line(sweeps.map { SweepSummary(sweep: $0, trials: try store.trials(sweep: $0.id)) }))
                return
            }
            var table = TextTable(headers: ["SWEEP", "NAME", "STATUS", "CREATED", "TRIALS", "BEST"], rightAligned: [4, 5])
            for sweep in sweeps {
                let summary = SweepSummary(sweep: sweep, trials: try store.trials(sweep: sweep.id))
                table.append([String(sweep.id.prefix(8)), sweep.name, sweep.status.rawValue, Format.timestamp(sweep.created),
                              "\(summary.trials)", summary.bestValue.map(Format.number) ?? "-"])
            }
            table.lines().forEach { print($0) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A sweep's trials: parameters, state, value, epochs.")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Sweep id or unique prefix.") var sweepID: String

        func run() throws {
            let store = try World.openStore(options.store)
            let sweep = try store.sweep(sweepID)
            let trials = try store.trials(sweep: sweep.id)
            if options.json {
                print(try JSONOutput.line(SweepDetail(sweep: sweep, trials: trials)))
                return
            }
            print("sweep \(sweep.id)  \(sweep.name)  \(sweep.status.rawValue)  objective \(sweep.objective) (\(sweep.direction.rawValue))")
            let names = Array(Set(trials.flatMap(\.params.keys))).sorted()
            var table = TextTable(headers: ["TRIAL", "STATE", "VALUE", "EPOCHS", "SECONDS"] + names, rightAligned: [0, 2, 3, 4])
            for trial in trials {
                table.append(["\(trial.number)", trial.state.rawValue, trial.value.map(Format.number) ?? "-",
                              "\(trial.intermediate.count)", trial.duration.map { String(format: "%.1f", $0) } ?? "-"]
                             + names.map { trial.params[$0]?.description ?? "-" })
            }
            table.lines().forEach { print($0) }
            if let error = trials.first(where: { $0.state == .failed })?.error { print("first failure: \(error)") }
        }
    }

    struct Best: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The best completed trial of a sweep.")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Sweep id or unique prefix.") var sweepID: String

        func run() throws {
            let store = try World.openStore(options.store)
            let sweep = try store.sweep(sweepID)
            guard let best = try store.trials(sweep: sweep.id).best(direction: sweep.direction) else {
                throw CLIError(message: "sweep \(sweep.id.prefix(8)) has no completed trial yet")
            }
            if options.json {
                print(try JSONOutput.line(best))
                return
            }
            print("trial \(best.number): \(sweep.objective) \(Format.number(best.value!))  run \(best.runID.map { String($0.prefix(8)) } ?? "-")")
            for (name, value) in best.params.sorted(by: { $0.key < $1.key }) { print("  \(name) = \(value)") }
        }
    }
}

extension Sweeps {
    struct Importance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How much each hyperparameter mattered to the objective (PED-ANOVA over completed trials).")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Sweep id or unique prefix.") var sweepID: String

        func run() throws {
            let store = try World.openStore(options.store)
            let sweep = try store.sweep(sweepID)
            let space = try SweepSpec.space(yaml: sweep.spec, file: "sweep \(sweep.id.prefix(8))")
            let trials = try store.trials(sweep: sweep.id)
            guard trials.filter({ $0.state == .completed }).count >= 2 else {
                throw CLIError(message: "sweep \(sweep.id.prefix(8)) needs at least 2 completed trials for importance")
            }
            let scores = try ParameterImportance().evaluate(space: space, trials: trials.map(\.snapshot), direction: sweep.direction)
            if options.json {
                print(try JSONOutput.line(scores))
                return
            }
            var table = TextTable(headers: ["PARAMETER", "IMPORTANCE", ""], rightAligned: [1])
            for score in scores {
                table.append([score.parameter, String(format: "%.3f", score.importance),
                              String(repeating: "█", count: Int((score.importance * 40).rounded()))])
            }
            table.lines().forEach { print($0) }
        }
    }
}

/// A sweep with its trial counts and best value, for `sweeps list`.
struct SweepSummary: Encodable {
    var sweep: SweepRecord
    var trials: Int
    var completed: Int
    var bestValue: Double?

    init(sweep: SweepRecord, trials: [TrialRecord]) {
        self.sweep = sweep
        self.trials = trials.count
        completed = trials.filter { $0.state == .completed }.count
        bestValue = trials.best(direction: sweep.direction)?.value
    }
}

struct SweepDetail: Encodable {
    var sweep: SweepRecord
    var trials: [TrialRecord]
}
