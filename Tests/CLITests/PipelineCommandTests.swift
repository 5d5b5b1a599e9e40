import Foundation
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

/// `ringmaster pipeline run|watch|runs|show` end to end, training the digits example for a
/// few epochs. Each test has a store of its own.
@Suite(.serialized) struct PipelineCommandTests {
    static let config = CLI.example("digits.yaml")
    static let data = CLI.example("data/digits.csv")

    /// import → train → gate → register → promote, with `train` settings and gate thresholds given.
    static func pipeline(name: String = "digits-ct", train: String, gate: String, triggers: String = "",
                         includeWatched: Bool = false) -> String {
        """
        name: \(name)
        \(triggers)
        steps:
          import:
            uses: import-data
            with: {file: \(data), name: digits, label: label, include_watched: \(includeWatched)}
          train:
            uses: train
            needs: import
            with:
              config: \(config)
              data: ${{ steps.import.outputs.path }}
              dataset: ${{ steps.import.outputs.name }}
              set: {training.checkpoint_every: 0, \(train)}
          gate:
            uses: gate
            needs: train
            with:
              candidate: ${{ steps.train.outputs.run_id }}
              model: digits
              data: \(data)
              metrics: {\(gate)}
          register:
            uses: register
            needs: gate
            with: {model: digits, run: "${{ steps.train.outputs.run_id }}"}
          promote:
            uses: promote
            needs: register
            with: {model: digits, version: "${{ steps.register.outputs.version }}", alias: production}
        """
    }

    func write(_ cli: CLI, _ name: String, _ text: String) throws -> String {
        let url = cli.store.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func steps(_ result: ProcessResult) throws -> [String: [String: Any]] {
        let line = try #require(result.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: steps.map { ($0["step"] as! String, $0) })
    }

    @Test func theExampleTrainsOnTwoRanksPromotesWithLineageAndSkipsEverythingTheSecondTime() throws {
        let cli = try CLI()
        let example = CLI.example("pipelines/digits.yaml")
        let first = try cli.run(["pipeline", "run", example], timeout: 400)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        for step in ["import", "validate", "train", "evaluate", "gate", "register", "promote"] {
            #expect(first.stdout.split(separator: "\n").contains { $0.hasPrefix("ran") && $0.contains(" \(step) ") },
                    "no 'ran \(step)' line in \(first.stdout)")
        }
        let store = try SQLiteStore(directory: cli.store)
        let run = try #require(try store.pipelineRuns(pipeline: "digits-ct", limit: nil).first)
        #expect(run.status == .succeeded)
        let recorded = Dictionary(uniqueKeysWithValues: try store.pipelineSteps(run: run.id).map { ($0.step, $0) })
        let trainRun = try #require(recorded["train"]?.outputs["run_id"])
        #expect(try store.run(trainRun).environment["world_size"] == "2")
        #expect(try store.run(trainRun).tags["ringmaster.pipeline_run"] == run.id)
        let served = try store.modelVersion(model: "digits", alias: "production")
        #expect(served.version == 1 && served.runID == trainRun)
        #expect(recorded["gate"]?.outputs["passed"] == "true" && recorded["gate"]?.outputs["baseline"] == "none")
        let reason = try #require(try store.modelAliasEvents(model: "digits", alias: "production").last?.reason)
        #expect(reason.hasPrefix("pipeline digits-ct run \(run.id.prefix(8)): gate gate passed: accuracy"), "\(reason)")

        // Lineage from the imported data to the served alias.
        let dataset = try #require(recorded["import"]?.outputs["dataset"])
        #expect(dataset == "digits:1" && served.dataset == "digits:1")
        let intoRun = try store.lineageEdges(touching: .run(trainRun))
        #expect(intoRun.contains { $0.source == .dataset(name: "digits", version: 1) && $0.relation == .input })
        let promoted = try store.lineageEdges(touching: .modelVersion(name: "digits", version: 1))
        #expect(promoted.contains { $0.target == .modelAlias(name: "digits", alias: "production") && $0.relation == .promoted })
        let lineage = try cli.run(["lineage", "digits@production"])
        #expect(lineage.stdout.contains("alias digits@production") && lineage.stdout.contains("dataset digits:1"), "\(lineage.stdout)")

        let second = try cli.run(["pipeline", "run", example, "--json"], timeout: 200)
        #expect(second.status == 0, "\(second.stderr)")
        let again = try steps(second)
        #expect(again.count == 7 && again.values.allSatisfy { $0["status"] as? String == "cached" }, "\(again)")
        #expect(again["train"]?["outputs"] as? [String: String] == recorded["train"]?.outputs)
        #expect(try store.modelVersions(model: "digits").count == 1)
        #expect(try store.modelAliasEvents(model: "digits", alias: "production").count == 1)

        let show = try cli.run(["pipeline", "show", String(run.id.prefix(8))])
        #expect(show.stdout.contains("pipeline digits-ct run \(run.id): succeeded"), "\(show.stdout)")
        let runs = try cli.run(["pipeline", "runs"])
        #expect(runs.stdout.split(separator: "\n").count == 3, "\(runs.stdout)")
    }

