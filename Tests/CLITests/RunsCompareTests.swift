import Foundation
import Testing
import TestSupport

/// `runs compare`: params and final metrics side by side, differing rows marked.
@Suite struct RunsCompareTests {
    @Test func differingRowsAreMarkedAndMissingValuesDashed() throws {
        let runs = try TrainedRuns.get()
        let lines = try runs.output(["runs", "compare", String(runs.slow.prefix(6)), String(runs.tiny.prefix(6)), "0123abcd"])
            .split(separator: "\n").map(String.init)
        let expectedHeader = ["KEY", String(runs.slow.prefix(8)), String(runs.tiny.prefix(8)), "0123abcd"]
        let header = lines[0].split(separator: " ").map(String.init)
        #expect(header == expectedHeader)
        func row(_ key: String) throws -> (marked: Bool, values: [String]) {
            let line = try #require(lines.first { $0.dropFirst(3).hasPrefix(key + " ") }, "no row \(key)")
            return (line.hasPrefix("*"), line.dropFirst(3).split(separator: " ").dropFirst().map(String.init))
        }
        func check(_ key: String, marked: Bool, _ values: [String]) throws {
            let found = try row(key)
            #expect(found.marked == marked, "\(key) marked")
            #expect(found.values == values, "\(key)")
        }
        try check("params.optimizer.learning_rate", marked: true, ["0.002", "0.01", "0.1"])
        try check("params.optimizer.kind", marked: true, ["adamw", "adamw", "-"])
        try check("params.imported.only", marked: true, ["-", "-", "yes"])
        try check("status", marked: false, ["finished", "finished", "finished"])
        #expect(try row("metrics.train_loss").values.last == "-")
        #expect(try row("metrics.validation_accuracy").values.last == "0.5")

        let two = try runs.output(["runs", "compare", runs.slow, runs.fast]).split(separator: "\n")
        #expect(two.contains { $0.hasPrefix("   params.optimizer.kind") }, "same value is not marked")
        #expect(two.contains { $0.hasPrefix("*  params.optimizer.learning_rate") })
    }

    @Test func jsonAndDifferencesOnly() throws {
        let runs = try TrainedRuns.get()
        let object = try JSONSerialization.jsonObject(with: Data(try runs.output(
            ["runs", "compare", runs.slow, runs.imported, "--json"]).utf8)) as! [String: Any]
        #expect((object["runs"] as! [[String: Any]]).map { $0["run_id"] as? String } == [runs.slow, runs.imported])
        let rows = object["rows"] as! [[String: Any]]
        let rate = try #require(rows.first { $0["key"] as? String == "params.optimizer.learning_rate" })
        #expect(rate["values"] as? [String] == ["0.002", "0.1"] && rate["differs"] as? Bool == true)
        let loss = try #require(rows.first { $0["key"] as? String == "metrics.train_loss" })
        let values = loss["values"] as! [Any]
        #expect(values[0] is Double && values[1] is NSNull)

        let only = try JSONSerialization.jsonObject(with: Data(try runs.output(
            ["runs", "compare", runs.slow, runs.fast, "--differences", "--json"]).utf8)) as! [String: Any]
        let keys = (only["rows"] as! [[String: Any]]).map { $0["key"] as! String }
        #expect(keys.contains("params.optimizer.learning_rate") && !keys.contains("params.optimizer.kind") && !keys.contains("status"))
    }

    @Test func unknownRunIsOneLine() throws {
        let runs = try TrainedRuns.get()
        let result = try runs.cli.run(["runs", "compare", runs.slow, "ffffffff"])
        #expect(result.oneErrorLine == "ringmaster: error: no run matches 'ffffffff'")
        #expect(try runs.cli.run(["runs", "compare", runs.slow]).status != 0)
    }
}
