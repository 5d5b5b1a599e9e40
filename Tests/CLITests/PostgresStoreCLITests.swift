import Foundation
import Testing
import TestSupport

/// `--store postgres://…` selects the PostgreSQL store; its password never reaches the output.
@Suite(.serialized) struct PostgresStoreCLITests {
    static let serverURL = ProcessInfo.processInfo.environment["RINGMASTER_TEST_POSTGRES_URL"]

    @Test func passwordInTheStoreURLIsNeverPrinted() throws {
        let cli = try CLI()
        // Port 1 on loopback: nothing listens there.
        let result = try cli.run(["runs", "list", "--store", "postgres://alice:s3cret-pw@127.0.0.1:1/ringmaster"], withStore: false)
        #expect(result.status == 1)
        #expect(result.ringmasterErrors.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("postgres://alice:***@127.0.0.1:1/ringmaster"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret-pw") && !result.stdout.contains("s3cret-pw"))
    }

    // Needs the server scripts/test.sh starts; skipped without RINGMASTER_TEST_POSTGRES_URL.
    @Test(.enabled(if: serverURL != nil, "RINGMASTER_TEST_POSTGRES_URL is not set; scripts/test.sh starts a server and sets it"))
    func trainingRecordsTheRunInPostgres() throws {
        let cli = try CLI()
        let url = Self.serverURL!
        // The server's database outlives one test run: a fresh model name each time.
        let model = "pg-" + UUID().uuidString.prefix(8).lowercased()
        let trained = try cli.run(["train", CLI.example("digits.yaml"), "--set", "training.epochs=1", "--json", "--store", url,
                                   "--register", model], withStore: false)
        #expect(trained.status == 0, "\(trained.stderr.suffix(2000))")
        let line = try #require(trained.stdout.split(separator: "\n").last)
        let result = try JSONDecoder().decode(TrainResult.self, from: Data(line.utf8))

        let show = try cli.run(["runs", "show", String(result.run_id.prefix(8)), "--json", "--store", url], withStore: false)
        #expect(show.status == 0, "\(show.stderr)")
        let detail = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect((detail["run"] as? [String: Any])?["status"] as? String == "finished")
        let artifacts = detail["artifacts"] as! [[String: Any]]
        #expect(artifacts.first { $0["name"] as? String == "model.rmm" }?["sha256"] as? String == result.model_sha256)

        // The model is read back from the database (no shared disk) and verified.
        let evaluated = try cli.run(["evaluate", String(result.run_id.prefix(10)), "--data", CLI.example("data/digits.csv"),
                                     "--json", "--store", url], withStore: false)
        #expect(evaluated.status == 0, "\(evaluated.stderr)")

        // Registered by `train --register`; its alias resolves through the database too.
        #expect(trained.stdout.contains("registered \(model):1 (run \(result.run_id.prefix(8)))"), "\(trained.stdout)")
        let aliased = try cli.run(["models", "alias", model, "production", "--version", "1", "--store", url], withStore: false)
        #expect(aliased.status == 0, "\(aliased.stderr)")
        let byAlias = try cli.run(["evaluate", "\(model)@production", "--data", CLI.example("data/digits.csv"),
                                   "--json", "--store", url], withStore: false)
        #expect(byAlias.status == 0 && byAlias.stdout == evaluated.stdout, "\(byAlias.stderr)")

        // Checkpoints go to ./.ringmaster, never to a directory named after the URL.
        let entries = try FileManager.default.contentsOfDirectory(atPath: cli.store.path)
        #expect(entries.contains(".ringmaster") && !entries.contains { $0.hasPrefix("postgres") }, "\(entries)")
    }

    @Test(.enabled(if: serverURL != nil, "RINGMASTER_TEST_POSTGRES_URL is not set; scripts/test.sh starts a server and sets it"))
    func aPipelineRunsCachesAndPromotesInPostgres() throws {
        let cli = try CLI()
        let url = Self.serverURL!
        let name = "pg-" + UUID().uuidString.prefix(8).lowercased()
        let pipeline = PipelineCommandTests.pipeline(
            name: name, train: "training.epochs: 2", gate: "accuracy: {min: 0.5}"
        ).replacingOccurrences(of: "model: digits", with: "model: \(name)")
        let file = cli.store.appendingPathComponent("pipeline.yaml")
        try pipeline.write(to: file, atomically: true, encoding: .utf8)
        let first = try cli.run(["pipeline", "run", file.path, "--store", url], withStore: false)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let second = try cli.run(["pipeline", "run", file.path, "--store", url, "--json"], withStore: false)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.components(separatedBy: "\"status\":\"cached\"").count - 1 == 5, "\(second.stdout)")
        let served = try cli.run(["evaluate", "\(name)@production", "--data", CLI.example("data/digits.csv"), "--store", url],
                                 withStore: false)
        #expect(served.status == 0, "\(served.stderr)")
        let runs = try cli.run(["pipeline", "runs", name, "--json", "--store", url], withStore: false)
        let records = try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]]
        #expect(records?.map { $0["status"] as? String } == ["succeeded", "succeeded"], "\(runs.stdout)")
    }
}
