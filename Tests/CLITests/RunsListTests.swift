import Foundation
import Testing
import TestSupport

/// `runs list` and `experiments list` over the shared runs: filters as MLflow users write
/// them, sort keys, paging, the columns a search is about, and one-line errors.
@Suite struct RunsListTests {
    @Test func tableShowsRunColumnsAndValidationMetrics() throws {
        let runs = try TrainedRuns.get()
        let lines = try runs.output(["runs", "list"]).split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        for column in ["RUN", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION", "validation_accuracy", "validation_loss"] {
            #expect(header.contains(column), "\(column) not in \(header)")
        }
        #expect(lines.count == 5, "\(lines)")
        // Newest first; the imported run started in 2024 and comes last.
        #expect(lines[1].hasPrefix(String(runs.tiny.prefix(8))) && lines[4].hasPrefix("0123abcd"))
        #expect(lines[4].contains("from-mlflow") && lines[4].contains("1m30s") && lines[4].contains("0.5000"))
    }

    @Test func filtersSelectRuns() throws {
        let runs = try TrainedRuns.get()
        func ids(_ filter: String) throws -> Set<String> { Set(try runs.listedIDs(["--filter", filter])) }
        #expect(try ids("params.optimizer.learning_rate < 0.01") == [runs.slow])
        #expect(try ids("params.training.epochs = '2' and params.optimizer.learning_rate > 0.01") == [runs.fast])
        #expect(try ids("experiment = 'tiny' OR params.`optimizer.learning_rate` = '0.002'") == [runs.tiny, runs.slow])
        #expect(try ids("attributes.status = 'FINISHED' and metrics.validation_accuracy > 0.6") == [runs.slow, runs.fast, runs.tiny])
        #expect(try ids("tags.note LIKE '%comma%'") == [runs.tiny])
        #expect(try ids("params.imported.only = 'yes' or run_name ILIKE 'TINY%' and params.training.epochs = 1") == [runs.imported, runs.tiny])
        #expect(try ids("(params.imported.only = 'yes' or run_name ILIKE 'TINY%') and params.training.epochs = 1") == [runs.tiny])
        #expect(try ids("attributes.start_time < '2025-01-01T00:00:00Z'") == [runs.imported])
        #expect(try Set(runs.listedIDs(["--experiment", "digits"])) == [runs.slow, runs.fast])
    }

    @Test func orderLimitAndOffset() throws {
        let runs = try TrainedRuns.get()
        let byRate = try runs.listedIDs(["--order-by", "params.optimizer.learning_rate DESC"])
        #expect(byRate == [runs.imported, runs.fast, runs.tiny, runs.slow])
        #expect(try runs.listedIDs(["--order-by", "params.optimizer.learning_rate desc", "--limit", "2", "--offset", "1"])
                == [runs.fast, runs.tiny])
        #expect(try runs.listedIDs(["--order-by", "experiment", "--order-by", "params.optimizer.learning_rate DESC"])
                == [runs.fast, runs.slow, runs.imported, runs.tiny])

        // Sorting by a metric agrees with the metric values the listing reports.
        let rows = try JSONSerialization.jsonObject(with: Data(try runs.output(
            ["runs", "list", "--json", "--order-by", "metrics.validation_loss ASC", "--experiment", "digits"]).utf8)) as! [[String: Any]]
        let losses = rows.map { ($0["metrics"] as! [String: Any])["validation_loss"] as! Double }
        #expect(losses.count == 2 && losses == losses.sorted())
    }

    @Test func columnsFollowTheSearchOrAreChosen() throws {
        let runs = try TrainedRuns.get()
        let searched = try runs.output(["runs", "list", "--filter", "params.training.epochs = 2", "--order-by", "metrics.train_loss"])
        let header = try #require(searched.split(separator: "\n").first)
        #expect(cells(String(header)).suffix(4) == ["validation_accuracy", "validation_loss", "params.training.epochs", "train_loss"],
                "\(header)")

        let chosen = try runs.output(["runs", "list", "--columns", "params.optimizer.kind,tags.note,metrics.train_loss"])
        let lines = chosen.split(separator: "\n").map(String.init)
        #expect(cells(lines[0]).suffix(4) == ["DURATION", "params.optimizer.kind", "tags.note", "train_loss"], "\(lines[0])")
        let tiny = try #require(lines.first { $0.hasPrefix(String(runs.tiny.prefix(8))) })
        #expect(cells(tiny).suffix(3).first == "adamw" && cells(tiny).suffix(2).first == TrainedRuns.note, "\(tiny)")
        let imported = try #require(lines.first { $0.hasPrefix("0123abcd") })
        #expect(cells(imported).suffix(3) == ["-", "-", "-"], "missing values: \(imported)")
    }

    /// The cells of a table line: columns are at least two spaces apart, cells hold single spaces at most.
    func cells(_ line: String) -> [String] {
        line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test func badSearchesAreOneLineErrors() throws {
        let runs = try TrainedRuns.get()
        let cases: [([String], String)] = [
            (["--filter", "metrics.validation_accuracy > "],
             "ringmaster: error: filter: position 31: expected a value after '>', found end of input"),
            (["--filter", "status = 'DONE'"], "ringmaster: error: filter: position 10: unknown status 'DONE'"),
            (["--filter", "accuracy > 0.9"], "ringmaster: error: filter: position 1: unknown field 'accuracy'"),
            (["--order-by", "metrics.x DOWN"], "ringmaster: error: order-by: position 11: expected ASC, DESC"),
            (["--columns", "metrics.x params.y"], "ringmaster: error: columns: position 11: expected ',' or the end"),
            (["--experiment", "digitz"], "ringmaster: error: no experiment named 'digitz'"),
        ]
        for (arguments, message) in cases {
            let result = try runs.cli.run(["runs", "list"] + arguments)
            let line = try #require(result.oneErrorLine, "\(arguments): \(result.stderr)")
            #expect(line.hasPrefix(message), "\(line)")
        }
        let unknownExperiment = try runs.cli.run(["runs", "list", "--experiment", "digitz"])
        #expect(unknownExperiment.stderr.contains("experiments: digits, mlflow, tiny"))
    }

    @Test func noMatchesIsNotAnError() throws {
        let runs = try TrainedRuns.get()
        #expect(try runs.output(["runs", "list", "--filter", "metrics.validation_accuracy > 2"]) == "no runs match\n")
        #expect(try runs.output(["runs", "list", "--filter", "metrics.validation_accuracy > 2", "--json"]) == "[]\n")
    }

    @Test func experimentsAreListed() throws {
        let runs = try TrainedRuns.get()
        let lines = try runs.output(["experiments", "list"]).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("EXPERIMENT  RUNS  CREATED"))
        #expect(lines[1].hasPrefix("digits         2  "))
        #expect(lines[2].hasPrefix("mlflow         1  ") && lines[3].hasPrefix("tiny           1  "))
        let json = try JSONSerialization.jsonObject(with: Data(try runs.output(["experiments", "--json"]).utf8)) as! [[String: Any]]
        #expect(json.map { $0["name"] as? String } == ["digits", "mlflow", "tiny"])
        #expect(json.map { $0["run_count"] as? Int } == [2, 1, 1])
    }
}
