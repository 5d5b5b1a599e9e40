import ArgumentParser
import Collectives
import Foundation
import RingmasterCore
import Tuning

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a hyperparameter sweep; each trial trains data-parallel on a group of ranks.",
        discussion: "mpirun -np 8 ringmaster sweep SWEEP.yaml --ranks-per-trial 2 runs four trials at a time.")

    @Argument(help: "Sweep specification (YAML).") var spec: String
    @Option(help: "Ranks that train each trial together; must divide the job's ranks.") var ranksPerTrial = 1
    @Option(help: "Continue this sweep (id or prefix): finished trials are kept, running ones run again.") var resume: String?
    @Option(help: World.storeHelp) var store: String?
    @Flag(help: "Print the summary as one JSON object.") var json = false
    @OptionGroup var restarts: RestartOptions

    func run() throws {
        // A restart resumes the sweep the first attempt created (finished trials are kept).
        if let supervisor = try restarts.supervisor(for: "sweep", arguments: childArguments, resumeArguments: resumeArguments) {
            return try supervisor.run()
        }
        try World.run { comm in
            let sweep = try comm.agreeing { try SweepSpec.load(path: spec) }
            let store = try comm.agreeing { comm.isRoot ? try World.openStore(self.store) : nil }
            var options = SweepRunner.Options(workDirectory: World.workDirectory(self.store))
            options.ranksPerTrial = ranksPerTrial
            options.resume = resume
            options.environment = Collectives.describe(comm)
            options.showTable = !json
            guard let summary = try SweepRunner(spec: sweep, options: options).run(world: comm, store: store) else { return }
            if json {
                print(try JSONOutput.line(summary))
                return
            }
            print("sweep \(summary.sweepID) finished: \(summary.trials) trials (\(summary.completed) completed, \(summary.pruned) pruned, \(summary.failed) failed) on \(summary.groups) group\(summary.groups == 1 ? "" : "s") in \(Format.duration(summary.seconds))")
            if let best = summary.bestTrial, let value = summary.bestValue {
                let params = (summary.bestParams ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("  best: trial \(best), \(sweep.objective) \(Format.number(value))  \(params)")
            }
            print("  ringmaster sweeps show \(summary.sweepID.prefix(8))")
        }
    }

    /// This command's arguments for the supervisor's child jobs, without the supervisor's own.
    var childArguments: [String] {
        var arguments = ["sweep", spec, "--ranks-per-trial", "\(ranksPerTrial)"]
        if let resume { arguments += ["--resume", resume] }
        if let store { arguments += ["--store", store] }
        if json { arguments.append("--json") }
        return arguments
    }

    /// `--resume ID` for the sweep the first attempt (started at `firstStarted`) created, or
    /// nothing when it failed before creating one.
    func resumeArguments(firstStarted: Date) throws -> [String] {
        guard resume == nil else { return [] }
        let created = try World.openStore(store).sweeps().filter { $0.created >= firstStarted.addingTimeInterval(-1) }
        guard let sweep = created.min(by: { $0.created < $1.created }) else { return [] }
        return ["--resume", sweep.id]
    }
}
