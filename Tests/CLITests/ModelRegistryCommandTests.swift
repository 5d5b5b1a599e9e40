import Foundation
import Testing
import TestSupport

/// Two short digits runs registered as `digits:1` (through `train --register`) and
/// `digits:2` (through `models register`), made once and shared by the tests below.
private struct RegisteredRuns: Sendable {
    let cli: CLI
    let first: TrainResult
    let second: TrainResult
    let registerOutput: String

    private static let shared = Result { try RegisteredRuns() }
    static func get() throws -> RegisteredRuns { try shared.get() }

    private init() throws {
        let cli = try CLI()
        self.cli = cli
        let config = CLI.example("digits.yaml")
        let settings = ["--set", "training.epochs=2", "--set", "training.checkpoint_every=0"]
        first = try cli.train(config, settings + ["--set", "optimizer.learning_rate=0.002", "--register", "digits"])
        second = try cli.train(config, settings + ["--set", "optimizer.learning_rate=0.05"])
        registerOutput = try Self.output(cli, [
            "models", "register", "digits", "--run", String(second.run_id.prefix(8)), "--description", "higher rate",
            "--tag", "owner=vision", "--tag", "stage=candidate",
        ])
    }

    static func output(_ cli: CLI, _ arguments: [String]) throws -> String {
        let result = try cli.run(arguments)
        guard result.status == 0 else {
            throw CLIFailure(message: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    func output(_ arguments: [String]) throws -> String { try Self.output(cli, arguments) }

    func json(_ arguments: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try output(arguments + ["--json"]).utf8))
    }
}

@Suite(.serialized) struct ModelRegistryCommandTests {
    @Test func registeringCountsVersionsUpAndListsThem() throws {
        let runs = try RegisteredRuns.get()
        #expect(runs.registerOutput.hasPrefix("registered digits:2: run \(runs.second.run_id.prefix(8)) model.rmm"),
                "\(runs.registerOutput)")
        #expect(runs.registerOutput.contains("dataset digits:1"))
        let models = try runs.json(["models", "list"]) as! [[String: Any]]
        #expect(models.count == 1)
        let model = models[0]["model"] as! [String: Any]
        #expect(model["name"] as? String == "digits" && model["latest_version"] as? Int == 2)
        let table = try runs.output(["models", "list"])
        #expect(table.split(separator: "\n").first?.hasPrefix("MODEL") == true && table.contains("digits"))
    }

    @Test func showListsVersionsWithTheirRunsAndMetrics() throws {
        let runs = try RegisteredRuns.get()
        let detail = try runs.json(["models", "show", "digits"]) as! [String: Any]
        let versions = detail["versions"] as! [[String: Any]]
        #expect(versions.count == 2)
        let records = versions.map { $0["version"] as! [String: Any] }
        #expect(records.map { $0["version"] as? Int } == [1, 2])
        #expect(records.map { $0["run_id"] as? String } == [runs.first.run_id, runs.second.run_id])
        #expect(records.map { $0["artifact_sha256"] as? String } == [runs.first.model_sha256, runs.second.model_sha256])
        #expect(records.allSatisfy { $0["dataset"] as? String == "digits:1" })
        #expect(records[1]["description"] as? String == "higher rate")
        #expect(records[1]["tags"] as? [String: String] == ["owner": "vision", "stage": "candidate"])
        // JSONSerialization may round the last digit: compare within 1e-12.
        let accuracies = versions.map { ($0["metrics"] as? [String: Any])?["validation_accuracy"] as? Double ?? -1 }
        let trained = [runs.first.validation.accuracy, runs.second.validation.accuracy].map { $0 ?? -2 }
        #expect(zip(accuracies, trained).allSatisfy { abs($0 - $1) < 1e-12 }, "\(accuracies) vs \(trained)")
        let text = try runs.output(["models", "show", "digits"])
        #expect(text.contains("VALIDATION_ACCURACY") && text.contains(String(runs.second.run_id.prefix(8))), "\(text)")
    }

