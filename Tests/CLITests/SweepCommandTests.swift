import Foundation
import Testing
import TestSupport

/// `ringmaster sweep` end to end: test-function and command trials on one process, training
/// trials on groups of ranks under mpirun, failures, resume, and the `sweeps` commands.
@Suite(.serialized) struct SweepCommandTests {
    func write(_ cli: CLI, _ name: String, _ text: String) throws -> String {
        let url = cli.store.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func json(_ result: ProcessResult) throws -> [String: Any] {
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last else {
            throw CLIFailure(message: "exit \(result.status): \(result.stderr)")
        }
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    @Test func functionSweepFindsBraninsMinimum() throws {
        let cli = try CLI()
        let spec = try write(cli, "branin.yaml", """
            function: branin
            space:
              x0: {type: uniform, low: -5, high: 10}
              x1: {type: uniform, low: 0, high: 15}
            budget: {max_trials: 60}
            sampler: tpe
            seed: 3
            """)
        let summary = try json(try cli.run(["sweep", spec, "--json"]))
        #expect(summary["trials"] as? Int == 60 && summary["completed"] as? Int == 60)
        #expect((summary["best_value"] as? Double ?? 99) < 1.0, "branin's minimum is 0.398; got \(summary)")
        let id = summary["sweep_id"] as! String
        let best = try json(try cli.run(["sweeps", "best", String(id.prefix(8)), "--json"]))
        #expect(best["number"] as? Int == summary["best_trial"] as? Int)
        let list = try cli.run(["sweeps", "list"])
        #expect(list.stdout.contains(String(id.prefix(8))) && list.stdout.contains("branin"))
        let importance = try cli.run(["sweeps", "importance", id, "--json"])
        let scores = try JSONSerialization.jsonObject(with: Data(importance.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(Set(scores.compactMap { $0["parameter"] as? String }) == ["x0", "x1"], "\(importance.stderr)")
        let total = scores.compactMap { $0["importance"] as? Double }.reduce(0, +)
        #expect(abs(total - 1) < 1e-9, "importances are normalised: \(scores)")
    }

    @Test func trainingTrialsRunOnGroupsOfRanks() throws {
        let cli = try CLI()
        let spec = try write(cli, "sweep.yaml", """
            base: \(CLI.example("digits.yaml"))
            space:
              optimizer.learning_rate: {type: loguniform, low: 1.0e-3, high: 1.0e-2}
              model.hidden: {type: choice, values: [[32], [64]]}
            objective: {metric: validation_accuracy, direction: maximize}
            budget: {max_trials: 6}
            sampler: random
            scheduler: {type: asha, min_resource: 1, max_resource: 3, reduction_factor: 3}
            """)
        let summary = try json(try cli.run(["sweep", spec, "--ranks-per-trial", "2", "--json"], ranks: 4))
        #expect(summary["groups"] as? Int == 2 && summary["trials"] as? Int == 6)
        #expect((summary["completed"] as? Int ?? 0) >= 1 && summary["failed"] as? Int == 0, "\(summary)")
        let show = try json(try cli.run(["sweeps", "show", summary["sweep_id"] as! String, "--json"]))
        let trials = show["trials"] as! [[String: Any]]
        #expect(trials.count == 6)
        // Every trial is a recorded run, written by rank 0 for both groups, trained on 2 ranks.
        for trial in trials {
            let run = try #require(trial["run_id"] as? String, "trial without a run: \(trial)")
            let record = try json(try cli.run(["runs", "show", run, "--json"]))["run"] as! [String: Any]
            #expect((record["params"] as! [String: String])["training.ranks"] == "2")
            #expect((record["tags"] as! [String: String])["ringmaster.trial"] == "\(trial["number"] as! Int)")
        }
    }

    @Test func commandTrialsReportMetricsAndFailuresAreRecorded() throws {
        let cli = try CLI()
        let spec = try write(cli, "command.yaml", #"""
            command: "sh -c 'if [ {x} = 3 ]; then echo broken >&2; exit 4; fi; echo ringmaster-metric loss={x} step=1; echo \"{\\\"loss\\\": {x}, \\\"step\\\": 2}\"'"
            space:
              x: {type: int, low: 1, high: 4}
            objective: {metric: loss, direction: minimize}
            budget: {max_trials: 4}
            sampler: grid
            """#)
        let summary = try json(try cli.run(["sweep", spec, "--json"]))
        #expect(summary["completed"] as? Int == 3 && summary["failed"] as? Int == 1, "\(summary)")
        #expect(summary["best_value"] as? Double == 1)
        let show = try json(try cli.run(["sweeps", "show", summary["sweep_id"] as! String, "--json"]))
        let failed = (show["trials"] as! [[String: Any]]).first { $0["state"] as? String == "failed" }
        #expect((failed?["error"] as? String)?.contains("exit status 4: broken") == true, "\(String(describing: failed))")
        let completed = (show["trials"] as! [[String: Any]]).first { $0["state"] as? String == "completed" }!
        #expect((completed["intermediate"] as? [String: Double])?.count == 2)
    }

    @Test(arguments: [1, 2]) func badSpecsStopBeforeTraining(ranks: Int) throws {
        let cli = try CLI()
        let spec = try write(cli, "bad.yaml", """
            base: \(CLI.example("digits.yaml"))
            space:
              optimizer.learning_rate: {type: loguniform, low: -1, high: 1}
            objective: {metric: validation_accuracy}
            """)
        let result = try cli.run(["sweep", spec], ranks: ranks, timeout: 60)
        #expect(result.status != 0 && !result.timedOut)
        #expect(result.ringmasterErrors.count == 1)
        #expect(result.ringmasterErrors.first?.contains("space.optimizer.learning_rate.low") == true, "\(result.stderr)")
        let uneven = try cli.run(["sweep", CLI.example("digits-sweep.yaml"), "--ranks-per-trial", "3"], ranks: 2, timeout: 60)
        #expect(uneven.status != 0 && uneven.ringmasterErrors.first?.contains("--ranks-per-trial") == true, "\(uneven.stderr)")
    }
}

extension SweepCommandTests {
    @Test func resumedSweepKeepsFinishedTrialsAndRerunsTheRunningOne() throws {
        let cli = try CLI()
        let spec = try write(cli, "slow.yaml", """
            command: "sh -c 'sleep 0.3; echo ringmaster-metric loss={x}'"
            space:
              x: {type: int, low: 1, high: 6}
            objective: {metric: loss}
            budget: {max_trials: 6}
            sampler: grid
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["setsid", "--wait", CLI.binary, "sweep", spec, "--store", cli.store.path, "--json"]
        process.environment = ProcessRunner.environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill the sweep once two trials have finished, while the third runs.
        var sweepID = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let list = try cli.run(["sweeps", "list", "--json"])
            if let sweeps = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]],
               let first = sweeps.first, (first["completed"] as? Int ?? 0) >= 2 {
                sweepID = (first["sweep"] as! [String: Any])["id"] as! String
                break
            }
            usleep(50_000)
        }
        ProcessRunner.killTree(process.processIdentifier)
        process.waitUntilExit()
        #expect(!sweepID.isEmpty)
        let before = try json(try cli.run(["sweeps", "show", sweepID, "--json"]))["trials"] as! [[String: Any]]
        let finishedBefore = before.filter { $0["state"] as? String == "completed" }
        #expect(finishedBefore.count >= 2 && finishedBefore.count < 6, "\(before.count) trials before the kill")

        let summary = try json(try cli.run(["sweep", spec, "--resume", String(sweepID.prefix(8)), "--json"]))
        #expect(summary["sweep_id"] as? String == sweepID)
        #expect(summary["trials"] as? Int == 6 && summary["completed"] as? Int == 6, "\(summary)")
        let after = try json(try cli.run(["sweeps", "show", sweepID, "--json"]))["trials"] as! [[String: Any]]
        for trial in finishedBefore {
            let same = after.first { $0["number"] as? Int == trial["number"] as? Int }!
            #expect(same["run_id"] as? String == trial["run_id"] as? String, "a finished trial was run again")
        }
        #expect(Set(after.map { ($0["params"] as! [String: Any]).description }).count == 6, "grid points repeated")
    }
}

extension SweepCommandTests {
    /// Four trials train at once; at every third epoch the worst continues from a better
    /// one's weights with perturbed hyperparameters.
    @Test func populationBasedTrainingCopiesWeightsBetweenRunningTrials() throws {
        let cli = try CLI()
        let spec = try write(cli, "pbt.yaml", """
            base: \(CLI.example("digits.yaml"))
            space:
              optimizer.learning_rate: {type: loguniform, low: 1.0e-5, high: 1.0e-1}
              optimizer.weight_decay: {type: loguniform, low: 1.0e-6, high: 1.0e-2}
            objective: {metric: validation_accuracy, direction: maximize}
            budget: {max_trials: 4}
            sampler: random
            scheduler: {type: pbt, perturbation_interval: 3, max_resource: 30}
            seed: 4
            """)
        let summary = try json(try cli.run(["sweep", spec, "--json"], ranks: 4))
        #expect(summary["completed"] as? Int == 4)
        #expect((summary["exploits"] as? Int ?? 0) >= 1, "no trial continued from another's weights: \(summary)")
        let bad = try write(cli, "bad-pbt.yaml", """
            base: \(CLI.example("digits.yaml"))
            space:
              model.hidden: {type: choice, values: [[32], [64]]}
            objective: {metric: validation_accuracy, direction: maximize}
            scheduler: pbt
            """)
        let refused = try cli.run(["sweep", bad])
        #expect(refused.ringmasterErrors.first?.contains("space.model.hidden") == true, "\(refused.stderr)")
    }
}
