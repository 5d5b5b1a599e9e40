import Foundation
import Testing
import TestSupport

/// `runs export`: one row per run, a column per key any run has, RFC 4180 quoting, or JSON.
@Suite struct RunsExportTests {
    @Test func csvHasEveryKeyAndQuotesWhatNeedsIt() throws {
        let runs = try TrainedRuns.get()
        let text = try runs.output(["runs", "export"])
        #expect(text.contains("\"has, a comma and \"\"quotes\"\"\""), "RFC 4180 quoting")
        let table = parseCSV(text)
        let header = try #require(table.first)
        #expect(Array(header.prefix(6)) == ["run_id", "experiment", "name", "status", "start_time", "end_time"])
        for column in ["params.optimizer.learning_rate", "params.imported.only", "tags.note", "tags.ringmaster.source",
                       "metrics.validation_accuracy", "metrics.train_loss"] {
            #expect(header.contains(column), "\(column) missing from \(header)")
        }
        // Params, then tags, then metrics, each by key.
        let kinds = header.dropFirst(6).map { $0.split(separator: ".")[0] }
        #expect(kinds == kinds.sorted { ["params": 0, "tags": 1, "metrics": 2][$0]! < ["params": 0, "tags": 1, "metrics": 2][$1]! })
        #expect(table.count == 5 && table.dropFirst().allSatisfy { $0.count == header.count })

        func row(_ id: String) throws -> [String: String] {
            let cells = try #require(table.first { $0.first == id })
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
        let tiny = try row(runs.tiny)
        #expect(tiny["tags.note"] == TrainedRuns.note)
        #expect(tiny["experiment"] == "tiny" && tiny["status"] == "finished" && tiny["params.training.epochs"] == "1")
        #expect(Double(tiny["metrics.validation_accuracy"] ?? "") != nil)
        let imported = try row(runs.imported)
        #expect(imported["start_time"] == "2024-01-01T00:00:00.000Z" && imported["end_time"] == "2024-01-01T00:01:30.000Z")
        #expect(imported["metrics.validation_accuracy"] == "0.5" && imported["metrics.train_loss"] == "")
        #expect(try row(runs.slow)["params.imported.only"] == "")
    }

    @Test func filteredJSONToAFile() throws {
        let runs = try TrainedRuns.get()
        let file = runs.cli.store.appendingPathComponent("export-\(UUID().uuidString).json")
        let said = try runs.output(["runs", "export", "--filter", "params.optimizer.learning_rate >= 0.05",
                                    "--order-by", "params.optimizer.learning_rate", "--format", "json", "--output", file.path])
        #expect(said == "exported 2 runs to \(file.path)\n")
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [[String: Any]]
        #expect(rows.map { $0["run_id"] as? String } == [runs.fast, runs.imported])
        #expect(rows[0]["params.optimizer.learning_rate"] as? String == "0.05")
        #expect(rows[0]["metrics.validation_accuracy"] is Double)
        #expect(rows[1]["metrics.train_loss"] is NSNull && rows[1]["end_time"] as? String == "2024-01-01T00:01:30.000Z")
    }

    @Test func badFilterWritesNothing() throws {
        let runs = try TrainedRuns.get()
        let file = runs.cli.store.appendingPathComponent("never.csv")
        let result = try runs.cli.run(["runs", "export", "--filter", "metrics.x >> 1", "--output", file.path])
        #expect(result.oneErrorLine?.hasPrefix("ringmaster: error: filter: position 12: expected a value after '>'") == true,
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }
}
