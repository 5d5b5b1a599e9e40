import Foundation
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

/// Filters as users type them, parsed and run against a real store, select the right runs.
@Suite struct ParsedSearchTests {
    let directory: URL
    let store: SQLiteStore

    init() throws {
        directory = try ProcessRunner.temporaryDirectory("parsed-search")
        store = try SQLiteStore(directory: directory)
        // name, lr, hidden, team, accuracy, loss, status
        let rows: [(String, String, String, String, Double?, Double, RunStatus)] = [
            ("a", "0.1", "32", "vision", 0.90, 0.50, .finished),
            ("b", "0.01", "64", "vision", 0.97, 0.20, .finished),
            ("c", "0.01", "128", "speech", 0.95, 0.30, .finished),
            ("d", "0.001", "64", "speech", nil, 0.90, .failed),
            ("e", "0.1", "256", "it's", 0.99, -0.10, .running),
        ]
        for (name, lr, hidden, team, accuracy, loss, status) in rows {
            let run = try store.createRun(
                experiment: name == "e" ? "other" : "digits", name: name,
                params: ["optimizer.learning_rate": lr, "model.hidden": hidden], tags: ["team": team], environment: [:])
            var points = [MetricPoint(key: "validation_loss", step: 1, value: loss)]
            if let accuracy { points.append(MetricPoint(key: "validation_accuracy", step: 1, value: accuracy)) }
            try store.logMetrics(run: run.id, points)
            if status != .running { try store.endRun(run.id, status: status, reason: nil) }
        }
    }

    func names(_ filter: String, order: String = "") throws -> [String] {
        let query = RunQuery(filter: try RunFilterParser.parse(filter), orderBy: try RunOrderParser.parse(order))
        return try store.searchRuns(query).map(\.name)
    }

    func set(_ filter: String) throws -> Set<String> { Set(try names(filter)) }

    @Test func comparisonsOnMetricsParamsAndTags() throws {
        #expect(try set("metrics.validation_accuracy > 0.95") == ["b", "e"])
        #expect(try set("metrics.validation_accuracy >= 0.95 and params.optimizer.learning_rate = '0.01'") == ["b", "c"])
        #expect(try set("params.`model.hidden` = '64'") == ["b", "d"])
        #expect(try set("params.model.hidden > 100") == ["c", "e"])
        #expect(try set("metrics.validation_loss < 0") == ["e"])
        #expect(try set("tags.team = \"it's\"") == ["e"])
        #expect(try set("tags.team = 'it''s'") == ["e"])
    }

    @Test func patternsAndLists() throws {
        #expect(try set("tags.team LIKE 'V%'") == [])
        #expect(try set("tags.team ILIKE 'V%'") == ["a", "b"])
        #expect(try set("params.optimizer.learning_rate IN ('0.1', '0.001')") == ["a", "d", "e"])
        #expect(try set("params.optimizer.learning_rate NOT IN ('0.1', '0.001')") == ["b", "c"])
        #expect(try set("run_name IN ('a', 'c')") == ["a", "c"])
    }

    @Test func attributes() throws {
        #expect(try set("attributes.status = 'FAILED'") == ["d"])
        #expect(try set("status != 'finished'") == ["d", "e"])
        #expect(try set("experiment = 'other'") == ["e"])
        #expect(try set("attr.start_time > 1000000000000") == ["a", "b", "c", "d", "e"])
        #expect(try set("end_time > '2000-01-01T00:00:00Z'") == ["a", "b", "c", "d"])
        let b = try store.searchRuns(RunQuery(filter: try RunFilterParser.parse("run_name = 'b'")))[0]
        #expect(try set("run_id = '\(b.id)'") == ["b"])
    }

    @Test func precedenceSelectsTheSameRunsAsTheTree() throws {
        #expect(try set("tags.team = 'speech' or tags.team = 'vision' and metrics.validation_accuracy > 0.95") == ["b", "c", "d"])
        #expect(try set("(tags.team = 'speech' or tags.team = 'vision') and metrics.validation_accuracy > 0.95") == ["b"])
    }

    @Test func ordering() throws {
        #expect(try names("", order: "metrics.validation_accuracy DESC") == ["e", "b", "c", "a", "d"])
        #expect(try names("experiment = 'digits'", order: "params.model.hidden DESC, run_name") == ["c", "b", "d", "a"])
        #expect(try names("experiment = 'digits'", order: "params.model.hidden, run_name DESC") == ["a", "d", "b", "c"])
    }
}
