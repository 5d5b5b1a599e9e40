import Foundation
import Testing
import TestSupport

/// Every kind of bad input ends with one clear line naming what is wrong and a non-zero
/// exit, alone and under `mpirun -np 2`, and never hangs (each run has a hard timeout).
@Suite(.serialized) struct BadInputTests {
    static let rankCounts = [1, 2]

    /// Writes `files` into a fresh scratch store directory and returns the CLI for it.
    func workspace(_ files: [String: String]) throws -> CLI {
        let cli = try CLI()
        for (name, text) in files {
            try text.write(to: cli.store.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return cli
    }

    func config(data: String, extra: String = "") -> String {
        """
        data:
          path: \(data)
          label: label
          validation_fraction: 0.25
        model:
          kind: logistic
        training:
          epochs: 2
          batch_size: 4
        \(extra)
        """
    }

    func expectFailure(_ result: ProcessResult, mentioning needles: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.timedOut, "timed out", sourceLocation: sourceLocation)
        #expect(result.status != 0, "exit status 0", sourceLocation: sourceLocation)
        let errors = result.ringmasterErrors
        #expect(errors.count == 1, "expected one error line, got: \(result.stderr)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(errors.first?.contains(needle) == true, "'\(needle)' not in: \(errors)", sourceLocation: sourceLocation)
        }
    }

    static let goodCSV = "a,b,label\n" + (0..<16).map { "\($0 % 4),\($0 % 3),\($0 % 2)" }.joined(separator: "\n") + "\n"

    @Test(arguments: rankCounts) func malformedCSVRowNamesFileAndLine(ranks: Int) throws {
        let cli = try workspace(["bad.csv": "a,b,label\n1,2,0\n3,oops,1\n4,5,0\n", "c.yaml": config(data: "bad.csv")])
        let result = try cli.run(["train", cli.store.appendingPathComponent("c.yaml").path], ranks: ranks, timeout: 60)
        expectFailure(result, mentioning: ["bad.csv", "3"])
    }

    @Test(arguments: rankCounts) func missingLabelColumn(ranks: Int) throws {
        let cli = try workspace(["d.csv": "a,b,y\n1,2,0\n3,4,1\n", "c.yaml": config(data: "d.csv")])
        let result = try cli.run(["train", cli.store.appendingPathComponent("c.yaml").path], ranks: ranks, timeout: 60)
        expectFailure(result, mentioning: ["d.csv", "label"])
    }

    @Test(arguments: rankCounts) func missingDataFile(ranks: Int) throws {
        let cli = try workspace(["c.yaml": config(data: "nowhere.csv")])
        let result = try cli.run(["train", cli.store.appendingPathComponent("c.yaml").path], ranks: ranks, timeout: 60)
        expectFailure(result, mentioning: ["nowhere.csv"])
    }

    @Test(arguments: rankCounts) func invalidConfigValueNamesTheKey(ranks: Int) throws {
        let cli = try workspace(["d.csv": Self.goodCSV, "c.yaml": config(data: "d.csv")])
        let path = cli.store.appendingPathComponent("c.yaml").path
        expectFailure(try cli.run(["train", path, "--set", "optimizer.learning_rate=-1"], ranks: ranks, timeout: 60),
                      mentioning: ["optimizer.learning_rate"])
        expectFailure(try cli.run(["train", path, "--set", "training.epochz=3"], ranks: ranks, timeout: 60),
                      mentioning: ["training.epochz", "unknown key"])
    }

    @Test func ranksWithDifferentConfigsStop() throws {
        let cli = try workspace(["d.csv": Self.goodCSV, "c.yaml": config(data: "d.csv")])
        let path = cli.store.appendingPathComponent("c.yaml").path
        // MPMD launch: rank 1 gets another seed than rank 0.
        let result = try ProcessRunner.run(
            ["mpirun", "--oversubscribe", "--bind-to", "none",
             "-np", "1", CLI.binary, "train", path, "--store", cli.store.path, "--set", "training.seed=1", ":",
             "-np", "1", CLI.binary, "train", path, "--store", cli.store.path, "--set", "training.seed=2"],
            directory: cli.store, timeout: 60)
        expectFailure(result, mentioning: ["rank 1", "different configuration"])
    }

    @Test func featureCountDifferentFromModel() throws {
        let cli = try workspace([
            "d.csv": Self.goodCSV, "c.yaml": config(data: "d.csv"),
            "wide.csv": "a,b,c,label\n1,2,3,0\n",
        ])
        let trained = try cli.train(cli.store.appendingPathComponent("c.yaml").path)
        let result = try cli.run(["evaluate", trained.model_path, "--data", cli.store.appendingPathComponent("wide.csv").path])
        expectFailure(result, mentioning: ["wide.csv", "3 features", "expects 2"])
    }

    @Test(arguments: rankCounts) func nonFiniteLossFailsTheRun(ranks: Int) throws {
        let cli = try workspace(["d.csv": Self.goodCSV, "c.yaml": config(data: "d.csv")])
        let path = cli.store.appendingPathComponent("c.yaml").path
        let result = try cli.run(
            ["train", path, "--set", "optimizer.learning_rate=1e30", "--set", "model.kind=mlp",
             "--set", "training.log_every=1"], ranks: ranks, timeout: 60)
        expectFailure(result, mentioning: ["loss became"])
        let list = try cli.run(["runs", "list", "--json"])
        #expect(list.stdout.contains("\"failed\""), "run not marked failed: \(list.stdout)")
    }
}
