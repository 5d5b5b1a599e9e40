import Foundation
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

/// `ringmaster lineage`: a trained run (which records its own `digits` dataset edge) with a
/// second dataset edge and a child run added through the store, walked from each kind of reference.
@Suite(.serialized) struct LineageCommandTests {
    let cli: CLI
    let run: String
    let child: String
    let model: String

    init() throws {
        cli = try CLI()
        let trained = try cli.train(CLI.example("digits.yaml"), ["--set", "training.epochs=1", "--set", "training.checkpoint_every=0"])
        run = trained.run_id
        model = trained.model_sha256
        let store = try SQLiteStore(directory: cli.store)
        let version = try store.recordDatasetVersion(NewDatasetVersion(
            name: "lineage-digits", fingerprint: String(repeating: "cd", count: 32), schema: "[]", rows: 1797, source: "digits.csv"))
        try store.addLineage(LineageEdge(source: version.node, target: .run(run), relation: .input))
        child = try store.createRun(experiment: "digits", name: "fine-tune", params: [:], tags: [:], environment: [:]).id
        try store.endRun(child, status: .killed, reason: nil)
        try store.addLineage(LineageEdge(source: .run(run), target: .run(child), relation: .parent))
    }

    func lines(_ arguments: [String]) throws -> [String] {
        let result = try cli.run(["lineage"] + arguments)
        guard result.status == 0 else { throw CLIFailure(message: "lineage \(arguments) exited \(result.status): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    var datasetLine: String { "dataset lineage-digits:1 (sha256 cdcdcdcdcdcd…, 1797 rows)" }
    var trainedDatasetLine: String { "dataset digits:1 (sha256 7a93e51f73da…, 1797 rows)" }
    var modelLine: String { "artifact \(run.prefix(8))/model.rmm (model, sha256 \(model.prefix(12))…, " }

    @Test func runShowsInputsOutputsAndChildren() throws {
        let tree = try lines([String(run.prefix(6))])
        #expect(tree[0].hasPrefix("run \(run.prefix(8)) digits-") && tree[0].hasSuffix("(digits, finished)"))
        #expect(tree.contains("├─ ← \(datasetLine)"), "\(tree)")
        #expect(tree.contains("├─ ← \(trainedDatasetLine)"), "\(tree)")
        #expect(tree.contains { $0.hasPrefix("├─ → \(modelLine)") }, "\(tree)")
        #expect(tree.contains("└─ → child run \(child.prefix(8)) fine-tune (digits, killed)"), "\(tree)")
    }

    @Test func datasetShowsEverythingDownstream() throws {
        let tree = try lines(["dataset:lineage-digits"])
        #expect(tree[0] == datasetLine)
        #expect(tree[1].hasPrefix("└─ → run \(run.prefix(8))"))
        #expect(tree.contains { $0.hasPrefix("   ├─ → \(modelLine)") }, "\(tree)")
        #expect(tree.contains("   └─ → child run \(child.prefix(8)) fine-tune (digits, killed)"), "\(tree)")
        #expect(try lines(["dataset:lineage-digits:1"]) == tree)

        let shallow = try lines(["dataset:lineage-digits", "--depth", "1"])
        #expect(shallow.count == 2 && shallow[1].hasSuffix("(more beyond --depth)"), "\(shallow)")
    }

    @Test func modelShowsWhereItCameFrom() throws {
        let tree = try lines(["\(run.prefix(8))/model.rmm"])
        #expect(tree[0].hasPrefix(modelLine))
        #expect(tree[1].hasPrefix("└─ ← run \(run.prefix(8))"))
        #expect(Set(tree[2...]) == ["   ├─ ← \(trainedDatasetLine)", "   └─ ← \(datasetLine)"], "\(tree)")
    }

    @Test func json() throws {
        let result = try cli.run(["lineage", run, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(object["node"] as? String == "run:\(run)" && object["type"] as? String == "run")
        let upstream = object["upstream"] as! [[String: Any]]
        #expect(Set(upstream.compactMap { $0["node"] as? String }) == ["dataset:digits:1", "dataset:lineage-digits:1"])
        #expect(upstream.allSatisfy { $0["relation"] as? String == "input" })
        #expect(upstream.allSatisfy { ($0["dataset"] as? [String: Any])?["rows"] as? Int == 1797 })
        let downstream = object["downstream"] as! [[String: Any]]
        #expect(Set(downstream.compactMap { $0["node"] as? String }) == ["artifact:\(run)/model.rmm", "run:\(child)"])
        let artifact = try #require(downstream.first { $0["type"] as? String == "artifact" })
        #expect((artifact["artifact"] as? [String: Any])?["sha256"] as? String == model)
        #expect(artifact["relation"] as? String == "output")
    }

    @Test func badReferencesAreOneLine() throws {
        let cases: [([String], String)] = [
            (["dataset:nope"], "ringmaster: error: no dataset version matches 'nope'; datasets: digits, lineage-digits"),
            (["dataset:lineage-digits:7"], "ringmaster: error: no dataset version matches 'lineage-digits:7'"),
            (["zzzz"], "ringmaster: error: no run, dataset, artifact or model version matches 'zzzz'"),
            (["ghost@production"], "ringmaster: error: no registered model is named 'ghost'"),
            (["\(run.prefix(8))/weights.bin"], "ringmaster: error: run \(run.prefix(8)) has no artifact 'weights.bin'; its artifacts: config.yaml, model.rmm"),
            (["ffffffff/model.rmm"], "ringmaster: error: no run matches 'ffffffff'"),
        ]
        for (arguments, message) in cases {
            let result = try cli.run(["lineage"] + arguments)
            #expect(result.oneErrorLine?.hasPrefix(message) == true, "\(arguments): \(result.stderr)")
        }
    }
}
