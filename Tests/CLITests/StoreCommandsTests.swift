import Foundation
import Testing
import TestSupport

/// `runs import-mlflow` and `bench store` as a user runs them: summary lines, idempotent
/// re-import, one-line errors, and the benchmark's JSON fields (no timing assertions).
@Suite struct StoreCommandsTests {
    static let fixture = ProcessRunner.packageRoot
        .appendingPathComponent("Tests/MLflowInterchangeTests/Fixtures/mlflow.db").path

    func json(_ result: ProcessResult) throws -> [String: Any] {
        let line = try #require(result.stdout.split(separator: "\n").last, "no output; stderr: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func importMLflowTwiceSkipsTheSecondTime() throws {
        let cli = try CLI()
        let first = try json(try cli.run(["runs", "import-mlflow", Self.fixture, "--json"]))
        #expect(first["runs_imported"] as? Int == 5 && first["runs_skipped"] as? Int == 0)
        #expect(first["experiments"] as? Int == 2 && first["deleted_runs_excluded"] as? Int == 2)
        #expect(first["metric_points"] as? Int == 113)
        let again = try cli.run(["runs", "import-mlflow", Self.fixture])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("imported 0 runs") && again.stdout.contains("skipped 5 runs already in the store"))
        let list = try cli.run(["runs", "list", "--json"])
        let runs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(runs?.count == 5)
    }

    @Test func importMLflowOneExperimentWithDeleted() throws {
        let cli = try CLI()
        let summary = try json(try cli.run(
            ["runs", "import-mlflow", Self.fixture, "--experiment", "mnist-sweep", "--include-deleted", "--json"]))
        #expect(summary["runs_imported"] as? Int == 4 && summary["deleted_runs_excluded"] as? Int == 0)
    }

    @Test(arguments: [
        ("absent.db", "no such file"),
        ("README.md", "is not an MLflow tracking database"),
    ])
    func importMLflowErrorsAreOneLine(path: String, message: String) throws {
        let cli = try CLI()
        let file = path == "README.md" ? ProcessRunner.packageRoot.appendingPathComponent(path).path
            : cli.store.appendingPathComponent(path).path
        let result = try cli.run(["runs", "import-mlflow", file])
        #expect(result.status != 0)
        #expect(result.ringmasterErrors.count == 1, "\(result.stderr)")
        #expect(result.ringmasterErrors.first?.contains(message) == true, "\(result.stderr)")
        #expect(result.ringmasterErrors.first?.contains(file) == true, "\(result.stderr)")
    }

    @Test func benchStoreReportsEveryField() throws {
        let cli = try CLI()
        let result = try cli.run(["bench", "store", "--runs", "1", "--steps", "5", "--metrics", "2", "--search-runs", "50"])
        #expect(result.status == 0, "\(result.stderr)")
        let fields = try json(result)
        for key in ["points_per_sec", "search_ms", "search_all_ms"] {
            #expect(((fields[key] as? Double) ?? 0) > 0, "\(key) in \(fields)")
        }
        // Runs 1, 5, …, 49 have lr = 0.01; two of them have accuracy above 0.9.
        #expect(fields["matched"] as? Int == 2)
        #expect(fields["runs"] as? Int == 1 && fields["steps"] as? Int == 5 && fields["metrics"] as? Int == 2)
        #expect(fields["search_runs"] as? Int == 50 && fields["points"] as? Int == 10)
    }
}