    @Test func promotionHonoursItsRequirementAndAliasesResolveEverywhere() throws {
        let runs = try RegisteredRuns.get()
        let accuracy = try #require(runs.second.validation.accuracy)
        let data = CLI.example("data/digits.csv")

        // A requirement the run misses: refused, with the actual value, and the alias stays unset.
        let refused = try runs.cli.run([
            "models", "promote", "digits", "--version", "2", "--alias", "production",
            "--require", "metrics.validation_accuracy > \(accuracy) and params.optimizer.learning_rate = '0.05'",
        ])
        let line = try #require(refused.oneErrorLine, "\(refused.stderr)")
        #expect(line.contains("digits:2 does not meet"), "\(line)")
        let failures = try #require(line.components(separatedBy: "': ").last)
        #expect(failures == "metrics.validation_accuracy > \(accuracy) (actual \(accuracy))", "\(line)")
        let unset = try runs.cli.run(["evaluate", "digits@production", "--data", data])
        #expect(unset.oneErrorLine?.contains("model 'digits' has no alias 'production'") == true, "\(unset.stderr)")

        _ = try runs.output([
            "models", "promote", "digits", "--version", "2", "--alias", "production",
            "--require", "metrics.validation_accuracy >= \(accuracy) and params.optimizer.learning_rate = '0.05'",
        ])

        // NAME@alias, NAME:version and the run id name the same model: the same scores.
        func score(_ reference: String) throws -> String { try runs.output(["evaluate", reference, "--data", data, "--json"]) }
        let byRun = try score(runs.second.run_id)
        #expect(try score("digits@production") == byRun)
        #expect(try score("digits:2") == byRun)
        #expect(try score("digits:1") != byRun, "version 1 is another model")
        let predicted = try runs.output(["predict", "digits@production", "--data", data])
        #expect(predicted.split(separator: "\n").count == 1798)

        // Moves and a rollback are all in the history, newest last.
        _ = try runs.output(["models", "alias", "digits", "production", "--version", "1", "--reason", "compare"])
        let rolled = try runs.output(["models", "rollback", "digits", "--alias", "production", "--reason", "regression"])
        #expect(rolled.hasPrefix("digits@production: 1 → 2 (regression)"), "\(rolled)")
        #expect(try score("digits@production") == byRun)
        _ = try runs.output(["models", "alias", "digits", "staging", "--version", "1"])
        _ = try runs.output(["models", "alias", "digits", "staging", "--delete"])
        let detail = try runs.json(["models", "show", "digits"]) as! [String: Any]
        let history = (detail["history"] as! [[String: Any]]).map {
            "\($0["alias"]!) \($0["from"] as? Int ?? 0)>\($0["to"] as? Int ?? 0)"
        }
        #expect(history == ["production 0>2", "production 2>1", "production 1>2", "staging 0>1", "staging 1>0"], "\(history)")
        let aliases = (detail["aliases"] as! [[String: Any]]).map { "\($0["alias"]!)=\($0["version"]!)" }
        #expect(aliases == ["production=2"])
    }

    @Test func badReferencesFailWithOneLine() throws {
        let runs = try RegisteredRuns.get()
        let data = CLI.example("data/digits.csv")
        let cases: [([String], String)] = [
            (["evaluate", "ghost@production", "--data", data], "no registered model is named 'ghost'"),
            (["evaluate", "digits:9", "--data", data], "model 'digits' has no version 9"),
            (["evaluate", "digits:first", "--data", data], "model reference 'digits:first'"),
            (["predict", "dig its@production", "--data", data], "model name 'dig its' is not valid"),
            (["models", "show", "ghost"], "no registered model is named 'ghost'"),
            (["models", "register", "bad/name", "--run", runs.first.run_id], "'bad/name' is not a valid model or alias name"),
            (["models", "register", "digits", "--run", "ffffffff"], "no run matches 'ffffffff'"),
            (["models", "promote", "digits", "--version", "7"], "model 'digits' has no version 7"),
            (["models", "promote", "digits", "--version", "1", "--require", "metrics.validation_accuracy >"],
             "--require: filter: position"),
            (["models", "alias", "digits", "canary", "--delete"], "model 'digits' has no alias 'canary'"),
            (["models", "rollback", "ghost"], "no registered model is named 'ghost'"),
        ]
        for (arguments, expected) in cases {
            let result = try runs.cli.run(arguments)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.oneErrorLine?.contains(expected) == true, "\(arguments): \(result.stderr)")
        }
        let neither = try runs.cli.run(["models", "alias", "digits", "production"])
        #expect(neither.status != 0 && neither.stderr.contains("give either --version V or --delete"), "\(neither.stderr)")
    }

    @Test func onlyRankZeroRegistersUnderMPI() throws {
        let cli = try CLI()
        let trained = try cli.train(CLI.example("digits.yaml"), ranks: 2, [
            "--set", "training.epochs=1", "--set", "training.checkpoint_every=0", "--register", "digits-mpi",
        ])
        let result = try cli.run(["models", "show", "digits-mpi", "--json"])
        let detail = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let versions = (detail["versions"] as! [[String: Any]]).map { $0["version"] as! [String: Any] }
        #expect(versions.count == 1 && versions.first?["run_id"] as? String == trained.run_id, "\(versions)")
        let refused = try cli.run(["train", CLI.example("digits.yaml"), "--register", "no good"])
        #expect(refused.oneErrorLine?.contains("'no good' is not a valid model or alias name") == true, "\(refused.stderr)")
        #expect(try cli.run(["runs", "list", "--json"]).stdout.components(separatedBy: "\"id\"").count == 2,
                "a refused name must stop training before a run is created")
    }

    @Test func lineageReachesTheModelVersion() throws {
        let runs = try RegisteredRuns.get()
        let fromVersion = try runs.output(["lineage", "model:digits:2"])
        #expect(fromVersion.hasPrefix("model digits:2"), "\(fromVersion)")
        #expect(fromVersion.contains("← artifact \(runs.second.run_id.prefix(8))/model.rmm"), "\(fromVersion)")
        #expect(fromVersion.contains("run \(runs.second.run_id.prefix(8))") && fromVersion.contains("dataset digits:1"),
                "\(fromVersion)")
        #expect(try runs.output(["lineage", "digits@production"]).hasPrefix("model digits:"))
        let fromRun = try runs.output(["lineage", runs.first.run_id])
        #expect(fromRun.contains("→ model digits:1"), "\(fromRun)")
    }
}
