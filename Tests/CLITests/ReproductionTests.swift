import Foundation
import Testing
import TestSupport

/// `runs reproduce` re-trains from what the store recorded and reports bit-identity;
/// it refuses when the data changed. `bench reproduce` checks published ranges.
@Suite(.serialized) struct ReproductionTests {
    @Test func recordedRunReproducesBitIdentically() throws {
        let cli = try CLI()
        let original = try cli.train(CLI.example("digits.yaml"), ranks: 2, ["--set", "training.epochs=3"])
        let result = try cli.run(["runs", "reproduce", String(original.run_id.prefix(8)), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(report["bit_identical"] as? Bool == true)
        #expect(report["ranks"] as? Int == 2)
        #expect(report["original_weights_sha256"] as? String == original.weights_sha256)
        let metrics = report["metrics"] as! [[String: Any]]
        #expect(metrics.contains { $0["key"] as? String == "validation_accuracy" && $0["difference"] as? Double == 0 })
        let reproduction = report["reproduction_run_id"] as! String
        let show = try cli.run(["runs", "show", reproduction, "--json"])
        #expect(show.stdout.contains("\"ringmaster.reproduces\":\"\(original.run_id)\""))
        let lineage = try cli.run(["lineage", original.run_id, "--json"])
        #expect(lineage.stdout.contains("run:\(reproduction)"), "the reproduction is not a child run: \(lineage.stdout)")
    }

    @Test func changedDataIsRefusedWithTheReason() throws {
        let cli = try CLI()
        let data = cli.store.appendingPathComponent("cancer.csv")
        try FileManager.default.copyItem(atPath: CLI.example("data/breast_cancer.csv"), toPath: data.path)
        let original = try cli.train(CLI.example("breast_cancer.yaml"), ["--set", "data.path=\(data.path)", "--set", "training.epochs=2"])
        var text = try String(contentsOf: data, encoding: .utf8)
        text += text.split(separator: "\n").last! + "\n"
        try text.write(to: data, atomically: true, encoding: .utf8)
        let result = try cli.run(["runs", "reproduce", original.run_id])
        #expect(result.status != 0)
        #expect(result.ringmasterErrors.count == 1)
        #expect(result.ringmasterErrors.first?.contains("cancer.csv now has sha256") == true, "\(result.stderr)")
        #expect(result.ringmasterErrors.first?.contains("cancer:1") == true, "\(result.stderr)")
    }

    @Test func benchReproduceReportsExpectedAndMeasured() throws {
        let spec = ProcessRunner.packageRoot.appendingPathComponent("benchmarks/repro/digits-mlp-2ranks.yaml").path
        let result = try CLI().run(["bench", "reproduce", spec, "--json"], withStore: false)
        #expect(result.status == 0, "\(result.stderr)")
        let row = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(row["passed"] as? Bool == true)
        #expect((row["measured"] as? Double ?? 0) >= (row["expected_min"] as? Double ?? 1))
    }

    @Test func badSpecNamesTheField() throws {
        let cli = try CLI()
        let spec = cli.store.appendingPathComponent("bad.yaml")
        try "name: x\nconfig: c.yaml\nranks: 1\nmetric: accuracy\nexpected: {min: 0, max: 1}\nsource: s\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let result = try cli.run(["bench", "reproduce", spec.path], withStore: false)
        #expect(result.status != 0)
        #expect(result.ringmasterErrors.first?.contains("bad.yaml: metric") == true, "\(result.stderr)")
    }
}
