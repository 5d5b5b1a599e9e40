import Foundation
import Testing
import TestSupport

/// A training run leaves a complete record: params, environment, batched metrics, the
/// model artifact with its sha256, and a model that `evaluate` and `predict` can use
/// by path or by run id.
@Suite(.serialized) struct RunRecordTests {
    @Test func trainRecordsRunAndModelIsUsable() throws {
        let cli = try CLI()
        let timeline = cli.store.appendingPathComponent("trace.json").path
        let result = try cli.train(CLI.example("digits.yaml"), ranks: 2,
                                   ["--set", "training.epochs=3", "--timeline", timeline])

        let show = try cli.run(["runs", "show", String(result.run_id.prefix(8)), "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let detail = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        let run = detail["run"] as! [String: Any]
        #expect(run["status"] as? String == "finished")
        let params = run["params"] as! [String: String]
        #expect(params["training.ranks"] == "2" && params["model.kind"] == "mlp")
        let environment = run["environment"] as! [String: String]
        #expect(environment["world_size"] == "2")
        #expect(environment["blas_library"]?.contains("OpenBLAS") == true)
        let artifacts = detail["artifacts"] as! [[String: Any]]
        #expect(artifacts.first { $0["name"] as? String == "model.rmm" }?["sha256"] as? String == result.model_sha256)
        #expect(artifacts.contains { $0["name"] as? String == "config.yaml" })
        let tags = run["tags"] as! [String: String]
        #expect(tags["ringmaster.weights_sha256"] == result.weights_sha256)
        #expect(tags["ringmaster.data.version"] == "digits:1")

        // Lineage: dataset version → run → model artifact.
        let datasets = try cli.run(["data", "list", "--json"])
        #expect(datasets.stdout.contains("\"name\":\"digits\""), "\(datasets.stdout) \(datasets.stderr)")

        let loss = try cli.run(["runs", "metrics", result.run_id, "--key", "train_loss", "--json"])
        let points = try JSONSerialization.jsonObject(with: Data(loss.stdout.utf8)) as! [[String: Any]]
        #expect(points.count >= 3, "train_loss has \(points.count) points")

        // Evaluate by path and by run id agree with the training-time validation metric's scale.
        let data = CLI.example("data/digits.csv")
        for reference in [result.model_path, String(result.run_id.prefix(10))] {
            let evaluated = try cli.run(["evaluate", reference, "--data", data, "--json"])
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
            let score = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as! [String: Any]
            #expect((score["rows"] as? Int) == 1797)
            #expect(((score["accuracy"] as? Double) ?? 0) > 0.85)
        }
        let predicted = try cli.run(["predict", result.model_path, "--data", data])
        let lines = predicted.stdout.split(separator: "\n")
        #expect(lines.count == 1798)
        #expect(lines.first?.hasPrefix("prediction,p_0") == true)

        // The timeline is a Chrome trace with spans from both ranks.
        let trace = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: timeline))) as! [String: Any]
        let events = trace["traceEvents"] as! [[String: Any]]
        let spans = events.filter { $0["ph"] as? String == "X" }
        #expect(Set(spans.compactMap { $0["pid"] as? Int }) == [0, 1])
        #expect(Set(spans.compactMap { $0["name"] as? String }).isSuperset(of: ["forward", "backward", "allreduce", "optimizer"]))
    }
}