    @Test func aWorseCandidateIsRejectedAndAFailingStepLeavesServingUntouched() throws {
        let cli = try CLI()
        let good = try write(cli, "good.yaml", Self.pipeline(
            train: "training.epochs: 3", gate: "accuracy: {min: 0.8, min_delta: 0}"))
        let first = try cli.run(["pipeline", "run", good])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let store = try SQLiteStore(directory: cli.store)
        #expect(try store.modelVersion(model: "digits", alias: "production").version == 1)

        // A candidate trained for one epoch at a tiny rate is worse than version 1.
        let worse = try write(cli, "worse.yaml", Self.pipeline(
            train: "training.epochs: 1, optimizer.learning_rate: 0.00001", gate: "accuracy: {min: 0.1, min_delta: 0}"))
        let rejected = try cli.run(["pipeline", "run", worse, "--json"])
        #expect(rejected.status == 3, "\(rejected.stderr)")
        #expect(rejected.ringmasterErrors.count == 1)
        #expect(rejected.ringmasterErrors.first?.contains("gate gate rejected: accuracy") == true, "\(rejected.stderr)")
        let steps = try steps(rejected)
        #expect(steps["gate"]?["status"] as? String == "succeeded")
        #expect((steps["gate"]?["outputs"] as? [String: String])?["passed"] == "false")
        #expect((steps["gate"]?["outputs"] as? [String: String])?["baseline"] == "digits:1 (@production)")
        #expect(steps["register"]?["status"] as? String == "blocked" && steps["promote"]?["status"] as? String == "blocked")
        #expect(try store.modelVersion(model: "digits", alias: "production").version == 1)
        #expect(try store.modelVersions(model: "digits").count == 1)
        #expect(try store.pipelineRuns(pipeline: "digits-ct", limit: 1).first?.status == .rejected)

        // Training that fails: the import stays recorded, nothing after it runs, the alias stays.
        let broken = try write(cli, "broken.yaml", Self.pipeline(
            train: "training.epochs: 0", gate: "accuracy: {min: 0.1}"))
        let failed = try cli.run(["pipeline", "run", broken])
        #expect(failed.status == 1)
        #expect(failed.ringmasterErrors.first?.hasPrefix("ringmaster: error: step train (train) failed: ringmaster train failed") == true,
                "\(failed.stderr)")
        let run = try #require(try store.pipelineRuns(pipeline: "digits-ct", limit: 1).first)
        #expect(run.status == .failed)
        let recorded = Dictionary(uniqueKeysWithValues: try store.pipelineSteps(run: run.id).map { ($0.step, $0.status) })
        #expect(recorded == ["import": .cached, "train": .failed, "gate": .blocked, "register": .blocked, "promote": .blocked])
        #expect(try store.modelVersion(model: "digits", alias: "production").version == 1)
        #expect(try store.modelAliasEvents(model: "digits", alias: "production").count == 1)
    }

    @Test func badInputIsOneLineAndRunsNothing() throws {
        let cli = try CLI()
        let cyclic = try write(cli, "cyclic.yaml", """
            name: cyclic
            steps:
              import: {uses: import-data, needs: promote, with: {file: \(Self.data)}}
              promote: {uses: custom, needs: import, with: {command: "true"}}
            """)
        let result = try cli.run(["pipeline", "run", cyclic])
        #expect(result.status == 1 && result.ringmasterErrors.count == 1)
        #expect(result.ringmasterErrors.first == "ringmaster: error: \(cyclic):3: steps.import.needs: cycle in needs: import -> promote -> import",
                "\(result.stderr)")
        let gate = try write(cli, "gate.yaml", Self.pipeline(train: "training.epochs: 1", gate: "accuracy: {min: [0.9]}"))
        let wrongType = try cli.run(["pipeline", "run", gate])
        #expect(wrongType.status == 1)
        #expect(wrongType.ringmasterErrors.first?.contains("steps.gate.with.metrics.accuracy.min: expected a number") == true,
                "\(wrongType.stderr)")
        let store = try SQLiteStore(directory: cli.store)
        #expect(try store.pipelineRuns(pipeline: nil, limit: nil).isEmpty)
        #expect(try store.runs(experiment: nil, limit: nil).isEmpty)
    }

    @Test func watchWaitsForMinNewRowsThenRunsAndPromotes() throws {
        let cli = try CLI()
        let incoming = cli.store.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        let pipeline = try write(cli, "watched.yaml", Self.pipeline(
            train: "training.epochs: 2", gate: "accuracy: {min: 0.5}",
            triggers: "triggers: {watch: {directory: incoming, pattern: \"*.csv\"}, min_new_rows: 100}",
            includeWatched: true))
        let lines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n")
        func drop(_ name: String, rows: Range<Int>) throws {
            let text = ([lines[0]] + lines[rows]).joined(separator: "\n") + "\n"
            try text.write(to: incoming.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let store = try SQLiteStore(directory: cli.store)

        try drop("batch-1.csv", rows: 1..<61)
        let waiting = try cli.run(["pipeline", "watch", pipeline, "--once"])
        #expect(waiting.status == 0, "\(waiting.stderr)")
        #expect(waiting.stdout.contains("digits-ct: waiting: 1 new file with 60 rows, 100 needed"), "\(waiting.stdout)")
        #expect(try store.pipelineRuns(pipeline: nil, limit: nil).isEmpty)

        try drop("batch-2.csv", rows: 61..<121)
        let ran = try cli.run(["pipeline", "watch", pipeline, "--once"])
        #expect(ran.status == 0, "\(ran.stdout)\n\(ran.stderr)")
        #expect(ran.stdout.contains("ran (watch: 2 new files with 120 rows): succeeded"), "\(ran.stdout)")
        let run = try #require(try store.pipelineRuns(pipeline: "digits-ct", limit: nil).first)
        #expect(run.trigger == "watch: 2 new files with 120 rows")
        let imported = try #require(try store.pipelineSteps(run: run.id).first { $0.step == "import" })
        #expect(imported.outputs["rows"] == "\(lines.count - 1 + 120)")
        #expect(try store.modelVersion(model: "digits", alias: "production").version == 1)

        let quiet = try cli.run(["pipeline", "watch", pipeline, "--once"])
        #expect(quiet.stdout.contains("waiting: 0 new files with 0 rows, 100 needed"), "\(quiet.stdout)")
        #expect(try store.pipelineRuns(pipeline: nil, limit: nil).count == 1)
    }

    @Test func aDriftTriggerRunsOnlyWhenEnoughNewRowsDrifted() throws {
        let cli = try CLI()
        let incoming = cli.store.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        let pipeline = try write(cli, "drift.yaml", Self.pipeline(
            name: "drifty", train: "training.epochs: 2", gate: "accuracy: {min: 0.5}",
            triggers: """
                triggers:
                  watch: {directory: incoming}
                  drift: {model: digits@production, drift_share: 0.3}
                  min_new_rows: 50
                """,
            includeWatched: true))
        let lines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n").map(String.init)
        func drop(_ name: String, rows: Range<Int>, invert: Bool = false) throws {
            let body = lines[rows].map { line -> String in
                guard invert else { return line }
                var fields = line.split(separator: ",").map(String.init)
                for i in 0..<(fields.count - 1) { fields[i] = String(16 - Int(fields[i])!) }
                return fields.joined(separator: ",")
            }
            try (([lines[0]] + body).joined(separator: "\n") + "\n")
                .write(to: incoming.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let store = try SQLiteStore(directory: cli.store)

        try drop("a.csv", rows: 1..<81)
        let first = try cli.run(["pipeline", "watch", pipeline, "--once"])
        #expect(first.stdout.contains("ran (1 new file with 80 rows; drift: no model at digits@production yet): succeeded"),
                "\(first.stdout)\n\(first.stderr)")
        #expect(try store.modelVersion(model: "digits", alias: "production").version == 1)

        try drop("b.csv", rows: 81..<161)
        let same = try cli.run(["pipeline", "watch", pipeline, "--once"])
        #expect(same.stdout.contains("drifty: no drift in 1 new file with 80 rows"), "\(same.stdout)\n\(same.stderr)")
        #expect(try store.pipelineRuns(pipeline: "drifty", limit: nil).count == 1)

        // Inverted pixels drift; the undrifted file from before is still new and goes along.
        try drop("c.csv", rows: 161..<241, invert: true)
        let drifted = try cli.run(["pipeline", "watch", pipeline, "--once"])
        #expect(drifted.status == 0, "\(drifted.stderr)")
        let run = try #require(try store.pipelineRuns(pipeline: "drifty", limit: 1).first)
        #expect(run.trigger.hasPrefix("2 new files with 160 rows; drift: ") && run.trigger.hasSuffix("features drifted from digits@production"),
                "\(run.trigger)")
        #expect(try store.modelVersion(model: "digits", alias: "production").version == 2)
    }

    @Test func aSweepStepHandsItsBestTrialsRunToTheNextStep() throws {
        let cli = try CLI()
        let sweep = try write(cli, "sweep.yaml", """
            name: tiny
            base: \(Self.config)
            space:
              optimizer.learning_rate: {type: loguniform, low: 1.0e-3, high: 1.0e-2}
              training.epochs: {type: choice, values: [2]}
            objective: {metric: validation_accuracy, direction: maximize}
            budget: {max_trials: 2}
            seed: 0
            """)
        let pipeline = try write(cli, "swept.yaml", """
            name: swept
            steps:
              sweep: {uses: sweep, with: {spec: \(sweep), ranks: 2}}
              score: {uses: evaluate, needs: sweep, with: {model: "${{ steps.sweep.outputs.run_id }}", data: \(Self.data)}}
            """)
        let result = try cli.run(["pipeline", "run", pipeline, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let steps = try steps(result)
        let outputs = try #require(steps["sweep"]?["outputs"] as? [String: String])
        let store = try SQLiteStore(directory: cli.store)
        let trials = try store.trials(sweep: try #require(outputs["sweep_id"]))
        #expect(trials.count == 2)
        let best = try #require(trials.max { ($0.value ?? -1) < ($1.value ?? -1) })
        #expect(outputs["run_id"] == best.runID && outputs["best_trial"] == "\(best.number)")
        #expect((steps["score"]?["inputs"] as? [String: String])?["model"] == best.runID)
        #expect(Double((steps["score"]?["outputs"] as? [String: String])?["accuracy"] ?? "") != nil)
    }
}
